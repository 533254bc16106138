#include "text/command_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace endhost::text {
namespace {

using Kind = ReadEvent::Kind;

ReaderConfig strict(std::size_t max_line = 64) {
  ReaderConfig config;
  config.limits.max_line = max_line;
  config.limits.max_buffer = 4 * max_line;
  return config;
}

std::string error_name(ReadError e) {
  return std::string(describe(e));
}

// Plays a small session over the reader and writes down what it saw, with consecutive chunks merged so that
// the record does not depend on how the input was split: `DATA` starts a body, literals up to 8 bytes are
// accepted and longer ones refused.
class Recorder {
 public:
  explicit Recorder(ReaderConfig config) : reader_(config) {}

  void feed(std::string_view bytes) {
    while (!bytes.empty()) {
      const std::size_t n = reader_.feed(bytes);
      ASSERT_GT(n, 0u) << "the reader took nothing after being drained";
      bytes.remove_prefix(n);
      drain();
    }
    drain();
  }

  std::vector<std::string> events;
  CommandReader reader_;

 private:
  void add_chunk(std::string_view prefix, std::string_view bytes) {
    if (!events.empty() && events.back().rfind(prefix, 0) == 0) {
      events.back() += bytes;
    } else {
      events.push_back(std::string(prefix) + std::string(bytes));
    }
  }

