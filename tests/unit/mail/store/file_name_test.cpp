// Maildir file names: the base and the ":2," info split apart; flags to letters in ASCII order and back,
// unknown letters kept; S= and W= read from the base; delivery order numeric; the CRLF size counted across
// chunk boundaries.
#include "mail/store/file_name.hpp"

#include <gtest/gtest.h>

namespace endhost::mail::store {
namespace {

TEST(StoreFileName, SplitsBaseAndInfo) {
  const auto f = split_file_name("1700000000.M5P9Q1.host,S=10:2,FS");
  EXPECT_EQ(f.base, "1700000000.M5P9Q1.host,S=10");
  EXPECT_EQ(f.info, "FS");
  EXPECT_TRUE(f.has_info);
  const auto n = split_file_name("1700000000.M5P9Q1.host,S=10");
  EXPECT_EQ(n.base, "1700000000.M5P9Q1.host,S=10");
  EXPECT_FALSE(n.has_info);
}

TEST(StoreFileName, FlagsToLettersInAsciiOrderAndBack) {
  const Flags all{kSeen | kAnswered | kFlagged | kDeleted | kDraft, 0b101};
  EXPECT_EQ(format_info(all), "DFRSTac");
  EXPECT_EQ(make_file_name("b", Flags{kSeen, 0}), "b:2,S");
  EXPECT_EQ(parse_info("DFRSTac", 3), all);
  EXPECT_EQ(parse_info("", 0), Flags{});
}

TEST(StoreFileName, UnknownLettersAreKeptForTheNextRename) {
  std::string other;
  // 'P' (passed) is not modelled; 'd' is a keyword letter with no name in a folder of 2 keywords.
  const Flags f = parse_info("PSbd", 2, &other);
  EXPECT_EQ(f.system, kSeen);
  EXPECT_EQ(f.keywords, 0b10u);
  EXPECT_EQ(other, "Pd");
  EXPECT_EQ(format_info(Flags{kFlagged, 0b1}, other), "FPad");
}

TEST(StoreFileName, SizeFieldsOfTheBase) {
  EXPECT_EQ(name_field("1.M2P3Q4.h,S=1234,W=1300", 'S'), 1234u);
  EXPECT_EQ(name_field("1.M2P3Q4.h,S=1234,W=1300", 'W'), 1300u);
  EXPECT_EQ(name_field("1.M2P3Q4.h,S=1234", 'W'), std::nullopt);
  EXPECT_EQ(name_field("1.M2P3Q4.h,S=12x", 'S'), std::nullopt);
  EXPECT_EQ(name_field("plain", 'S'), std::nullopt);
}

TEST(StoreFileName, DeliveryOrderIsNumeric) {
  EXPECT_TRUE(delivered_before("1700000000.M99P1Q1.h", "1700000000.M100P1Q1.h"));
  EXPECT_FALSE(delivered_before("1700000000.M100P1Q1.h", "1700000000.M99P1Q1.h"));
  EXPECT_TRUE(delivered_before("999999999.M5P1Q1.h", "1000000000.M1P1Q1.h"));
  EXPECT_TRUE(delivered_before("1.M1P1Q1.a", "1.M1P1Q1.b"));
  EXPECT_TRUE(delivered_before("abc", "abd"));
}

TEST(StoreFileName, CrlfSizeCountsBareLineFeeds) {
  EXPECT_EQ(crlf_size("a\r\nb\r\n"), 6u);
  EXPECT_EQ(crlf_size("a\nb\n"), 6u);
  EXPECT_EQ(crlf_size("\n\n"), 4u);
  EXPECT_EQ(crlf_size("a\rb"), 3u);
  const std::string text = "one\r\ntwo\nthree\r\n\nfour";
  for (std::size_t split = 0; split <= text.size(); ++split) {
    CrlfSize c;
    c.feed(std::string_view(text).substr(0, split));
    c.feed(std::string_view(text).substr(split));
    EXPECT_EQ(c.size(), crlf_size(text)) << "split at " << split;
  }
  EXPECT_EQ(crlf_size(text), text.size() + 2);
}

}  // namespace
}  // namespace endhost::mail::store
