// The confined file system of `endhost ftp serve`: a login's paths never leave its home, whatever "..",
// absolute paths or symlinks (absolute, relative, chained) try; operations inside work.
#include "ftp/server/confined_fs.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <string>

namespace endhost::ftp::server {
namespace {

namespace fs = std::filesystem;

class FtpServerFs : public testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    base_ = fs::temp_directory_path() / ("ftp-fs-test-" + std::to_string(rd()));
    fs::create_directories(base_ / "root/alice/docs");
    fs::create_directories(base_ / "root/bob");
    write(base_ / "secret.txt", "outside the root");
    write(base_ / "root/bob/private.txt", "bob's");
    write(base_ / "root/alice/docs/a.txt", "hello");
    fs::create_symlink(base_ / "secret.txt", base_ / "root/alice/abs-out");  // absolute, outside
    fs::create_symlink("../../secret.txt", base_ / "root/alice/rel-out");    // relative, outside
    fs::create_symlink("../bob", base_ / "root/alice/to-bob");               // another user's home
    fs::create_symlink("docs/a.txt", base_ / "root/alice/inside");           // stays inside: allowed
    fs::create_symlink("/etc", base_ / "root/alice/etc");
    auto made = ConfinedFs::open(base_ / "root", "alice");
    ASSERT_TRUE(made) << made.error();
    fs_.emplace(std::move(*made));
  }
  void TearDown() override { fs::remove_all(base_); }

  static void write(const fs::path& p, std::string_view s) { std::ofstream(p) << s; }

  static std::string read_all(int fd) {
    std::string out(4096, '\0');
    const ssize_t n = ::pread(fd, out.data(), out.size(), 0);
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return out;
  }

  fs::path base_;
  std::optional<ConfinedFs> fs_;
};

TEST_F(FtpServerFs, RelativeRefusesDotSegmentsAndNul) {
  EXPECT_EQ(*ConfinedFs::relative("/"), ".");
  EXPECT_EQ(*ConfinedFs::relative("/docs/a.txt"), "docs/a.txt");
  EXPECT_EQ(*ConfinedFs::relative("//docs//a.txt/"), "docs/a.txt");
  EXPECT_EQ(ConfinedFs::relative("/../x").error(), EACCES);
  EXPECT_EQ(ConfinedFs::relative("/docs/./a").error(), EACCES);
  EXPECT_EQ(ConfinedFs::relative(std::string_view("/a\0b", 4)).error(), EACCES);
}

TEST_F(FtpServerFs, ReadsInsideTheHome) {
  auto f = fs_->open_read("/docs/a.txt");
  ASSERT_TRUE(f);
  EXPECT_EQ(read_all(f->fd.get()), "hello");
  EXPECT_EQ(f->st.st_size, 5);
  auto via_link = fs_->open_read("/inside");
  ASSERT_TRUE(via_link);
  EXPECT_EQ(read_all(via_link->fd.get()), "hello");
}

TEST_F(FtpServerFs, SymlinksOutAreRefusedByTheKernel) {
  EXPECT_EQ(fs_->open_read("/abs-out").error(), EXDEV);
  EXPECT_EQ(fs_->open_read("/rel-out").error(), EXDEV);
  EXPECT_EQ(fs_->open_read("/to-bob/private.txt").error(), EXDEV);
  EXPECT_EQ(fs_->open_read("/etc/passwd").error(), EXDEV);
  EXPECT_FALSE(fs_->open_dir("/to-bob"));
  EXPECT_FALSE(fs_->check_dir("/etc"));
  EXPECT_FALSE(fs_->stat_follow("/abs-out"));
  // A write through a symlinked directory is refused the same way.
  EXPECT_EQ(fs_->mkdir("/to-bob/new").error(), EXDEV);
  EXPECT_FALSE(fs::exists(base_ / "root/bob/new"));
}

TEST_F(FtpServerFs, DotDotNeverClimbs) {
  EXPECT_FALSE(fs_->open_read("/../secret.txt"));
  EXPECT_FALSE(fs_->open_read("/../bob/private.txt"));
  EXPECT_FALSE(fs_->open_dir("/.."));
}

TEST_F(FtpServerFs, StatIsLstat) {
  auto s = fs_->stat("/abs-out");  // the link itself may be listed, never followed
  ASSERT_TRUE(s);
  EXPECT_EQ(s->type, EntryType::symlink);
  auto d = fs_->stat("/docs");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->type, EntryType::dir);
  auto h = fs_->stat("/");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->type, EntryType::dir);
  EXPECT_EQ(fs_->stat("/missing").error(), ENOENT);
}

