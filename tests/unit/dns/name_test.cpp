#include <gtest/gtest.h>

#include <algorithm>

#include "dns/name.hpp"
#include "dns_test_util.hpp"

namespace endhost::dns {
namespace {
using test::N;

TEST(Name, RootAndSimpleNames) {
  EXPECT_TRUE(N(".").is_root());
  EXPECT_EQ(N(".").size(), 1u);
  Name n = N("www.Example.com.");
  EXPECT_EQ(n.size(), 17u);
  EXPECT_EQ(n.label_count(), 3u);
  EXPECT_EQ(n.to_string(), "www.Example.com.");
  auto wire = n.wire();
  EXPECT_EQ(std::vector<std::uint8_t>(wire.begin(), wire.end()),
            test::bytes({3, 'w', 'w', 'w', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0}));
}

TEST(Name, RelativeNamesTakeTheOrigin) {
  auto n = Name::from_string("www", N("example.com."));
  ASSERT_TRUE(n);
  EXPECT_EQ(n->to_string(), "www.example.com.");
  // Without an origin a relative name is taken relative to the root.
  EXPECT_EQ(N("example.com").to_string(), "example.com.");
}

TEST(Name, EscapesRoundTrip) {
  auto n = Name::from_string("a\\.b.c\\032d.\\\\.e\\255.");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->label_count(), 4u);
  EXPECT_EQ(n->wire()[0], 3);  // "a.b"
  EXPECT_EQ(n->to_string(), "a\\.b.c\\032d.\\\\.e\\255.");
  EXPECT_EQ(*Name::from_string(n->to_string()), *n);
}

TEST(Name, CaseInsensitiveEqualityAndHash) {
  EXPECT_EQ(N("WWW.example.COM."), N("www.EXAMPLE.com."));
  EXPECT_EQ(N("WWW.example.COM.").hash(), N("www.EXAMPLE.com.").hash());
  EXPECT_FALSE(N("www.example.com.") == N("www.example.net."));
}

TEST(Name, LimitsAreEnforced) {
  std::string label63(63, 'a'), label64(64, 'a');
  EXPECT_TRUE(Name::from_string(label63 + ".com."));
  auto e = Name::from_string(label64 + ".com.");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, Errc::label_too_long);
  // 4 labels of 63 = 256 octets with length bytes and root: one too many.
  std::string four = label63 + "." + label63 + "." + label63 + "." + label63 + ".";
  auto f = Name::from_string(four);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::name_too_long);
  std::string fits = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b') + ".";
  auto g = Name::from_string(fits);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->size(), 255u);
  EXPECT_FALSE(Name::from_string("a..b."));
  EXPECT_FALSE(Name::from_string(".a."));
  EXPECT_FALSE(Name::from_string(""));
  EXPECT_FALSE(Name::from_string("a\\25"));
  EXPECT_FALSE(Name::from_string("a\\256."));
  // A relative name that overflows once the origin is appended.
  EXPECT_FALSE(
      Name::from_string(std::string(63, 'x') + "." + std::string(63, 'x') + "." + std::string(63, 'x'),
                        N(std::string(63, 'y') + ".")));
}

TEST(Name, SubdomainAndParent) {
  Name n = N("a.b.example.com.");
  EXPECT_TRUE(n.is_subdomain_of(N("example.com.")));
  EXPECT_TRUE(n.is_subdomain_of(N("EXAMPLE.com.")));
  EXPECT_TRUE(n.is_subdomain_of(N(".")));
  EXPECT_TRUE(n.is_subdomain_of(n));
  EXPECT_FALSE(n.is_subdomain_of(N("ample.com.")));  // not label-aligned
  EXPECT_FALSE(N("example.com.").is_subdomain_of(n));
  EXPECT_EQ(Name(n.view().parent()), N("b.example.com."));
  EXPECT_EQ(Name(n.view().suffix(2)), N("example.com."));
  EXPECT_TRUE(N("*.example.com.").is_wildcard());
  EXPECT_FALSE(N("a*.example.com.").is_wildcard());
}

TEST(Name, CanonicalOrderFollowsRfc4034Section6_1) {
  // The example list of RFC 4034 §6.1, in order.
  std::vector<std::string> ordered = {"example.",         "a.example.",      "yljkjljk.a.example.",
                                      "Z.a.example.",     "zABC.a.EXAMPLE.", "z.example.",
                                      "\\001.z.example.", "*.z.example.",    "\\200.z.example."};
  std::vector<Name> names;
  for (auto it = ordered.rbegin(); it != ordered.rend(); ++it) names.push_back(N(*it));
  std::sort(names.begin(), names.end(),
            [](const Name& a, const Name& b) { return canonical_compare(a, b) < 0; });
  for (std::size_t i = 0; i < ordered.size(); ++i) EXPECT_EQ(names[i], N(ordered[i])) << i;
}

TEST(Name, PrependAndAppend) {
  Name n = N("example.com.");
  const std::uint8_t star[] = {'*'};
  ASSERT_TRUE(n.prepend_label(star));
  EXPECT_EQ(n.to_string(), "*.example.com.");
  Name rel = *Name::from_string("www", N("."));
  ASSERT_TRUE(rel.append(N("example.org.")));
  EXPECT_EQ(rel.to_string(), "www.example.org.");
}

TEST(Name, FromWireValidates) {
  auto ok = Name::from_wire(test::bytes({1, 'a', 0}));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->to_string(), "a.");
  EXPECT_FALSE(Name::from_wire(test::bytes({1, 'a'})));
  EXPECT_FALSE(Name::from_wire(test::bytes({0xC0, 12})));
  EXPECT_FALSE(Name::from_wire(test::bytes({1, 'a', 0, 0})));
}

}  // namespace
}  // namespace endhost::dns
