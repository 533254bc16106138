#include "tls/subject_names.hpp"

#include <gtest/gtest.h>

namespace endhost::tls {
namespace {

TEST(SubjectNames, AcceptsHostNamesWildcardsAndAddresses) {
  auto dns = parse_subject_name("WWW.Example.Test.");
  ASSERT_TRUE(dns);
  EXPECT_EQ(dns->kind, SubjectName::Kind::dns);
  EXPECT_EQ(dns->text, "www.example.test");
  auto wild = parse_subject_name("*.example.test");
  ASSERT_TRUE(wild);
  EXPECT_EQ(file_stem(*wild), "_wildcard.example.test");
  auto v4 = parse_subject_name("127.0.0.1");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->kind, SubjectName::Kind::ip);
  auto v6 = parse_subject_name("0:0::1");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->text, "::1");
  EXPECT_EQ(file_stem(*v6), "__1");
  EXPECT_EQ(subject_alt_name({*dns, *v4, *v6}), "DNS:www.example.test,IP:127.0.0.1,IP:::1");
}

TEST(SubjectNames, RejectsWhatNoClientWouldMatch) {
  for (const char* bad : {"", "a..b", ".a", "www.*.test", "*", "-a.test", "a-.test", "a_b.test", "a b",
                          "a,DNS:evil", "http://x"}) {
    auto r = parse_subject_name(bad);
    EXPECT_FALSE(r) << bad;
  }
  EXPECT_FALSE(parse_subject_name(std::string(64, 'a') + ".test"));
  EXPECT_TRUE(parse_subject_name(std::string(63, 'a') + ".test"));
}

}  // namespace
}  // namespace endhost::tls
