// ftp:// URLs (RFC 1738 §3.1, §3.2): user and password, host and port, the path as CWD segments and a file,
// ;type=, percent-decoding, and the line breaks that would inject commands refused.
#include "ftp/client/ftp_url.hpp"

#include <gtest/gtest.h>

namespace endhost::ftp::client {
namespace {

TEST(FtpClientUrl, AnonymousFileInTheLoginDirectory) {
  const auto u = parse_ftp_url("ftp://ftp.example.test/readme.txt");
  ASSERT_TRUE(u) << u.error();
  EXPECT_FALSE(u->user);
  EXPECT_FALSE(u->password);
  EXPECT_EQ(u->host, "ftp.example.test");
  EXPECT_EQ(u->port, 21);
  EXPECT_TRUE(u->dirs.empty());
  EXPECT_EQ(u->file, "readme.txt");
  EXPECT_FALSE(u->is_directory());
}

TEST(FtpClientUrl, UserPasswordPortAndSegments) {
  const auto u = parse_ftp_url("ftp://alice:s%40cret@127.0.0.1:2121/pub/a%20b/file%2Etxt");
  ASSERT_TRUE(u) << u.error();
  EXPECT_EQ(*u->user, "alice");
  EXPECT_EQ(*u->password, "s@cret");
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 2121);
  EXPECT_EQ(u->dirs, (std::vector<std::string>{"pub", "a b"}));
  EXPECT_EQ(u->file, "file.txt");
  EXPECT_EQ(u->display(), "ftp://127.0.0.1:2121/pub/a b/file.txt");
}

TEST(FtpClientUrl, AnEncodedSlashStaysInItsSegment) {
  // RFC 1738 §3.2.2: %2F is a '/' inside one CWD argument, not a separator.
  const auto u = parse_ftp_url("ftp://h/%2Fetc/passwd");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->dirs, (std::vector<std::string>{"/etc"}));
  EXPECT_EQ(u->file, "passwd");
}

TEST(FtpClientUrl, DirectoryUrlAndIpv6) {
  const auto u = parse_ftp_url("ftp://[::1]:2121/pub/");
  ASSERT_TRUE(u) << u.error();
  EXPECT_EQ(u->host, "::1");
  EXPECT_TRUE(u->is_directory());
  EXPECT_EQ(u->dirs, (std::vector<std::string>{"pub"}));
  EXPECT_EQ(u->authority(), "[::1]:2121");
  const auto root = parse_ftp_url("ftp://h");
  ASSERT_TRUE(root);
  EXPECT_TRUE(root->is_directory());
  EXPECT_TRUE(root->dirs.empty());
}

TEST(FtpClientUrl, TypeParameter) {
  const auto a = parse_ftp_url("ftp://h/a.txt;type=A");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->type, 'a');
  EXPECT_EQ(a->file, "a.txt");
  EXPECT_FALSE(parse_ftp_url("ftp://h/a.txt;type=x"));
  EXPECT_FALSE(parse_ftp_url("ftp://h/a.txt;mode=i"));
}

TEST(FtpClientUrl, EmptyUserMeansTheUserIsEmptyNotAnonymous) {
  const auto u = parse_ftp_url("ftp://bob@h/x");
  ASSERT_TRUE(u);
  EXPECT_EQ(*u->user, "bob");
  EXPECT_FALSE(u->password);
}

TEST(FtpClientUrl, LineBreaksThatWouldInjectCommandsAreRefused) {
  // "RETR x\r\nDELE y" would be two commands on the control connection.
  EXPECT_FALSE(parse_ftp_url("ftp://h/x%0D%0ADELE%20y"));
  EXPECT_FALSE(parse_ftp_url("ftp://h/dir%0A/x"));
  EXPECT_FALSE(parse_ftp_url("ftp://h/x%00"));
  EXPECT_FALSE(parse_ftp_url("ftp://u%0d%0aSITE:p@h/x"));
}

TEST(FtpClientUrl, MalformedUrls) {
  EXPECT_FALSE(parse_ftp_url("http://h/x"));
  EXPECT_FALSE(parse_ftp_url("ftp:///x"));
  EXPECT_FALSE(parse_ftp_url("ftp://h:0/x"));
  EXPECT_FALSE(parse_ftp_url("ftp://h:99999/x"));
  EXPECT_FALSE(parse_ftp_url("ftp://h/a b"));
  EXPECT_FALSE(parse_ftp_url("ftp://h/%zz"));
  EXPECT_FALSE(parse_ftp_url("ftp://h/%4"));
  EXPECT_TRUE(is_ftp_url("FTP://h/x"));
  EXPECT_FALSE(is_ftp_url("ftp:/h"));
}

TEST(FtpClientUrl, PercentDecode) {
  EXPECT_EQ(*percent_decode("a%20b%2f"), "a b/");
  EXPECT_FALSE(percent_decode("%"));
  EXPECT_FALSE(percent_decode("%2"));
  EXPECT_FALSE(percent_decode("%g0"));
}

}  // namespace
}  // namespace endhost::ftp::client
