// Whole FTP sessions (transcripts/*.txt) replayed against ServerSession through the fake I/O, in whole
// reads and a byte at a time. The `N:` lines are the actions the session asked the I/O for.
#include <gtest/gtest.h>

#include "fake_ftp_io.hpp"
#include "replay.hpp"

namespace endhost::ftp {
namespace {

class ReplayedFtp final : public endhost::test::ReplaySession {
 public:
  explicit ReplayedFtp(const std::string& file) : io_(test::transcript_config(file)) {}
  void receive(std::string_view bytes) override { io_.receive(bytes); }
  void advance(std::chrono::milliseconds by) override { io_.advance(by); }
  std::vector<std::string> take_output() override {
    std::string out = io_.take_output();
    if (out.empty()) return {};
    return {std::move(out)};
  }
  std::vector<std::string> take_notes() override { return io_.take_notes(); }
  bool closed() const override { return io_.closed(); }

 private:
  test::FakeFtpIo io_;
};

TEST(FtpTranscripts, AllMatch) {
  const auto files = endhost::test::transcript_files(ENDHOST_TRANSCRIPT_DIR);
  ASSERT_GE(files.size(), 15u) << "no transcripts in " << ENDHOST_TRANSCRIPT_DIR;
  for (const auto& file : files) {
    EXPECT_EQ(endhost::test::replay_file(file, [&file] { return std::make_unique<ReplayedFtp>(file); }), "")
        << file;
  }
}

}  // namespace
}  // namespace endhost::ftp
