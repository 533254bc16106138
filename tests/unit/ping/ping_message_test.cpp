#include "ping/ping_message.hpp"

#include <gtest/gtest.h>

namespace endhost::ping {
namespace {

TEST(PingMessage, FormatsTheLabsRequest) {
  EXPECT_EQ(format_message({Kind::Ping, 3, 1'732'160'000'000'042}), "Ping 3 1732160000.000042");
  EXPECT_EQ(format_message({Kind::Heartbeat, 1, 5'000'000}), "Heartbeat 1 5.000000");
}

TEST(PingMessage, RoundTrips) {
  Message m{Kind::Ping, 123456, 1'732'160'000'987'654};
  auto parsed = parse_message(format_message(m));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, m);
}

TEST(PingMessage, ReadsTheUpperCasedReply) {
  auto parsed = parse_message("PING 7 1732160000.5\n");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->kind, Kind::Ping);
  EXPECT_EQ(parsed->seq, 7u);
  EXPECT_EQ(parsed->sent_unix_micros, 1'732'160'000'500'000);
  EXPECT_EQ(parse_message("HEARTBEAT 2 10")->kind, Kind::Heartbeat);
}

TEST(PingMessage, RejectsWhatIsNotAPing) {
  for (const char* bad : {"", "Ping", "Ping 1", "Ping 1 2 3", "Pong 1 2", "Ping -1 2", "Ping x 2", "Ping 1 x",
                          "Ping 1 2.", "Ping 1 2.x", "Ping 1 -2", "Ping 1 2.1234567890", "Ping  1 2"}) {
    EXPECT_FALSE(parse_message(bad)) << bad;
  }
  EXPECT_FALSE(parse_message(std::string(600, 'a')));
}

}  // namespace
}  // namespace endhost::ping
