// Maildir delivery: names in Dovecot's form, unique across threads; the message appears in new/ whole with
// mode 0600 and nothing stays in tmp/; a failed delivery leaves nothing anywhere; ensure() makes the three
// folders and refuses a file in their place.
#include "mail/maildir/maildir.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace endhost::mail::maildir {
namespace {

namespace fs = std::filesystem;

class Maildir : public testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    base_ = fs::temp_directory_path() / ("maildir-test-" + std::to_string(rd()));
    fs::create_directories(base_);
  }
  void TearDown() override { fs::remove_all(base_); }
  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static std::size_t count(const fs::path& dir) {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
    return n;
  }
  fs::path base_;
};

TEST(MaildirName, DovecotForm) {
  const auto when = std::chrono::system_clock::time_point(std::chrono::microseconds(1'700'000'123'000'042LL));
  EXPECT_EQ(message_name(when, 4321, 7, "mx.hamburger.edu", 2048),
            "1700000123.M42P4321Q7.mx.hamburger.edu,S=2048");
}

TEST(MaildirName, HostnameSlashAndColonAreEscaped) {
  EXPECT_EQ(safe_hostname("a/b:c"), "a\\057b\\072c");
  EXPECT_EQ(safe_hostname(""), "localhost");
  EXPECT_EQ(safe_hostname("x y"), "x_y");
}

TEST_F(Maildir, EnsureMakesTheThreeFoldersPrivate) {
  const fs::path box = base_ / "users" / "bob";
  ASSERT_TRUE(ensure(box)) << "first";
  ASSERT_TRUE(ensure(box)) << "again: nothing to do";
  for (const char* d : {"tmp", "new", "cur"}) {
    struct stat st {};
    ASSERT_EQ(::stat((box / d).c_str(), &st), 0) << d;
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0700u) << d;
  }
}

TEST_F(Maildir, EnsureRefusesAFileWhereAFolderMustBe) {
  const fs::path box = base_ / "box";
  fs::create_directories(box);
  std::ofstream(box / "new") << "not a directory";
  auto made = ensure(box);
  ASSERT_FALSE(made);
  EXPECT_NE(made.error().find("new"), std::string::npos) << made.error();
}

TEST_F(Maildir, DeliverWritesTheWholeMessageIntoNew) {
  const fs::path box = base_ / "box";
  ASSERT_TRUE(ensure(box));
  Writer w("mx.test");
  const std::string trace = "Return-Path: <alice@crepes.fr>\r\n";
  const std::string body = "Subject: hi\r\n\r\nHello Bob\r\n";
  const std::vector<std::string_view> parts = {trace, body};
  auto delivered = w.deliver(box, parts);
  ASSERT_TRUE(delivered) << delivered.error().message;
  EXPECT_EQ(delivered->parent_path(), box / "new");
  EXPECT_EQ(read(*delivered), trace + body);
  const std::string name = delivered->filename().string();
  EXPECT_NE(name.find(".mx.test,S=" + std::to_string(trace.size() + body.size())), std::string::npos) << name;
  EXPECT_NE(name.find("P" + std::to_string(::getpid()) + "Q"), std::string::npos) << name;
  struct stat st {};
  ASSERT_EQ(::stat(delivered->c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(count(box / "tmp"), 0u) << "nothing is left in tmp/";
  EXPECT_EQ(count(box / "new"), 1u);
  EXPECT_EQ(count(box / "cur"), 0u);
}

TEST_F(Maildir, NamesAreUniqueAcrossThreadsInTheSameMicrosecond) {
  const fs::path box = base_ / "box";
  ASSERT_TRUE(ensure(box));
  Writer w("h");
  const auto when = std::chrono::system_clock::now();
  const std::string body = "x\r\n";
  const std::vector<std::string_view> parts = {body};
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        if (!w.deliver(box, parts, when)) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(count(box / "new"), 100u);
}

TEST_F(Maildir, AFailedDeliveryLeavesNothing) {
  // new/ is a file: the temporary is written, the rename fails, and tmp/ is empty again (works as root too,
  // where a read-only directory would not stop the write).
  const fs::path box = base_ / "box";
  ASSERT_TRUE(ensure(box));
  fs::remove(box / "new");
  std::ofstream(box / "new") << "in the way";
  Writer w("h");
  const std::string body = "x\r\n";
  const std::vector<std::string_view> parts = {body};
  auto delivered = w.deliver(box, parts);
  ASSERT_FALSE(delivered);
  EXPECT_FALSE(delivered.error().no_space);
  EXPECT_NE(delivered.error().code, 0);
  EXPECT_EQ(count(box / "tmp"), 0u) << "the temporary is removed";
  EXPECT_EQ(read(box / "new"), "in the way");
}

TEST_F(Maildir, AMissingMaildirIsAnErrorNotAFileElsewhere) {
  Writer w("h");
  const std::string body = "x\r\n";
  const std::vector<std::string_view> parts = {body};
  auto delivered = w.deliver(base_ / "nobody", parts);
  ASSERT_FALSE(delivered);
  EXPECT_EQ(delivered.error().code, ENOENT);
  EXPECT_EQ(count(base_), 0u);
}

}  // namespace
}  // namespace endhost::mail::maildir
