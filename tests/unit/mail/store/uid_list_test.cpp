// The index text: header and records round-trip; a torn last line is ignored and measured; anything else
// malformed is an error that still tells the old UIDVALIDITY when the header was readable.
#include "mail/store/uid_list.hpp"

#include <gtest/gtest.h>

namespace endhost::mail::store {
namespace {

std::string sample() {
  std::string s = format_uid_list_header(1700000000, 3, 2);
  append_uid_record(s, 1, 120, 1699999999, "1699999999.M1P2Q3.h,S=118");
  append_uid_record(s, 2, 40, 1700000000, "name with spaces");
  return s;
}

TEST(StoreUidList, RoundTrip) {
  auto list = parse_uid_list(sample());
  ASSERT_TRUE(list) << list.error().why;
  EXPECT_EQ(list->uidvalidity, 1700000000u);
  EXPECT_EQ(list->uidnext, 3u);
  ASSERT_EQ(list->records.size(), 2u);
  EXPECT_EQ(list->records[0].uid, 1u);
  EXPECT_EQ(list->records[0].vsize, 120u);
  EXPECT_EQ(list->records[0].mtime, 1699999999);
  EXPECT_EQ(list->records[0].base, "1699999999.M1P2Q3.h,S=118");
  EXPECT_EQ(list->records[1].base, "name with spaces");
  EXPECT_FALSE(list->torn);
  EXPECT_EQ(list->good_bytes, sample().size());
}

TEST(StoreUidList, UidnextFollowsAppendedRecords) {
  std::string s = format_uid_list_header(5, 1, 1);
  append_uid_record(s, 7, 1, 1, "a");
  auto list = parse_uid_list(s);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->uidnext, 8u);
}

TEST(StoreUidList, TornLastLineIsIgnored) {
  const std::string good = sample();
  for (const std::string tail : {"3", "3 12 17000", "3 12 1700000001 base-without-newline"}) {
    auto list = parse_uid_list(good + tail);
    ASSERT_TRUE(list) << tail;
    EXPECT_TRUE(list->torn);
    EXPECT_EQ(list->records.size(), 2u);
    EXPECT_EQ(list->good_bytes, good.size());
    EXPECT_EQ(list->uidnext, 3u);
  }
}

TEST(StoreUidList, CorruptionIsAnErrorWithTheOldUidvalidity) {
  std::string s = format_uid_list_header(42, 1, 0);
  s += "1 10 10 a\nnonsense\n2 10 10 b\n";
  auto list = parse_uid_list(s);
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().line, 3u);
  EXPECT_EQ(list.error().uidvalidity, 42u);

  std::string order = format_uid_list_header(42, 1, 0);
  append_uid_record(order, 2, 1, 1, "a");
  append_uid_record(order, 2, 1, 1, "b");
  EXPECT_FALSE(parse_uid_list(order)) << "UIDs must ascend";

  EXPECT_FALSE(parse_uid_list(""));
  EXPECT_FALSE(parse_uid_list("endhost-uidlist 1 V0 N1\n")) << "UIDVALIDITY 0 is not valid";
  EXPECT_FALSE(parse_uid_list("dovecot 3 V1 N1\n"));
  EXPECT_FALSE(parse_uid_list(format_uid_list_header(1, 1, 0) + "0 1 1 a\n")) << "UID 0";
  EXPECT_FALSE(parse_uid_list(format_uid_list_header(1, 1, 0) + "1 1 1 a/b\n")) << "a path in a base";
  EXPECT_FALSE(parse_uid_list(format_uid_list_header(1, 1, 0) + "4294967295 1 1 a\n")) << "past kMaxUid";
}

TEST(StoreUidList, ALostTailIsAnErrorWithTheOldUidvalidity) {
  // Whole records gone from the end: the records alone look complete, the header's count does not.
  const std::string good = sample();
  const std::string one_record = good.substr(0, good.rfind('\n', good.size() - 2) + 1);
  auto list = parse_uid_list(one_record);
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().uidvalidity, 1700000000u);
  EXPECT_NE(list.error().why.find("counts 2"), std::string::npos) << list.error().why;
  // Cut inside the last record: torn, and one record short of the count.
  EXPECT_FALSE(parse_uid_list(good.substr(0, good.size() - 5)));
  EXPECT_FALSE(parse_uid_list(good.substr(0, good.find('\n') + 1))) << "the header alone";
}

TEST(StoreUidList, MoreRecordsThanCountedAreKept) {
  // A crash after the records reached the disk but before the new count did.
  std::string s = sample();
  append_uid_record(s, 3, 1, 1, "c");
  auto list = parse_uid_list(s);
  ASSERT_TRUE(list) << list.error().why;
  EXPECT_EQ(list->records.size(), 3u);
  EXPECT_EQ(list->uidnext, 4u);
}

TEST(StoreUidList, TheCountHasAFixedWidthAndVersionOneStillReads) {
  const std::string h = format_uid_list_header(7, 9, 12);
  EXPECT_EQ(h, "endhost-uidlist 2 V7 N9 R0000000012\n");
  auto list = parse_uid_list(h.substr(0, h.size() - 1 - kRecordCountDigits) + format_record_count(0) + "\n");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->header_bytes, h.size());
  EXPECT_EQ(list->version, 2);
  EXPECT_FALSE(parse_uid_list("endhost-uidlist 2 V7 N9 R12\n")) << "not the fixed width";
  EXPECT_FALSE(parse_uid_list("endhost-uidlist 2 V7 N9\n")) << "no R";
  auto v1 = parse_uid_list("endhost-uidlist 1 V7 N9\n1 1 1 a\n");
  ASSERT_TRUE(v1);
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->records.size(), 1u);
}

TEST(StoreUidList, Bases) {
  EXPECT_TRUE(valid_index_base("1.M2P3Q4.host,S=5"));
  EXPECT_FALSE(valid_index_base(""));
  EXPECT_FALSE(valid_index_base(".tmpfile"));
  EXPECT_FALSE(valid_index_base("a:b"));
  EXPECT_FALSE(valid_index_base("a\nb"));
}

}  // namespace
}  // namespace endhost::mail::store
