#include "core/ascii_case.hpp"

#include <gtest/gtest.h>

namespace endhost::core {
namespace {

TEST(UpperCase, ChangesAsciiLettersOnly) {
  EXPECT_EQ(upper_case("hello, World 42!"), "HELLO, WORLD 42!");
  EXPECT_EQ(upper_case(""), "");
}

TEST(UpperCase, LeavesOtherBytesAlone) {
  std::string utf8 = "cr\xc3\xaape";  // "crêpe"
  EXPECT_EQ(upper_case(utf8), "CR\xc3\xaaPE");
  std::string binary("a\0b\xff", 4);
  EXPECT_EQ(upper_case(binary), std::string("A\0B\xff", 4));
}

TEST(UpperCase, AppendBuildsABatch) {
  std::string out = "FIRST\n";
  append_upper_case(out, "second");
  EXPECT_EQ(out, "FIRST\nSECOND");
}

}  // namespace
}  // namespace endhost::core
