#include "core/line_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace endhost::core {
namespace {

std::vector<std::string> drain(LineReader& r) {
  std::vector<std::string> out;
  std::string_view line;
  while (r.next(line) == LineReader::Status::Line) out.emplace_back(line);
  return out;
}

TEST(LineReader, SplitsOnLfAndCrlf) {
  LineReader r(100);
  r.feed("one\ntwo\r\nthree");
  EXPECT_EQ(drain(r), (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(r.buffered(), 5u);
  r.feed("\n");
  EXPECT_EQ(drain(r), (std::vector<std::string>{"three"}));
}

TEST(LineReader, SameLinesAtEveryByteSplit) {
  const std::string input = "HELO crepes.fr\r\nMAIL FROM:<a@b>\r\n\r\nx\n";
  const std::vector<std::string> expected{"HELO crepes.fr", "MAIL FROM:<a@b>", "", "x"};
  for (std::size_t split = 0; split <= input.size(); ++split) {
    LineReader r(100);
    r.feed(std::string_view(input).substr(0, split));
    auto got = drain(r);
    r.feed(std::string_view(input).substr(split));
    auto rest = drain(r);
    got.insert(got.end(), rest.begin(), rest.end());
    EXPECT_EQ(got, expected) << "split at " << split;
  }
}

TEST(LineReader, OneByteAtATime) {
  const std::string input = "alpha\r\nbeta\n";
  LineReader r(100);
  std::vector<std::string> got;
  for (char c : input) {
    r.feed(std::string_view(&c, 1));
    auto lines = drain(r);
    got.insert(got.end(), lines.begin(), lines.end());
  }
  EXPECT_EQ(got, (std::vector<std::string>{"alpha", "beta"}));
}

TEST(LineReader, LineAtTheLimitIsAccepted) {
  LineReader r(5);
  r.feed("12345\r\n");
  std::string_view line;
  ASSERT_EQ(r.next(line), LineReader::Status::Line);
  EXPECT_EQ(line, "12345");
}

TEST(LineReader, CompleteLineOverTheLimitIsRejected) {
  LineReader r(5);
  r.feed("123456\nok\n");
  std::string_view line;
  EXPECT_EQ(r.next(line), LineReader::Status::TooLong);
  ASSERT_EQ(r.next(line), LineReader::Status::Line);
  EXPECT_EQ(line, "ok");
}

TEST(LineReader, EndlessLineIsRejectedWithoutBuffering) {
  LineReader r(64);
  std::string chunk(50, 'a');
  r.feed(chunk);
  std::string_view line;
  EXPECT_EQ(r.next(line), LineReader::Status::NeedMore);
  r.feed(chunk);
  EXPECT_EQ(r.next(line), LineReader::Status::TooLong);
  EXPECT_EQ(r.buffered(), 0u);  // memory is bounded by the limit, not by the peer
}

TEST(LineReader, TakeRestReturnsTheUnterminatedTail) {
  LineReader r(100);
  r.feed("done\npartial");
  drain(r);
  EXPECT_EQ(r.take_rest(), "partial");
  EXPECT_EQ(r.buffered(), 0u);
}

}  // namespace
}  // namespace endhost::core
