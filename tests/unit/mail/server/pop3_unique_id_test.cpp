// UIDL's values (RFC 1939 §7): a Maildir base name as it is when it fits, else a stable digest of it.
#include <gtest/gtest.h>

#include "mail/server/pop3_session.hpp"

namespace endhost::mail::server {
namespace {

TEST(Pop3UniqueId, ShortPrintableNamesAreTheirOwnId) {
  const std::string name = "1700000000.M123456P789Q1.mail.hamburger.edu,S=1234";
  EXPECT_EQ(pop3_unique_id(name), name);
  EXPECT_EQ(pop3_unique_id(std::string(70, 'a')), std::string(70, 'a'));
}

TEST(Pop3UniqueId, LongOrUnprintableNamesAreDigested) {
  const std::string long_name(71, 'a');
  const std::string id = pop3_unique_id(long_name);
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(pop3_unique_id(long_name), id);  // stable
  EXPECT_NE(pop3_unique_id(std::string(72, 'a')), id);
  EXPECT_EQ(pop3_unique_id("with space").size(), 32u);  // 0x20 is not allowed (RFC 1939 §7)
  EXPECT_EQ(pop3_unique_id("").size(), 32u);
  EXPECT_EQ(pop3_unique_id(std::string("ab\x01", 3)).size(), 32u);
  // The first 128 bits of the name's SHA-256 (sha256sum of "with space").
  EXPECT_EQ(pop3_unique_id("with space"), "b8b8f25a5fc711caea1cfebfe02359e3");
}

}  // namespace
}  // namespace endhost::mail::server