TEST_F(FtpServerFs, ListsWithFactsAndLinkTargets) {
  auto r = fs_->open_dir("/");
  ASSERT_TRUE(r);
  std::map<std::string, EntryFacts> seen;
  for (;;) {
    auto batch = r->next(2, false);
    ASSERT_TRUE(batch);
    if (batch->empty()) break;
    EXPECT_LE(batch->size(), 2u);
    for (auto& e : *batch) seen[e.name] = e;
  }
  EXPECT_EQ(seen.size(), 6u);
  EXPECT_EQ(seen["docs"].type, EntryType::dir);
  EXPECT_EQ(seen["inside"].link_target, "docs/a.txt");
  EXPECT_EQ(seen["rel-out"].link_target, "../../secret.txt");
}

TEST_F(FtpServerFs, DotFilesOnlyWhenAsked) {
  write(base_ / "root/alice/.hidden", "x");
  auto r = fs_->open_dir("/");
  ASSERT_TRUE(r);
  auto all = r->next(100, false);
  ASSERT_TRUE(all);
  for (auto& e : *all) EXPECT_NE(e.name, ".hidden");
  auto r2 = fs_->open_dir("/");
  auto with_dots = r2->next(100, true);
  bool found = false;
  for (auto& e : *with_dots) found = found || e.name == ".hidden";
  EXPECT_TRUE(found);
}

TEST_F(FtpServerFs, ChangesInside) {
  ASSERT_TRUE(fs_->mkdir("/new"));
  EXPECT_TRUE(fs::is_directory(base_ / "root/alice/new"));
  EXPECT_EQ(fs_->mkdir("/new").error(), EEXIST);
  ASSERT_TRUE(fs_->rename("/docs/a.txt", "/new/b.txt"));
  EXPECT_TRUE(fs::exists(base_ / "root/alice/new/b.txt"));
  ASSERT_TRUE(fs_->chmod("/new/b.txt", 0600));
  EXPECT_EQ(fs::status(base_ / "root/alice/new/b.txt").permissions(),
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(fs_->rmdir("/new").error(), ENOTEMPTY);
  ASSERT_TRUE(fs_->unlink("/new/b.txt"));
  ASSERT_TRUE(fs_->rmdir("/new"));
  EXPECT_FALSE(fs::exists(base_ / "root/alice/new"));
}

TEST_F(FtpServerFs, UnlinkRemovesALinkNotItsTarget) {
  ASSERT_TRUE(fs_->unlink("/abs-out"));
  EXPECT_TRUE(fs::exists(base_ / "secret.txt"));
  EXPECT_EQ(fs_->unlink("/docs").error(), EISDIR);
}

TEST_F(FtpServerFs, ChmodSetsPermissionBitsOnly) {
  // SITE CHMOD 6777 must not make a set-id file of the server's account.
  ASSERT_TRUE(fs_->chmod("/docs/a.txt", 06777));
  struct stat st {};
  ASSERT_EQ(::stat((base_ / "root/alice/docs/a.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0777u);
}

TEST_F(FtpServerFs, ChmodRefusesSymlinks) {
  EXPECT_FALSE(fs_->chmod("/rel-out", 0777));
  EXPECT_EQ(fs::status(base_ / "secret.txt").permissions() & fs::perms::others_write, fs::perms::none);
}

TEST_F(FtpServerFs, RenameCannotMoveOut) {
  EXPECT_FALSE(fs_->rename("/docs/a.txt", "/to-bob/stolen.txt"));
  EXPECT_FALSE(fs_->rename("/docs/a.txt", "/../bob/stolen.txt"));
  EXPECT_TRUE(fs::exists(base_ / "root/alice/docs/a.txt"));
}

TEST_F(FtpServerFs, TheHomeHasNoParent) {
  EXPECT_EQ(fs_->open_parent("/").error(), EACCES);
  EXPECT_FALSE(fs_->rmdir("/"));
}

TEST_F(FtpServerFs, HomesOutsideTheRootAreRefused) {
  EXPECT_FALSE(fs_->with_home("../"));
  EXPECT_FALSE(fs_->with_home("alice/etc"));
  EXPECT_FALSE(fs_->with_home("nobody-here"));
  auto bob = fs_->with_home("/bob/");
  ASSERT_TRUE(bob);
  EXPECT_TRUE(bob->open_read("/private.txt"));
}

}  // namespace
}  // namespace endhost::ftp::server
