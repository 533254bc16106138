// `fetch --resolve HOST:PORT:ADDR[,ADDR]` as curl reads it, and the exact host:port match the pool uses.
#include <gtest/gtest.h>

#include "http/client/pinned_address.hpp"

using namespace endhost::http;

TEST(PinnedAddress, ParsesHostPortAndAddresses) {
  auto p = parse_pinned_address("WWW.Lab.:80:127.20.0.10,[::1]");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->host, "www.lab");
  EXPECT_EQ(p->port, 80);
  ASSERT_EQ(p->addresses.size(), 2u);
  EXPECT_EQ(p->addresses[0].to_string(), "127.20.0.10");
  EXPECT_EQ(p->addresses[1].to_string(), "::1");
}

TEST(PinnedAddress, ErrorsNameTheOptionAndThePart) {
  EXPECT_NE(parse_pinned_address("www.lab").error().find("--resolve 'www.lab': expected HOST:PORT:ADDR"),
            std::string::npos);
  EXPECT_NE(parse_pinned_address("a:http:127.0.0.1").error().find("'http' is not a port"), std::string::npos);
  EXPECT_NE(parse_pinned_address("a:0:127.0.0.1").error().find("not a port"), std::string::npos);
  EXPECT_NE(parse_pinned_address("a:80:not-an-ip").error().find("'not-an-ip' is not an IP address"),
            std::string::npos);
  EXPECT_FALSE(parse_pinned_address("a:80:"));
}

TEST(PinnedAddress, MatchesOnlyTheSameHostAndPort) {
  std::vector<PinnedAddress> pins{*parse_pinned_address("www.lab:80:127.0.0.1")};
  EXPECT_NE(find_pinned(pins, "www.LAB.", 80), nullptr);
  EXPECT_EQ(find_pinned(pins, "www.lab", 8080), nullptr);
  EXPECT_EQ(find_pinned(pins, "web.lab", 80), nullptr);
}
