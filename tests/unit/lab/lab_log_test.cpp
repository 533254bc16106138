// Where `endhost lab` logs: every line to the file, nothing to the terminal until the map is out, then the
// lines so far (warnings only, or everything) and from then on the same.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/log.hpp"
#include "lab/lab_log.hpp"

namespace endhost::lab {
namespace {

std::string read_all(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class LabLog : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/endhost-lab-log-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    dir_ = dir;
    path_ = dir_ + "/lab.log";
    terminal_ = std::tmpfile();
  }
  void TearDown() override {
    std::fclose(terminal_);
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  std::string dir_, path_;
  std::FILE* terminal_ = nullptr;
};

TEST_F(LabLog, TheTerminalGetsNothingUntilTheMapThenWarningsOnly) {
  auto stream = LabLogStream::open(path_);
  ASSERT_TRUE(stream) << stream.error();
  core::Logger log(core::LogFormat::Text, core::LogLevel::Info, (*stream)->stream());
  log.info("listening", {{"service", "dns"}});
  log.warn("cannot do something", {{"why", "test"}});
  EXPECT_EQ(read_all(terminal_), "");
  (*stream)->show_on(terminal_, false, true);
  log.info("lab ready");
  log.error("service failed to start");
  const std::string shown = read_all(terminal_);
  EXPECT_EQ(shown.find("listening"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("lab ready"), std::string::npos) << shown;
  EXPECT_NE(shown.find("WARN cannot do something"), std::string::npos) << shown;
  EXPECT_NE(shown.find("ERROR service failed to start"), std::string::npos) << shown;
  stream->reset();
  const std::string file = read_file(path_);
  for (const char* line : {"INFO listening", "WARN cannot", "INFO lab ready", "ERROR service failed"})
    EXPECT_NE(file.find(line), std::string::npos) << line << "\n" << file;
}

TEST_F(LabLog, VerboseReplaysEverythingAfterTheMap) {
  auto stream = LabLogStream::open(path_);
  ASSERT_TRUE(stream) << stream.error();
  core::Logger log(core::LogFormat::Json, core::LogLevel::Info, (*stream)->stream());
  log.info("listening", {{"service", "web"}});
  (*stream)->show_on(terminal_, true, true);
  log.info("lab ready");
  const std::string shown = read_all(terminal_);
  const auto first = shown.find("\"msg\":\"listening\"");
  const auto second = shown.find("\"msg\":\"lab ready\"");
  ASSERT_NE(first, std::string::npos) << shown;
  ASSERT_NE(second, std::string::npos) << shown;
  EXPECT_LT(first, second);
}

TEST(LabLogLevels, TellsWarningsInBothFormats) {
  EXPECT_TRUE(LabLogStream::is_warning("2026-12-02T04:00:00.000000Z WARN x a=b\n"));
  EXPECT_TRUE(LabLogStream::is_warning("2026-12-02T04:00:00.000000Z ERROR x\n"));
  EXPECT_FALSE(LabLogStream::is_warning("2026-12-02T04:00:00.000000Z INFO WARN lookalike\n"));
  EXPECT_TRUE(LabLogStream::is_warning("{\"ts\":\"t\",\"level\":\"warn\",\"msg\":\"x\"}\n"));
  EXPECT_FALSE(LabLogStream::is_warning("{\"ts\":\"t\",\"level\":\"info\",\"msg\":\"level warn\"}\n"));
}

TEST(LabLogOpen, AnUnwritablePathSaysSo) {
  auto stream = LabLogStream::open("/nonexistent-dir/lab.log");
  ASSERT_FALSE(stream);
  EXPECT_NE(stream.error().find("cannot open the lab's log /nonexistent-dir/lab.log"), std::string::npos);
}

}  // namespace
}  // namespace endhost::lab
