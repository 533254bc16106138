// Whole POP3 sessions (transcripts/*.txt) replayed against ServerSession through the fake I/O, in whole
// reads (pipelining) and a byte at a time. The `N:` lines are what the session asked the I/O to do.
#include <gtest/gtest.h>

#include "fake_pop3_io.hpp"
#include "replay.hpp"

namespace endhost::pop3 {
namespace {

class ReplayedPop3 final : public endhost::test::ReplaySession {
 public:
  explicit ReplayedPop3(const std::string& file) : io_(test::transcript_options(file)) {}
  void receive(std::string_view bytes) override { io_.receive(bytes); }
  std::vector<std::string> take_output() override {
    std::string out = io_.take_output();
    if (out.empty()) return {};
    return {std::move(out)};
  }
  std::vector<std::string> take_notes() override { return io_.take_notes(); }
  bool closed() const override { return io_.closed(); }

 private:
  test::FakePop3Io io_;
};

TEST(Pop3Transcripts, AllMatch) {
  const auto files = endhost::test::transcript_files(ENDHOST_TRANSCRIPT_DIR);
  ASSERT_GE(files.size(), 8u) << "no transcripts in " << ENDHOST_TRANSCRIPT_DIR;
  for (const auto& file : files) {
    EXPECT_EQ(endhost::test::replay_file(file, [&file] { return std::make_unique<ReplayedPop3>(file); }), "")
        << file;
  }
}

}  // namespace
}  // namespace endhost::pop3
