// Address blocks for --allow, --allow-transfer and --purge-from: parsing, host bits, IPv4/IPv6 matching and
// IPv4-mapped addresses.
#include "core/address_acl.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

namespace endhost::core {
namespace {

// The octets of a textual address: 4 for IPv4, 16 for IPv6 (mapped ones included, as a socket reports them).
std::vector<std::uint8_t> ip(const char* text) {
  std::array<std::uint8_t, 16> b{};
  if (::inet_pton(AF_INET, text, b.data()) == 1) return {b.begin(), b.begin() + 4};
  EXPECT_EQ(::inet_pton(AF_INET6, text, b.data()), 1) << text;
  return {b.begin(), b.end()};
}

TEST(AddressAcl, EmptyAllowsNobody) {
  AddressAcl acl;
  EXPECT_FALSE(acl.allows(ip("127.0.0.1")));
  EXPECT_FALSE(acl.allows(ip("::1")));
}

TEST(AddressAcl, LoopbackIsTheDefaultOfListeners) {
  const AddressAcl acl = AddressAcl::loopback();
  EXPECT_TRUE(acl.allows(ip("127.0.0.1")));
  EXPECT_TRUE(acl.allows(ip("127.8.9.10")));
  EXPECT_TRUE(acl.allows(ip("::1")));
  EXPECT_TRUE(acl.allows(ip("::ffff:127.0.0.1")));
  EXPECT_FALSE(acl.allows(ip("10.0.0.1")));
  EXPECT_FALSE(acl.allows(ip("::2")));
}

TEST(AddressAcl, BareAddressIsAHostRoute) {
  AddressAcl acl;
  ASSERT_TRUE(acl.add("127.0.0.2"));
  EXPECT_TRUE(acl.allows(ip("127.0.0.2")));
  EXPECT_FALSE(acl.allows(ip("127.0.0.3")));
  EXPECT_EQ(acl.blocks()[0].to_string(), "127.0.0.2/32");
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
  EXPECT_FALSE(acl.allows(ip("::ffff:128.0.0.1")));
  EXPECT_FALSE(acl.allows(ip("::1")));
}

TEST(AddressAcl, AMappedBlockIsTheIpv4BlockItCarries) {
  auto b = AddressBlock::parse("::ffff:10.0.0.0/104");
  ASSERT_TRUE(b) << b.error();
  EXPECT_FALSE(b->v6);
  EXPECT_EQ(b->to_string(), "10.0.0.0/8");
  EXPECT_TRUE(b->contains(ip("10.9.9.9")));
}

TEST(AddressAcl, ParsesAListOrSaysWhichEntryIsWrong) {
  auto acl = AddressAcl::parse({"10.0.0.0/8", "::1"});
  ASSERT_TRUE(acl) << acl.error();
  EXPECT_EQ(acl->size(), 2u);
  auto bad = AddressAcl::parse({"10.0.0.0/8", "10.0.0.1/8"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().find("'10.0.0.1/8' is not an address block"), 0u) << bad.error();
  EXPECT_NE(bad.error().find("did you mean 10.0.0.0/8?"), std::string::npos) << bad.error();
}

TEST(AddressAcl, RejectsBadBlocksWithAReason) {
  AddressAcl acl;
  for (const char* bad : {"", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "example.com", "10.1.2.3/8",
                          "2001:db8::1/32", "::/129", "10.0.0.0/-1", "10.0.0.0/8/8", "1.2.3"}) {
    auto r = acl.add(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().find(std::string("'") + bad + "'"), std::string::npos) << r.error();
    EXPECT_NE(r.error().find("(write 127.0.0.1"), std::string::npos) << r.error();
  }
  EXPECT_TRUE(acl.empty());
}

TEST(AddressAcl, AddressesOfOtherSizesMatchNothing) {
  const AddressAcl acl = AddressAcl::parse({"0.0.0.0/0", "::/0"}).value();
  EXPECT_FALSE(acl.allows(std::vector<std::uint8_t>{1, 2, 3}));
  EXPECT_TRUE(acl.allows(ip("1.2.3.4")));
  EXPECT_TRUE(acl.allows(ip("::5")));
}

}  // namespace
}  // namespace endhost::core
