// The line engine end to end: the transcripts in transcripts/ replayed against the sample SMTP session, and
// the harness itself reporting the first difference with its line number.
#include <gtest/gtest.h>

#include "replay.hpp"
#include "sample_smtp_session.hpp"

namespace endhost::text {
namespace {

std::unique_ptr<test::ReplaySession> make_session() {
  return std::make_unique<sample::SampleSmtpSession>();
}

TEST(SampleSmtpTranscripts, AllMatch) {
  const auto files = test::transcript_files(ENDHOST_TRANSCRIPT_DIR);
  ASSERT_GE(files.size(), 5u) << "no transcripts in " << ENDHOST_TRANSCRIPT_DIR;
  for (const auto& file : files) EXPECT_EQ(test::replay_file(file, make_session), "") << file;
}

std::string replay_text(std::string_view text, test::Feeding feeding = test::Feeding::WholeBlocks) {
  auto script = test::parse_transcript(text, "t.txt");
  if (!script) return script.error();
  sample::SampleSmtpSession session;
  return test::replay(*script, session, feeding);
}

TEST(TranscriptReplay, ReportsTheFirstDifferenceWithItsLine) {
  EXPECT_EQ(replay_text("S: 220 sample ESMTP\nC: NOOP\nS: 250 2.0.0 Ok\n"), "");
  EXPECT_EQ(replay_text("S: 220 sample ESMTP\nC: NOOP\n# a comment\n\nS: 250 2.0.0 Fine\n"),
            "t.txt:5: expected `250 2.0.0 Fine\\r\\n`, the session sent `250 2.0.0 Ok\\r\\n`");
  // A multi-line expectation that the session answers short.
  EXPECT_EQ(replay_text("S: 220 sample ESMTP\nC: NOOP\nS: 250 2.0.0 Ok\nS: 250 more\n"),
            "t.txt:4: expected `250 more\\r\\n`, the session sent nothing");
  EXPECT_EQ(replay_text("S: 220 sample ESMTP\nC: NOOP\nC: NOOP\nS: 250 2.0.0 Ok\n! eof\n"),
            "t.txt:5: the session sent more than expected before this line: `250 2.0.0 Ok\\r\\n`");
  EXPECT_EQ(replay_text("S: 220 sample ESMTP\nC: NOOP\nS: 250 2.0.0 Ok\n! closed\n"),
            "t.txt:4: the session should have ended here but is still open");
  EXPECT_EQ(replay_text("S: 220 sample ESMTP\nC: QUIT\nS: 221 2.0.0 Bye\nC: NOOP\n"),
            "t.txt:4: the session had already ended before `C: NOOP`");
  EXPECT_EQ(replay_text("S: 220 sample ESMTP\nC: NOOP\n", test::Feeding::ByteByByte),
            "t.txt:2: the session sent more than expected before this line: `250 2.0.0 Ok\\r\\n`");
}

TEST(TranscriptScript, Syntax) {
  auto script =
      test::parse_transcript("! eol lf\nC: a\\tb\\x41{{3*ab}}\nC< raw\\r\\n\nS:\n! advance 25\n", "s.txt");
  ASSERT_TRUE(script) << script.error();
  ASSERT_EQ(script->steps.size(), 4u);
  EXPECT_EQ(script->steps[0].bytes, "a\tbAababab\n");
  EXPECT_EQ(script->steps[1].bytes, "raw\r\n");
  EXPECT_EQ(script->steps[2].bytes, "\n");
  EXPECT_EQ(script->steps[3].delay.count(), 25);
  EXPECT_EQ(test::parse_transcript("X: what\n", "s.txt").error(),
            "s.txt:1: expected `C:`, `C<`, `S:`, `S<`, `N:`, `!` or `#`");
  EXPECT_EQ(test::parse_transcript("\n! frobnicate\n", "s.txt").error(),
            "s.txt:2: unknown directive `frobnicate`");
  EXPECT_EQ(test::parse_transcript("C: \\q\n", "s.txt").error(), "s.txt:1: unknown escape \\q");
  EXPECT_EQ(test::visible("a\r\n\x01\\"), "a\\r\\n\\x01\\\\");
}

}  // namespace
}  // namespace endhost::text
