#include "core/transcript.hpp"

#include <gtest/gtest.h>

namespace endhost::core {
namespace {

class CollectingSink : public TranscriptSink {
 public:
  void record(const TranscriptEntry& e) override {
    lines.push_back(std::string(e.who == Speaker::Client   ? "C: "
                                : e.who == Speaker::Server ? "S: "
                                                           : "-- ") +
                    std::string(e.text));
  }
  std::vector<std::string> lines;
};

TEST(Transcript, WritesOneEntryPerLineWithTheSpeaker) {
  CollectingSink sink;
  Transcript t(&sink, "smtp");
  t.client("127.0.0.1:5000", "HELO crepes.fr");
  t.server("127.0.0.1:5000", "250 Hello crepes.fr, pleased to meet you\r\n");
  t.client("127.0.0.1:5000", "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(sink.lines,
            (std::vector<std::string>{"C: HELO crepes.fr", "S: 250 Hello crepes.fr, pleased to meet you",
                                      "C: GET / HTTP/1.1", "C: Host: a"}));
}

TEST(Transcript, DisabledHandleDoesNothing) {
  Transcript t;
  EXPECT_FALSE(t.enabled());
  t.client("x", "nothing happens");
}

TEST(Transcript, FormattedLineLooksLikeTheTextbook) {
  TranscriptEntry e{1'732'160'000'123'456, "smtp", "127.0.0.1:5000", Speaker::Client, "HELO crepes.fr"};
  EXPECT_EQ(format_transcript_line(e), "03:33:20.123456 127.0.0.1:5000 smtp C: HELO crepes.fr\n");
}

TEST(Transcript, ControlBytesAreShownEscaped) {
  TranscriptEntry e{0, "echo", "p", Speaker::Server, std::string_view("a\x1b[2Jb", 6)};
  EXPECT_NE(format_transcript_line(e).find("a\\x1b[2Jb"), std::string::npos);
}

TEST(Transcript, RingKeepsTheNewestAndAnswersSince) {
  RingTranscriptSink ring(3);
  Transcript t(&ring, "dns");
  for (int i = 1; i <= 5; ++i) t.client("p", "query " + std::to_string(i));
  auto all = ring.since(0);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all.front().text, "query 3");
  EXPECT_EQ(all.front().seq, 3u);
  EXPECT_EQ(ring.last_seq(), 5u);
  auto newer = ring.since(4);
  ASSERT_EQ(newer.size(), 1u);
  EXPECT_EQ(newer[0].text, "query 5");
  EXPECT_TRUE(ring.since(0, 10, "web").empty());
}

}  // namespace
}  // namespace endhost::core
