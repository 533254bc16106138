// The received message as stored: line ends, and the header section a headerless message lacks.
#include <gtest/gtest.h>

#include <string>

#include "smtp/message_text.hpp"

namespace endhost::smtp {
namespace {

TEST(MessageText, HeaderSectionDetected) {
  EXPECT_TRUE(starts_with_header_section("Subject: hi\r\n\r\nbody\r\n"));
  EXPECT_TRUE(starts_with_header_section("X-A:b\r\n"));
  EXPECT_TRUE(starts_with_header_section("\r\nbody only, after an empty header section\r\n"));
  EXPECT_FALSE(starts_with_header_section("Do you like ketchup?\r\n"));  // a space before any ':'
  EXPECT_FALSE(starts_with_header_section(":no name\r\n"));
  EXPECT_FALSE(starts_with_header_section(" folded: no\r\n"));
  EXPECT_FALSE(starts_with_header_section("From alice Mon Jan  1\r\n"));  // an mbox line is not a field
  EXPECT_FALSE(starts_with_header_section("no colon at all"));
  EXPECT_FALSE(starts_with_header_section(""));
}

TEST(MessageText, LineEndsBecomeCrlf) {
  std::string m = "a\nb\rc\r\nd";
  normalize_line_ends(m);
  EXPECT_EQ(m, "a\r\nb\r\nc\r\nd\r\n");
  std::string clean = "a\r\nb\r\n";
  normalize_line_ends(clean);
  EXPECT_EQ(clean, "a\r\nb\r\n");
  std::string trailing_cr = "a\r";
  normalize_line_ends(trailing_cr);
  EXPECT_EQ(trailing_cr, "a\r\n");
  std::string empty;
  normalize_line_ends(empty);
  EXPECT_EQ(empty, "");
}

TEST(MessageText, PreparedForStorage) {
  std::string headerless = "Do you like ketchup?\r\nHow about pickles?\r\n";
  prepare_for_storage(headerless, false);
  EXPECT_EQ(headerless, "\r\nDo you like ketchup?\r\nHow about pickles?\r\n");
  std::string with_headers = "Subject: x\r\n\r\nbody\r\n";
  prepare_for_storage(with_headers, false);
  EXPECT_EQ(with_headers, "Subject: x\r\n\r\nbody\r\n");
  std::string chunked = "Subject: x\n\nbody";
  prepare_for_storage(chunked, true);
  EXPECT_EQ(chunked, "Subject: x\r\n\r\nbody\r\n");
  std::string empty;
  prepare_for_storage(empty, false);
  EXPECT_EQ(empty, "\r\n");
}

}  // namespace
}  // namespace endhost::smtp
