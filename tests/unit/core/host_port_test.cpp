#include "core/host_port.hpp"

#include <gtest/gtest.h>

namespace endhost::core {
namespace {

TEST(HostPort, ParsesIpv4WithPort) {
  auto hp = parse_host_port("127.0.0.1:53");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "127.0.0.1");
  EXPECT_EQ(hp->port, 53);
}

TEST(HostPort, ParsesBracketedIpv6) {
  auto hp = parse_host_port("[::1]:8080");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "::1");
  EXPECT_EQ(hp->port, 8080);
  EXPECT_EQ(hp->to_string(), "[::1]:8080");
}

TEST(HostPort, UsesDefaultPortOnlyWhenGiven) {
  auto with = parse_host_port("example.com", 12000);
  ASSERT_TRUE(with);
  EXPECT_EQ(with->port, 12000);
  EXPECT_FALSE(parse_host_port("example.com"));
  auto v6 = parse_host_port("[::1]", 53);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->port, 53);
}

TEST(HostPort, RejectsMalformedInput) {
  for (const char* bad : {"", ":80", "[::1", "[::1]x", "::1:53", "host:", "host:65536", "host:-1", "host:8a",
                          "[127.0.0.1]:80"}) {
    EXPECT_FALSE(parse_host_port(bad, 1)) << bad;
  }
}

TEST(HostPort, ErrorSaysWhatIsWrong) {
  auto r = parse_host_port("::1:53");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("[ADDRESS]:PORT"), std::string::npos);
}

TEST(Port, AcceptsTheWholeRange) {
  EXPECT_EQ(*parse_port("0"), 0);
  EXPECT_EQ(*parse_port("65535"), 65535);
  EXPECT_FALSE(parse_port("65536"));
  EXPECT_FALSE(parse_port(""));
  EXPECT_FALSE(parse_port(" 1"));
}

}  // namespace
}  // namespace endhost::core