  void drain() {
    for (;;) {
      const ReadEvent e = reader_.next();
      switch (e.kind) {
        case Kind::NeedMore:
          return;
        case Kind::AwaitingDecision:
          ADD_FAILURE() << "undecided literal";
          return;
        case Kind::Line:
          events.push_back("line:" + std::string(e.text));
          if (e.text == "DATA") reader_.begin_data(40);
          break;
        case Kind::LiteralAnnounced:
          events.push_back("literal:" + std::string(e.text) + "{" + std::to_string(e.literal_size) +
                           (e.non_synchronizing ? "+" : "") + "}");
          if (e.literal_size <= 8) {
            reader_.accept_literal();
          } else {
            events.push_back(reader_.refuse_literal() ? "refused, rest follows" : "refused");
          }
          break;
        case Kind::LiteralChunk:
          add_chunk("bytes:", e.text);
          break;
        case Kind::LiteralEnd:
          events.push_back("end of literal");
          break;
        case Kind::DataChunk:
          add_chunk("data:", e.text);
          break;
        case Kind::DataEnd:
          events.push_back(e.has_error ? "end of data, refused: " + error_name(e.error) : "end of data");
          break;
        case Kind::Error:
          events.push_back("error:" + error_name(e.error) +
                           (e.text.empty() ? "" : " `" + std::string(e.text) + "`"));
          break;
      }
    }
  }
};

std::vector<std::string> record(ReaderConfig config, std::string_view input) {
  Recorder r(config);
  r.feed(input);
  return r.events;
}

TEST(CommandReader, ReturnsPipelinedCommandsOneAtATime) {
  CommandReader r(strict());
  r.feed("EHLO a\r\nMAIL FROM:<x>\r\nRCPT TO:<y>\r\nDA");
  ReadEvent e = r.next();
  ASSERT_EQ(e.kind, Kind::Line);
  EXPECT_EQ(e.text, "EHLO a");
  EXPECT_TRUE(r.has_buffered_input());  // RFC 2920: the session can see that more is already here
  EXPECT_EQ(r.next().text, "MAIL FROM:<x>");
  EXPECT_EQ(r.next().text, "RCPT TO:<y>");
  EXPECT_EQ(r.next().kind, Kind::NeedMore);
  EXPECT_EQ(r.buffered(), 2u);
  r.feed("TA\r\n");
  EXPECT_EQ(r.next().text, "DATA");
  EXPECT_FALSE(r.has_buffered_input());
}

TEST(CommandReader, EmptyLinesAreLines) {
  EXPECT_EQ(record(strict(), "\r\n\r\n"), (std::vector<std::string>{"line:", "line:"}));
}

TEST(CommandReader, BareLfIsRefusedWhole) {
  EXPECT_EQ(record(strict(), "NOOP\nQUIT\r\n"),
            (std::vector<std::string>{"error:" + error_name(ReadError::BareLf) + " `NOOP`", "line:QUIT"}));
  EXPECT_EQ(record(strict(), "\n"), (std::vector<std::string>{"error:" + error_name(ReadError::BareLf)}));
}

TEST(CommandReader, BareCrIsRefusedAtTheLineEnd) {
  EXPECT_EQ(record(strict(), "NO\rOP\r\nQUIT\r\n"),
            (std::vector<std::string>{"error:" + error_name(ReadError::BareCr) + " `NO\rOP`", "line:QUIT"}));
  // CR CR LF: the first CR is bare, the second ends the line.
  EXPECT_EQ(record(strict(), "A\r\r\n")[0], "error:" + error_name(ReadError::BareCr) + " `A\r`");
}

TEST(CommandReader, CrAtTheEndOfAReadWaitsForItsLf) {
  CommandReader r(strict());
  r.feed("NOOP\r");
  EXPECT_EQ(r.next().kind, Kind::NeedMore);
  r.feed("\n");
  EXPECT_EQ(r.next().text, "NOOP");
}

TEST(CommandReader, LenientPolicyTakesLfAndCrlfAndKeepsOtherCrs) {
  ReaderConfig config = strict();
  config.line_ending = LineEnding::LfOrCrlf;
  EXPECT_EQ(record(config, "a\r\nb\nc\rd\n"), (std::vector<std::string>{"line:a", "line:b", "line:c\rd"}));
}

TEST(CommandReader, LineAtTheLimitPassesOneByteMoreDoesNot) {
  const std::string ok(64, 'x');
  EXPECT_EQ(record(strict(64), ok + "\r\n"), (std::vector<std::string>{"line:" + ok}));
  EXPECT_EQ(record(strict(64), ok + "y\r\nNOOP\r\n"),
            (std::vector<std::string>{"error:" + error_name(ReadError::LineTooLong), "line:NOOP"}));
  ReaderConfig lenient = strict(64);
  lenient.line_ending = LineEnding::LfOrCrlf;
  EXPECT_EQ(
      record(lenient, ok + "\n" + ok + "y\nz\n"),
      (std::vector<std::string>{"line:" + ok, "error:" + error_name(ReadError::LineTooLong), "line:z"}));
}

TEST(CommandReader, OverLongLineIsReportedOnceAndNeverHeld) {
  CommandReader r(strict(64));
  std::vector<ReadEvent::Kind> kinds;
  // 100 KiB of one line, in 1000-byte reads: one error, then nothing held while the rest is skipped.
  const std::string read(1000, 'x');
  for (int i = 0; i < 100; ++i) {
    std::string_view in = read;
    while (!in.empty()) {
      const std::size_t n = r.feed(in);
      ASSERT_GT(n, 0u);
      in.remove_prefix(n);
      for (ReadEvent e = r.next(); e.kind != Kind::NeedMore; e = r.next()) kinds.push_back(e.kind);
      EXPECT_EQ(r.buffered(), 0u);
    }
  }
  EXPECT_EQ(kinds, (std::vector<Kind>{Kind::Error}));
  r.feed("\r");  // its CR at the end of one read, its LF at the start of the next
  EXPECT_EQ(r.next().kind, Kind::NeedMore);
  r.feed("\nNOOP\r\n");
  EXPECT_EQ(r.next().text, "NOOP");
}

TEST(CommandReader, SkippingStopsOnlyAtCrlf) {
  // A bare LF inside a skipped line does not end it under the CRLF policy.
  EXPECT_EQ(record(strict(8), "0123456789\n.\nstill\r\nNOOP\r\n"),
            (std::vector<std::string>{"error:" + error_name(ReadError::LineTooLong), "line:NOOP"}));
}

TEST(CommandReader, TheBufferHasAHardMaximum) {
  ReaderConfig config = strict(64);
  config.limits.max_buffer = 100;
  CommandReader r(config);
  const std::string many(1000, 'a');
  EXPECT_EQ(r.feed(many), 100u);  // takes no more than its room
  EXPECT_EQ(r.room(), 0u);
  EXPECT_EQ(r.next().kind, Kind::Error);  // over the line limit: dropped as it is skipped
  EXPECT_EQ(r.next().kind, Kind::NeedMore);
  EXPECT_EQ(r.room(), 100u);
  // A full buffer ending in CR: that CR's LF cannot make the line short enough, so it is not waited for.
  ReaderConfig exact = strict(4);
  exact.limits.max_buffer = 6;
  CommandReader full(exact);
  EXPECT_EQ(full.feed("abcde\r"), 6u);
  EXPECT_EQ(full.next().kind, Kind::Error);
  EXPECT_EQ(full.feed("\nNOOP"), 5u);
  EXPECT_EQ(full.next().kind, Kind::NeedMore);
  EXPECT_EQ(full.feed("\r\n"), 2u);
  EXPECT_EQ(full.next().text, "NOOP");
  ReaderConfig tiny = strict(64);
  tiny.limits.max_buffer = 1;
  EXPECT_EQ(CommandReader(tiny).room(), 66u);  // never below one line and its CRLF
}

TEST(CommandReader, DiscardBufferedDropsPipelinedBytes) {
  // RFC 3207 §4.2 / CVE-2011-0411: bytes sent with STARTTLS must not be read as commands after the handshake.
  CommandReader r(strict());
  r.feed("STARTTLS\r\nRSET\r\nMAIL FROM:<evil>\r\n");
  EXPECT_EQ(r.next().text, "STARTTLS");
  EXPECT_TRUE(r.has_buffered_input());
  EXPECT_EQ(r.discard_buffered(), 24u);
  EXPECT_FALSE(r.has_buffered_input());
  EXPECT_EQ(r.next().kind, Kind::NeedMore);
  r.feed("EHLO again\r\n");
  EXPECT_EQ(r.next().text, "EHLO again");
}

TEST(CommandReader, PartialLineAtEndOfStream) {
  CommandReader r(strict());
  r.feed("one\r\ntwo");
  EXPECT_EQ(r.next().text, "one");
  EXPECT_EQ(r.next().kind, Kind::NeedMore);
  EXPECT_EQ(r.take_partial_line(), "two");
  EXPECT_FALSE(r.has_buffered_input());
}

ReaderConfig imap() {
  ReaderConfig config = strict();
  config.literals = true;
  config.limits.max_literal = 100;
  return config;
}

TEST(CommandReader, SynchronizingLiteralIsDeliveredExactly) {
  CommandReader r(imap());
  r.feed("a1 LOGIN {5}\r\n");
  ReadEvent e = r.next();
  ASSERT_EQ(e.kind, Kind::LiteralAnnounced);
  EXPECT_EQ(e.text, "a1 LOGIN ");
  EXPECT_EQ(e.literal_size, 5u);
  EXPECT_FALSE(e.non_synchronizing);
  EXPECT_EQ(r.next().kind, Kind::AwaitingDecision);  // nothing moves until the session decides
  ASSERT_TRUE(r.accept_literal());
  EXPECT_EQ(r.next().kind, Kind::NeedMore);
  r.feed("fr");
  EXPECT_EQ(r.next().text, "fr");
  r.feed("ed {3}\r\n");  // exactly 5: the rest of the line is a new line part, with its own literal
  e = r.next();
  ASSERT_EQ(e.kind, Kind::LiteralChunk);
  EXPECT_EQ(e.text, "ed ");
  EXPECT_EQ(r.next().kind, Kind::LiteralEnd);
  e = r.next();
  ASSERT_EQ(e.kind, Kind::LiteralAnnounced);
  EXPECT_EQ(e.text, "");
  EXPECT_EQ(e.literal_size, 3u);
}

TEST(CommandReader, LiteralForms) {
  EXPECT_EQ(record(imap(), "a {3+}\r\nxyz\r\n"),
            (std::vector<std::string>{"literal:a {3+}", "bytes:xyz", "end of literal", "line:"}));
  EXPECT_EQ(record(imap(), "a {0}\r\nb\r\n"),
            (std::vector<std::string>{"literal:a {0}", "end of literal", "line:b"}));
  // Not literals: braces elsewhere, no digits, a sign.
  EXPECT_EQ(record(imap(), "a {3} b\r\na {}\r\na {-1}\r\na 3}\r\n"),
            (std::vector<std::string>{"line:a {3} b", "line:a {}", "line:a {-1}", "line:a 3}"}));
  // Off by default: SMTP has no literals.
  EXPECT_EQ(record(strict(), "a {3}\r\n"), (std::vector<std::string>{"line:a {3}"}));
}

TEST(CommandReader, RefusedLiterals) {
  // A synchronizing literal refused: the client sends nothing, the next line is a new command.
  EXPECT_EQ(record(imap(), "a APPEND x {20}\r\nb NOOP\r\n"),
            (std::vector<std::string>{"literal:a APPEND x {20}", "refused", "line:b NOOP"}));
  // A non-synchronizing one is on its way: its bytes are skipped, unheld, and the rest of the command
  // follows.
  EXPECT_EQ(record(imap(), "a APPEND x {20+}\r\n01234567890123456789)\r\nb NOOP\r\n"),
            (std::vector<std::string>{"literal:a APPEND x {20+}", "refused, rest follows", "line:)",
                                      "line:b NOOP"}));
}

TEST(CommandReader, LiteralOverTheLimitIsNeverAccepted) {
  CommandReader r(imap());
  r.feed("a APPEND x {101}\r\n");
  ASSERT_EQ(r.next().kind, Kind::LiteralAnnounced);
  EXPECT_FALSE(r.accept_literal());
  EXPECT_EQ(r.next().kind, Kind::NeedMore);            // refused: back to lines
  r.feed("a APPEND x {99999999999999999999999}\r\n");  // past number64: saturates, still refused
  const ReadEvent e = r.next();
  ASSERT_EQ(e.kind, Kind::LiteralAnnounced);
  EXPECT_EQ(e.literal_size, UINT64_MAX);
  EXPECT_FALSE(r.accept_literal());
}

TEST(CommandReader, CountedBlock) {
  // BDAT (RFC 3030): the session asks for n bytes; CRLF and dots in them are just bytes.
  CommandReader r(strict());
  r.feed("BDAT 7 LAST\r\n.\r\nab\n\rNOOP\r\n");
  EXPECT_EQ(r.next().text, "BDAT 7 LAST");
  r.read_counted(7);
  ReadEvent e = r.next();
  ASSERT_EQ(e.kind, Kind::LiteralChunk);
  EXPECT_EQ(e.text, ".\r\nab\n\r");
  EXPECT_EQ(r.next().kind, Kind::LiteralEnd);
  EXPECT_EQ(r.next().text, "NOOP");
}

TEST(CommandReader, DataIsUnstuffedAndEndsAtCrlfDotCrlf) {
  EXPECT_EQ(
      record(strict(), "DATA\r\nSubject: x\r\n\r\n..dot\r\n.\r\nQUIT\r\n"),
      (std::vector<std::string>{"line:DATA", "data:Subject: x\r\n\r\n.dot\r\n", "end of data", "line:QUIT"}));
  EXPECT_EQ(record(strict(), "DATA\r\n.\r\n"), (std::vector<std::string>{"line:DATA", "end of data"}));
  // A dot inside a line is not stuffing; `..` alone is a line holding one dot.
  EXPECT_EQ(record(strict(), "DATA\r\na.b\r\n..\r\n.\r\n"),
            (std::vector<std::string>{"line:DATA", "data:a.b\r\n.\r\n", "end of data"}));
}

TEST(CommandReader, DataRefusesBareLineEndsAndSmuggledEnds) {
  const std::string bare_lf = "end of data, refused: " + error_name(ReadError::BareLf);
  const std::string bare_cr = "end of data, refused: " + error_name(ReadError::BareCr);
  const std::string lf_error = "error:" + error_name(ReadError::BareLf);
  const std::string cr_error = "error:" + error_name(ReadError::BareCr);
  // The smuggling shapes: none of them ends the body; only the real CRLF.CRLF does.
  EXPECT_EQ(record(strict(), "DATA\r\na\n.\nMAIL\r\n.\r\nQUIT\r\n"),
            (std::vector<std::string>{"line:DATA", "data:a", lf_error, bare_lf, "line:QUIT"}));
  EXPECT_EQ(record(strict(), "DATA\r\na\r\n.\nMAIL\r\n.\r\nQUIT\r\n"),
            (std::vector<std::string>{"line:DATA", "data:a\r\n", lf_error, bare_lf, "line:QUIT"}));
  EXPECT_EQ(record(strict(), "DATA\r\na\n.\r\nMAIL\r\n.\r\nQUIT\r\n"),
            (std::vector<std::string>{"line:DATA", "data:a", lf_error, bare_lf, "line:QUIT"}));
  EXPECT_EQ(record(strict(), "DATA\r\na\r.\r\r\n.\r\nQUIT\r\n"),
            (std::vector<std::string>{"line:DATA", "data:a", cr_error, bare_cr, "line:QUIT"}));
  EXPECT_EQ(record(strict(), "DATA\r\n.\rx\r\n.\r\nQUIT\r\n"),
            (std::vector<std::string>{"line:DATA", cr_error, bare_cr, "line:QUIT"}));
}

TEST(CommandReader, DataSizeLimitIsEnforcedWhileStreaming) {
  // The recorder's limit is 40 bytes: those are delivered, then the error, and the rest is skipped.
  const std::string line(28, 'x');
  EXPECT_EQ(record(strict(), "DATA\r\n" + line + "\r\n" + line + "\r\n" + line + "\r\n.\r\nQUIT\r\n"),
            (std::vector<std::string>{"line:DATA", "data:" + line + "\r\n" + std::string(10, 'x'),
                                      "error:" + error_name(ReadError::DataTooLarge),
                                      "end of data, refused: " + error_name(ReadError::DataTooLarge),
                                      "line:QUIT"}));
  // Exactly at the limit is fine.
  const std::string exact(38, 'y');
  EXPECT_EQ(record(strict(), "DATA\r\n" + exact + "\r\n.\r\n"),
            (std::vector<std::string>{"line:DATA", "data:" + exact + "\r\n", "end of data"}));
}

TEST(CommandReader, DataLongerThanTheBufferStreams) {
  ReaderConfig config = strict(64);
  CommandReader r(config);
  r.feed("DATA\r\n");
  EXPECT_EQ(r.next().text, "DATA");
  r.begin_data(1 << 20);
  std::size_t delivered = 0;
  const std::string block(200, 'm');  // lines far longer than max_line: DATA has its own limit
  for (int i = 0; i < 1000; ++i) {
    std::string_view in = block;
    while (!in.empty()) {
      in.remove_prefix(r.feed(in));
      for (ReadEvent e = r.next(); e.kind != Kind::NeedMore; e = r.next()) {
        ASSERT_EQ(e.kind, Kind::DataChunk);
        delivered += e.text.size();
      }
    }
  }
  EXPECT_EQ(delivered, 200'000u);
}

// The same input split at every position gives the same events: lines, literals, DATA and errors alike.
TEST(CommandReader, SameEventsAtEveryByteSplit) {
  const std::string input = "EHLO a\r\nNOOP\nMAIL FROM:<x>\r\nX\rY\r\nDATA\r\nline\r\n..dot\r\n\r\n.\r\n" +
                            std::string(70, 'L') + "\r\nQUIT\r\nDATA\r\nbad\nstill\r\n.\r\n";
  const std::string imap_input = "a LOGIN {3}\r\nbob {4+}\r\npass\r\nb APPEND {20}\r\nc {25+}\r\n" +
                                 std::string(25, 'z') + " rest\r\nd NOOP\r\n";
  for (const auto& [config, text] : {std::pair{strict(64), input}, std::pair{imap(), imap_input},
                                     std::pair{strict(64), std::string("a\r\r\n")}}) {
    const auto whole = record(config, text);
    for (std::size_t split = 0; split <= text.size(); ++split) {
      Recorder r(config);
      r.feed(std::string_view(text).substr(0, split));
      r.feed(std::string_view(text).substr(split));
      EXPECT_EQ(r.events, whole) << "split at " << split;
    }
    Recorder bytewise(config);
    for (const char c : text) bytewise.feed(std::string_view(&c, 1));
    EXPECT_EQ(bytewise.events, whole) << "a byte at a time";
  }
}

}  // namespace
}  // namespace endhost::text

namespace endhost::text {
namespace {

TEST(CommandReader, ReadsStraightIntoItsBuffer) {
  ReaderConfig config = strict(64);
  config.limits.max_buffer = 100;
  CommandReader r(config);
  std::span<char> space = r.read_space();
  ASSERT_GE(space.size(), 10u);
  EXPECT_LE(space.size(), r.room());
  const std::string_view in = "NOOP\r\nQU";
  std::copy(in.begin(), in.end(), space.begin());
  r.commit(in.size());
  EXPECT_EQ(r.next().text, "NOOP");
  EXPECT_EQ(r.next().kind, ReadEvent::Kind::NeedMore);
  space = r.read_space();
  std::copy_n("IT\r\n", 4, space.begin());
  r.commit(4);
  EXPECT_EQ(r.next().text, "QUIT");
  r.feed(std::string(100, 'x'));
  EXPECT_TRUE(r.read_space().empty());  // full: no room until events are taken
}

}  // namespace
}  // namespace endhost::text
