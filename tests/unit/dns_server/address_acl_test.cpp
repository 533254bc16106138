// --allow-transfer blocks: parsing, host bits, IPv4/IPv6 matching and IPv4-mapped addresses.
#include <gtest/gtest.h>

#include "dns/server/address_acl.hpp"

namespace endhost::dns::server {
namespace {

asio::ip::address ip(const char* text) {
  return asio::ip::make_address(text);
}

TEST(AddressAcl, EmptyAllowsNobody) {
  AddressAcl acl;
  EXPECT_FALSE(acl.allows(ip("127.0.0.1")));
  EXPECT_FALSE(acl.allows(ip("::1")));
}

TEST(AddressAcl, BareAddressIsAHostRoute) {
  AddressAcl acl;
  ASSERT_TRUE(acl.add("127.0.0.2"));
  EXPECT_TRUE(acl.allows(ip("127.0.0.2")));
  EXPECT_FALSE(acl.allows(ip("127.0.0.3")));
}

TEST(AddressAcl, Ipv4Prefixes) {
  AddressAcl acl;
  ASSERT_TRUE(acl.add("10.1.0.0/16"));
  ASSERT_TRUE(acl.add("192.0.2.128/25"));
  EXPECT_TRUE(acl.allows(ip("10.1.255.7")));
  EXPECT_FALSE(acl.allows(ip("10.2.0.1")));
  EXPECT_TRUE(acl.allows(ip("192.0.2.200")));
  EXPECT_FALSE(acl.allows(ip("192.0.2.127")));
}

TEST(AddressAcl, ZeroPrefixMatchesItsFamilyOnly) {
  AddressAcl acl;
  ASSERT_TRUE(acl.add("0.0.0.0/0"));
  EXPECT_TRUE(acl.allows(ip("203.0.113.9")));
  EXPECT_FALSE(acl.allows(ip("2001:db8::1")));
}

TEST(AddressAcl, Ipv6PrefixesAndMappedIpv4) {
  AddressAcl acl;
  ASSERT_TRUE(acl.add("2001:db8::/32"));
  ASSERT_TRUE(acl.add("127.0.0.0/8"));
  EXPECT_TRUE(acl.allows(ip("2001:db8:ffff::1")));
  EXPECT_FALSE(acl.allows(ip("2001:db9::1")));
  // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; they match the IPv4 block.
  EXPECT_TRUE(acl.allows(ip("::ffff:127.0.0.1")));
  EXPECT_FALSE(acl.allows(ip("::1")));
}

TEST(AddressAcl, RejectsBadBlocksWithAReason) {
  AddressAcl acl;
  for (const char* bad : {"", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "example.com", "10.1.2.3/8",
                          "2001:db8::1/32", "::/129", "10.0.0.0/-1"}) {
    auto r = acl.add(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().find(bad), std::string::npos) << r.error();
  }
  EXPECT_TRUE(acl.empty());
}

}  // namespace
}  // namespace endhost::dns::server
