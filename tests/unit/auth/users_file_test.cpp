// load() and add_user() on real files: errors name the file, add_user is durable and refuses what the
// file could not hold.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "auth/user_db.hpp"
#include "core/random.hpp"
#include "files/temp_dir.hpp"

namespace endhost::auth {
namespace {

namespace fs = std::filesystem;

class UsersFile : public ::testing::Test {
 protected:
  fs::path path(const char* name) const { return dir_ / name; }
  static std::string slurp(const fs::path& p) { return test::read_file(p); }
  static void put(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }
  test::TempDir tmp_{"endhost-auth"};
  fs::path dir_ = tmp_.path();
  core::SeededRandom random_{42};
};

TEST_F(UsersFile, LoadErrorsNameTheFileAndLine) {
  put(path("users"), "# users\nalice:{PLAIN}secret\n");
  auto db = UserDb::load(path("users"));
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().rfind(path("users").string() + ":2: user 'alice': {PLAIN} is refused", 0), 0u)
      << db.error();
  auto missing = UserDb::load(path("nope"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().rfind(path("nope").string() + ": cannot read the users file", 0), 0u);
}

TEST_F(UsersFile, AddUserCreatesAPrivateFileAndAppends) {
  const fs::path f = path("users");
  ASSERT_TRUE(add_user(f, "alice", "pw-a", random_));
  struct stat st {};
  ASSERT_EQ(::stat(f.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // An existing file keeps its comments, its lines and its mode; a missing final newline is added.
  put(f, slurp(f) +
             "# the ftp users\nbob:{BLF-CRYPT}$2y$05$3FUdEB3epF3M5j5jLT8VTu3UjgHkt3yAXM7NP48vEAinXT7.i9Zga");
  ASSERT_EQ(::chmod(f.c_str(), 0640), 0);
  ASSERT_TRUE(add_user(f, "carol", "pw-c", random_));
  const std::string text = slurp(f);
  EXPECT_NE(text.find("\n# the ftp "
                      "users\nbob:{BLF-CRYPT}$2y$05$3FUdEB3epF3M5j5jLT8VTu3UjgHkt3yAXM7NP48vEAinXT7."
                      "i9Zga\ncarol:{ARGON2ID}$argon2id$"),
            std::string::npos)
      << text;
  ASSERT_EQ(::stat(f.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  auto db = UserDb::load(f);
  ASSERT_TRUE(db) << db.error();
  ASSERT_EQ(db->users().size(), 3u);
  EXPECT_TRUE(verify_password(*db->find("alice"), "pw-a"));
  EXPECT_TRUE(verify_password(*db->find("carol"), "pw-c"));
  EXPECT_FALSE(verify_password(*db->find("carol"), "pw-a"));
  // No temporary left beside it.
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST_F(UsersFile, AddUserRefusals) {
  const fs::path f = path("users");
  ASSERT_TRUE(add_user(f, "alice", "pw", random_));
  const std::string before = slurp(f);
  auto dup = add_user(f, "alice", "other", random_);
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().find("user 'alice' already exists"), std::string::npos) << dup.error();
  for (const char* bad : {"", "a:b", "a\nb", "tab\there", "#x", " x"})
    EXPECT_FALSE(add_user(f, bad, "pw", random_)) << bad;
  EXPECT_EQ(slurp(f), before);
  // A file that does not parse is not appended to.
  put(path("broken"), "x:{PLAIN}y\n");
  auto broken = add_user(path("broken"), "bob", "pw", random_);
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().find(":1: user 'x': {PLAIN} is refused"), std::string::npos) << broken.error();
  EXPECT_EQ(slurp(path("broken")), "x:{PLAIN}y\n");
}

}  // namespace
}  // namespace endhost::auth
