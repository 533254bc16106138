// parse_priority: RFC 9218 §4's parameters over RFC 8941 dictionaries, and what is ignored.
#include <gtest/gtest.h>

#include "http2/priority.hpp"

namespace endhost::http2 {
namespace {

PriorityParams p(std::uint8_t u, bool i) {
  return PriorityParams{u, i, true};
}

TEST(Http2Priority, DefaultsWhenAbsent) {
  const PriorityParams none;
  EXPECT_EQ(none.urgency, 3);
  EXPECT_FALSE(none.incremental);
  EXPECT_FALSE(none.signalled);
  EXPECT_EQ(parse_priority(""), p(3, false));  // an empty field is a signal: the defaults
}

TEST(Http2Priority, UrgencyAndIncremental) {
  EXPECT_EQ(parse_priority("u=0"), p(0, false));
  EXPECT_EQ(parse_priority("u=7, i"), p(7, true));
  EXPECT_EQ(parse_priority("i"), p(3, true));
  EXPECT_EQ(parse_priority("i=?1"), p(3, true));
  EXPECT_EQ(parse_priority("u=1,i=?0"), p(1, false));
  EXPECT_EQ(parse_priority("  u=5 ,\ti"), p(5, true));
}

TEST(Http2Priority, LaterMemberWins) {  // RFC 8941 §4.2.2
  EXPECT_EQ(parse_priority("u=1, u=6"), p(6, false));
}

TEST(Http2Priority, OutOfRangeAndWrongTypesAreIgnored) {  // RFC 9218 §4.1, §4.2
  EXPECT_EQ(parse_priority("u=8"), p(3, false));
  EXPECT_EQ(parse_priority("u=-1"), p(3, false));
  EXPECT_EQ(parse_priority("u=2.5, i"), p(3, true));
  EXPECT_EQ(parse_priority("u=\"1\""), p(3, false));
  EXPECT_EQ(parse_priority("i=1"), p(3, false));
  EXPECT_EQ(parse_priority("u=?1"), p(3, false));
}

TEST(Http2Priority, UnknownMembersAndParametersAreIgnored) {
  EXPECT_EQ(parse_priority("x=\"a b\", u=2;foo=bar, y=(1 2), z=:aGk=:, w=tok/en"), p(2, false));
  EXPECT_EQ(parse_priority("i;q=1"), p(3, true));
}

TEST(Http2Priority, InvalidDictionaryKeepsTheBase) {  // RFC 8941 §4.2: the whole field fails
  const PriorityParams base = p(1, true);
  EXPECT_EQ(parse_priority("U=1", base), base);
  EXPECT_EQ(parse_priority("u=1,", base), base);
  EXPECT_EQ(parse_priority("u=1 i", base), base);
  EXPECT_EQ(parse_priority("u=", base), base);
  EXPECT_EQ(parse_priority("u=1234567890123456", base), base);
  EXPECT_EQ(parse_priority("x=\"unterminated", base), base);
  EXPECT_EQ(parse_priority("x=(1 2", base), base);
  EXPECT_EQ(parse_priority("x=?2", base), base);
}

TEST(Http2Priority, MembersOverTheBase) {
  EXPECT_EQ(parse_priority("i", p(0, false)), p(0, true));
  EXPECT_EQ(parse_priority("u=6", PriorityParams{}), p(6, false));
}

}  // namespace
}  // namespace endhost::http2
