// LIST lines in vsftpd's `ls -l` columns, NLST names, and the MLSx facts of RFC 3659 §7.
#include "ftp/listing.hpp"

#include <gtest/gtest.h>

namespace endhost::ftp {
namespace {

// 2026-12-02 13:02:00 UTC
constexpr std::int64_t kNow = 1796216520;

EntryFacts file(std::string name, std::uint64_t size, std::int64_t mtime, std::uint32_t mode = 0644) {
  EntryFacts f;
  f.name = std::move(name);
  f.size = size;
  f.mtime = mtime;
  f.mode = mode;
  f.uid = 1000;
  f.gid = 1000;
  return f;
}

TEST(FtpListing, TimeIsUtc) {
  EXPECT_EQ(mlsx_time(kNow), "20261202130200");
}

TEST(FtpListing, RecentFileShowsTime) {
  std::string out;
  append_list_line(out, file("file.txt", 1234, kNow - 3600), kNow);
  EXPECT_EQ(out, "-rw-r--r--    1 1000     1000         1234 Dec 02 12:02 file.txt\r\n");
}

TEST(FtpListing, OldFileShowsYear) {
  std::string out;
  append_list_line(out, file("old.tar", 5, kNow - 400LL * 86400), kNow);
  EXPECT_EQ(out, "-rw-r--r--    1 1000     1000            5 Oct 28  2025 old.tar\r\n");
}

TEST(FtpListing, SixMonthBoundary) {
  EXPECT_EQ(list_date(kNow - kRecentSeconds, kNow).substr(7), "13:02");
  EXPECT_EQ(list_date(kNow - kRecentSeconds - 1, kNow).substr(7), " 2026");
  EXPECT_EQ(list_date(kNow + 3600, kNow).substr(7), " 2026");  // the future is not recent
}

TEST(FtpListing, DirectoryAndSymlink) {
  EntryFacts d = file("pub", 4096, kNow - 60, 0755);
  d.type = EntryType::dir;
  d.nlink = 12;
  std::string out;
  append_list_line(out, d, kNow);
  EXPECT_EQ(out, "drwxr-xr-x   12 1000     1000         4096 Dec 02 13:01 pub\r\n");
  EntryFacts l = file("latest", 9, kNow - 60, 0777);
  l.type = EntryType::symlink;
  l.link_target = "pub/v1.2";
  out.clear();
  append_list_line(out, l, kNow);
  EXPECT_EQ(out, "lrwxrwxrwx    1 1000     1000            9 Dec 02 13:01 latest -> pub/v1.2\r\n");
}

TEST(FtpListing, WideColumnsGrowInsteadOfCutting) {
  EntryFacts f = file("big.iso", 12345678901ULL, kNow - 60);
  f.uid = 123456789;
  std::string out;
  append_list_line(out, f, kNow);
  EXPECT_EQ(out, "-rw-r--r--    1 123456789 1000     12345678901 Dec 02 13:01 big.iso\r\n");
}

TEST(FtpListing, SpecialModeBits) {
  EXPECT_EQ(mode_text(EntryType::file, 04755), "-rwsr-xr-x");
  EXPECT_EQ(mode_text(EntryType::file, 02644), "-rw-r-Sr--");
  EXPECT_EQ(mode_text(EntryType::dir, 01777), "drwxrwxrwt");
  EXPECT_EQ(mode_text(EntryType::dir, 01770), "drwxrwx--T");
  EXPECT_EQ(mode_text(EntryType::file, 0), "----------");
}

TEST(FtpListing, NlstIsTheName) {
  std::string out;
  append_nlst_line(out, "a b.txt");
  EXPECT_EQ(out, "a b.txt\r\n");
}

TEST(FtpListing, MlsdFileFacts) {
  std::string out;
  append_mlsd_line(out, file("file.txt", 1234, kNow), MlsxRole::entry, {false});
  EXPECT_EQ(out, "type=file;size=1234;modify=20261202130200;perm=r;unix.mode=0644; file.txt\r\n");
  out.clear();
  append_mlsd_line(out, file("file.txt", 1234, kNow), MlsxRole::entry, {true});
  EXPECT_EQ(out, "type=file;size=1234;modify=20261202130200;perm=adfrw;unix.mode=0644; file.txt\r\n");
}

TEST(FtpListing, MlsdDirectoryFacts) {
  EntryFacts d = file("pub", 4096, kNow, 0755);
  d.type = EntryType::dir;
  EXPECT_EQ(mlsx_facts(d, MlsxRole::entry, {false}),
            "type=dir;modify=20261202130200;perm=el;unix.mode=0755;");
  EXPECT_EQ(mlsx_facts(d, MlsxRole::entry, {true}),
            "type=dir;modify=20261202130200;perm=cmpdfel;unix.mode=0755;");
  EXPECT_EQ(mlsx_facts(d, MlsxRole::cdir, {true}),
            "type=cdir;modify=20261202130200;perm=cmpel;unix.mode=0755;");
  EXPECT_EQ(mlsx_facts(d, MlsxRole::pdir, {false}),
            "type=pdir;modify=20261202130200;perm=el;unix.mode=0755;");
}

TEST(FtpListing, MlsdSymlinkAndSetuid) {
  EntryFacts l = file("link", 3, kNow, 0777);
  l.type = EntryType::symlink;
  EXPECT_EQ(mlsx_facts(l, MlsxRole::entry, {false}),
            "type=OS.unix=symlink;size=3;modify=20261202130200;perm=r;unix.mode=0777;");
  EXPECT_EQ(mlsx_facts(file("su", 1, kNow, 04755), MlsxRole::entry, {false}).substr(46), "unix.mode=04755;");
}

TEST(FtpListing, OptsMlstSelectsFacts) {
  MlsxSelection only;
  only.perm = only.unix_mode = false;
  EXPECT_EQ(mlsx_facts(file("f", 7, kNow), MlsxRole::entry, {true}, only),
            "type=file;size=7;modify=20261202130200;");
  MlsxSelection none{false, false, false, false, false};
  EXPECT_EQ(mlsx_facts(file("f", 7, kNow), MlsxRole::entry, {true}, none), "");
}

}  // namespace
}  // namespace endhost::ftp
