// The interactive client's input: -c scripts split at ';' and line ends, words with quotes, globs, and
// the trace text that hides PASS.
#include "ftp/client/command_line.hpp"

#include <gtest/gtest.h>

namespace endhost::ftp::client {
namespace {

using V = std::vector<std::string>;

TEST(FtpClientScript, SplitsAtSemicolonsAndNewlinesOutsideQuotes) {
  EXPECT_EQ(*split_script("cd pub; get a.txt\nls"), (V{"cd pub", " get a.txt", "ls"}));
  EXPECT_EQ(*split_script("get 'a;b.txt'; pwd"), (V{"get 'a;b.txt'", " pwd"}));
  EXPECT_EQ(*split_script("get a\\;b"), (V{"get a\\;b"}));
  EXPECT_EQ(*split_script(" ; ;\n"), V{});
  EXPECT_FALSE(split_script("get 'a"));
}

TEST(FtpClientWords, QuotesAndEscapes) {
  EXPECT_EQ(*split_words("get  'x y.txt'   local"), (V{"get", "x y.txt", "local"}));
  EXPECT_EQ(*split_words("put \"a \\\"b\\\"\" c\\ d"), (V{"put", "a \"b\"", "c d"}));
  EXPECT_EQ(*split_words("mkdir ''"), (V{"mkdir", ""}));
  EXPECT_EQ(*split_words("   "), V{});
  EXPECT_FALSE(split_words("get \"a"));
}

TEST(FtpClientGlob, Patterns) {
  EXPECT_TRUE(has_glob("*.txt"));
  EXPECT_TRUE(has_glob("a?"));
  EXPECT_TRUE(has_glob("[ab]"));
  EXPECT_FALSE(has_glob("a.txt"));
  EXPECT_TRUE(glob_match("*.txt", "a.txt"));
  EXPECT_FALSE(glob_match("*.txt", "a.txt.gz"));
  EXPECT_TRUE(glob_match("f[0-9]", "f7"));
  EXPECT_FALSE(glob_match("*", ".hidden"));  // as a shell: * does not match a leading dot
}

TEST(FtpClientTrace, PasswordsAreNeverShown) {
  EXPECT_EQ(traced_command("PASS secret"), "PASS ****");
  EXPECT_EQ(traced_command("pass secret"), "PASS ****");
  EXPECT_EQ(traced_command("PASS"), "PASS ****");
  EXPECT_EQ(traced_command("PASV"), "PASV");
  EXPECT_EQ(traced_command("USER alice"), "USER alice");
}

TEST(FtpClientNames, BaseName) {
  EXPECT_EQ(base_name("dir/a.txt"), "a.txt");
  EXPECT_EQ(base_name("a.txt"), "a.txt");
  EXPECT_EQ(base_name("/x/y/"), "y");
}

}  // namespace
}  // namespace endhost::ftp::client
