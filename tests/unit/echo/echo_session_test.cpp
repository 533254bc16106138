// The echo service's TCP session, driven by the transcripts in transcripts/ (line limit 16 bytes there).
#include "echo/echo_session.hpp"

#include <gtest/gtest.h>

#include "replay.hpp"

namespace endhost::echo {
namespace {

constexpr std::size_t kMaxLine = 16;

// Moves bytes between the harness and the session as serve_tcp does between the socket and it: no more
// than room() per read, output sent before the next read.
class ReplayedEcho final : public test::ReplaySession {
 public:
  ReplayedEcho() : session_(kMaxLine) {}

  void receive(std::string_view bytes) override {
    while (!bytes.empty() && !session_.closing()) {
      drain();
      const std::size_t taken = session_.receive(bytes);
      ASSERT_GT(taken, 0u);
      bytes.remove_prefix(taken);
    }
  }
  void end_of_input() override { session_.end_of_input(); }
  std::vector<std::string> take_output() override {
    drain();
    std::vector<std::string> out;
    if (!sent_.empty()) out.push_back(std::move(sent_));
    sent_.clear();
    return out;
  }
  bool closed() const override { return session_.closing() && session_.output().empty(); }

 private:
  void drain() {
    sent_ += session_.output();
    session_.sent(session_.output().size());
  }

  EchoSession session_;
  std::string sent_;
};

TEST(EchoTranscripts, AllMatch) {
  const auto files = test::transcript_files(ENDHOST_TRANSCRIPT_DIR);
  ASSERT_GE(files.size(), 3u) << "no transcripts in " << ENDHOST_TRANSCRIPT_DIR;
  for (const auto& file : files) {
    EXPECT_EQ(test::replay_file(file, [] { return std::make_unique<ReplayedEcho>(); }), "") << file;
  }
}

TEST(EchoSession, ReadsNoMoreThanItCanAnswer) {
  EchoSession session(kMaxLine);
  const std::size_t room = session.room();
  EXPECT_GE(room, kMaxLine + 2);
  EXPECT_EQ(session.receive(std::string(room + 100, '\n')), room);  // takes its room, no more
  EXPECT_EQ(session.answered(), room);
  EXPECT_EQ(session.room(), 0u);  // until the answers are sent
  session.sent(session.output().size());
  EXPECT_EQ(session.room(), room);
}

TEST(EchoSession, CountsAnsweredLines) {
  EchoSession session(kMaxLine);
  session.receive("a\nb\r\nc");
  EXPECT_EQ(session.answered(), 2u);
  session.end_of_input();
  EXPECT_EQ(session.answered(), 3u);
  EXPECT_EQ(session.output(), "A\nB\nC");
  EXPECT_TRUE(session.closing());
  EXPECT_EQ(session.receive("more\n"), 0u);
}

}  // namespace
}  // namespace endhost::echo
