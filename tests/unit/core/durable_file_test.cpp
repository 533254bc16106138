#include "core/durable_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace endhost::core {
namespace {

namespace fs = std::filesystem;

class DurableFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "endhost-durable-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  fs::path dir_;
};

TEST_F(DurableFile, ReplacesTheFileWholeAndLeavesNoTemporaryBehind) {
  const auto path = (dir_ / "zone").string();
  ASSERT_TRUE(write_file_durably(path, "old\n"));
  ASSERT_TRUE(write_file_durably(path, "new contents\n"));
  EXPECT_EQ(read(path), "new contents\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}), 1);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST_F(DurableFile, SetsTheModificationTimeWhenAsked) {
  const auto path = (dir_ / "kiwi.gif").string();
  ASSERT_TRUE(write_file_durably(path, "GIF89a", 1441790604));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 1441790604);
}

TEST_F(DurableFile, FailureNamesThePlaceAndChangesNothing) {
  auto r = write_file_durably((dir_ / "missing" / "x").string(), "x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find((dir_ / "missing").string()), std::string::npos) << r.error();
  EXPECT_TRUE(fs::is_empty(dir_));
}

}  // namespace
}  // namespace endhost::core
