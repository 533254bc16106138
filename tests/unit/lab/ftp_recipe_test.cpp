// The lab's FTP host (recipes/ftp_recipe.cpp): the table's checks, the tree it writes, the settings it gives
// the FTP server (a users file outside the root whose password verifies), pub/ linked into the site for HTTP,
// and FTP's port 21 on the real ports although browsers list it as a bad port.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "auth/user_db.hpp"
#include "lab/address_plan.hpp"
#include "lab/config_toml.hpp"
#include "lab/default_config.hpp"
#include "lab/recipe.hpp"
#include "lab/recipes/ftp_tree.hpp"
#include "services/builtin_services.hpp"

namespace endhost::lab {
namespace {

namespace fs = std::filesystem;

const core::ServiceRegistry& services() {
  static const core::ServiceRegistry registry = services::builtin_services();
  return registry;
}

HostService ftp_table(std::initializer_list<std::pair<std::string, std::string>> keys) {
  HostService s;
  s.name = "ftp";
  for (const auto& [k, v] : keys) s.settings.add(k, v);
  return s;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "endhost-ftp-recipe-XXXXXX").string();
    path = ::mkdtemp(t.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

LabConfig default_lab() {
  auto c = parse_config(default_config_toml(), "default", services());
  EXPECT_TRUE(c) << (c ? "" : c.error());
  return std::move(*c);
}

TEST(FtpRecipe, TheDefaultLabHasTheFtpHostWithItsUserAndSite) {
  LabConfig c = default_lab();
  const HostConfig* h = c.find_host("ftp.someschool.edu");
  ASSERT_NE(h, nullptr);
  const HostService* ftp = h->find("ftp");
  ASSERT_NE(ftp, nullptr);
  EXPECT_EQ(*ftp->settings.get("login"), "alice");
  EXPECT_EQ(*ftp->settings.get("password"), "wonderland");
  EXPECT_EQ(*ftp->settings.get("site"), "someschool");
  EXPECT_TRUE(check_ftp_table(*ftp, c));
}

TEST(FtpRecipe, TheTableIsChecked) {
  LabConfig c = default_lab();
  auto login_alone = check_ftp_table(ftp_table({{"login", "bob"}}), c);
  ASSERT_FALSE(login_alone);
  EXPECT_NE(login_alone.error().find("login and password go together"), std::string::npos);
  auto anonymous = check_ftp_table(ftp_table({{"login", "anonymous"}, {"password", "x"}}), c);
  ASSERT_FALSE(anonymous);
  EXPECT_NE(anonymous.error().find("'anonymous' is taken"), std::string::npos) << anonymous.error();
  EXPECT_FALSE(check_ftp_table(ftp_table({{"login", "a:b"}, {"password", "x"}}), c));
  EXPECT_FALSE(check_ftp_table(ftp_table({{"login", "bob"}, {"password", ""}}), c));
  auto no_site = check_ftp_table(ftp_table({{"site", "nowhere"}}), c);
  ASSERT_FALSE(no_site);
  EXPECT_NE(no_site.error().find("site 'nowhere' is not defined"), std::string::npos);
  EXPECT_TRUE(check_ftp_table(ftp_table({}), c));  // anonymous only, no HTTP mirror
}

TEST(FtpRecipe, ASiteWithoutAWebHostIsRefusedWhenTheFileIsRead) {
  auto c = parse_config(
      "[[host]]\nname = \"ftp.test\"\nftp = { site = \"s\" }\n[site.s]\n[[site.s.file]]\npath = \"/a\"\n"
      "text = \"a\"\n",
      "ftp.toml", services());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().find("site 's' has no web host"), std::string::npos) << c.error();
}

TEST(FtpRecipe, TheRootAndTheUsersFileAreTheLabs) {
  auto c = parse_config(std::string(default_config_toml()) +
                            "\n[[host]]\nname = \"ftp2.example.com\"\nftp = { root = \"/etc\" }\n",
                        "ftp.toml", services());
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().find("ftp.root is set by the lab"), std::string::npos) << c.error();
}

TEST(FtpRecipe, TheTreeHasPubWithLargeFilesAndTheUsersUploadDirectory) {
  TempDir t;
  const std::string root = (t.path / "root").string();
  ASSERT_TRUE(write_ftp_tree(root, "alice"));
  EXPECT_TRUE(fs::is_directory(root + "/alice/upload"));
  std::size_t large = 0;
  for (const auto& f : ftp_pub_files()) {
    const fs::path p = root + "/anon/pub/" + f.name;
    ASSERT_TRUE(fs::is_regular_file(p)) << p;
    if (f.bytes == 0) {
      EXPECT_EQ(read(p), ftp_readme_text());
    } else {
      EXPECT_EQ(fs::file_size(p), f.bytes);
      EXPECT_GE(f.bytes, 1u << 20);
      EXPECT_LE(f.bytes, 16u << 20);
      ++large;
    }
  }
  EXPECT_GE(large, 3u);  // the experiment downloads three
  // A second start keeps the large files as they are (same inode: not rewritten).
  const fs::path big = root + "/anon/pub/" + ftp_pub_files().back().name;
  struct stat before {
  }, after{};
  ASSERT_EQ(::stat(big.c_str(), &before), 0);
  ASSERT_TRUE(write_ftp_tree(root, "alice"));
  ASSERT_EQ(::stat(big.c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
  // A generated file's bytes are not all the same (a transfer that repeats a block would show).
  const std::string content = read(big);
  EXPECT_NE(content.substr(0, 4096), content.substr(4096, 4096));
}

TEST(FtpRecipe, PrepareGivesTheServerItsRootUsersAndTheSiteItsPub) {
  TempDir t;
  LabConfig c = default_lab();
  auto plan = plan_addresses(c, {PortMode::high, ""}, services());
  ASSERT_TRUE(plan) << plan.error();
  const PlannedHost* host = plan->find_host("ftp.someschool.edu");
  ASSERT_NE(host, nullptr);
  LabFiles files;
  files.state_dir = t.path.string();
  files.sites_dir = (t.path / "sites").string();
  files.zones_dir = (t.path / "zones").string();
  files.plan = &*plan;
  const LabRecipe* recipe = find_recipe("ftp");
  ASSERT_NE(recipe, nullptr);
  const HostService& table = *c.find_host("ftp.someschool.edu")->find("ftp");
  core::Settings settings;
  auto ok = recipe->prepare(RecipeContext{files, c, *host, *host->find("ftp")}, table, settings);
  ASSERT_TRUE(ok) << ok.error();
  const std::string root = *settings.get("root");
  EXPECT_EQ(root, files.state_dir + "/ftp/ftp.someschool.edu");
  EXPECT_EQ(*settings.get("anonymous"), "true");
  EXPECT_EQ(*settings.get("anon-home"), "anon");  // anonymous never sees a user's home
  EXPECT_EQ(*settings.get("writable"), "true");
  // The users file is outside the root: no FTP client can download the hash.
  const std::string users = *settings.get("users");
  EXPECT_NE(users.rfind(root + "/", 0), 0u) << users;
  auto db = auth::UserDb::load(users);
  ASSERT_TRUE(db) << db.error();
  const auth::User* alice = db->find("alice");
  ASSERT_NE(alice, nullptr);
  EXPECT_TRUE(auth::verify_password(*alice, "wonderland"));
  EXPECT_FALSE(auth::verify_password(*alice, "wonderlanD"));
  // The same inodes under the site's directory: the web server serves pub/ too.
  for (const auto& f : ftp_pub_files()) {
    EXPECT_TRUE(fs::equivalent(root + "/anon/pub/" + f.name, files.sites_dir + "/someschool/pub/" + f.name))
        << f.name;
  }
  // A second start (--state used again) replaces the users file instead of failing on "already exists".
  core::Settings again;
  auto twice = recipe->prepare(RecipeContext{files, c, *host, *host->find("ftp")}, table, again);
  EXPECT_TRUE(twice) << twice.error();
}

TEST(FtpRecipe, FtpKeepsPort21OnTheRealPortsAndShiftsOnTheHighOnes) {
  LabConfig c = default_lab();
  auto high = plan_addresses(c, {PortMode::high, ""}, services());
  ASSERT_TRUE(high) << high.error();
  EXPECT_EQ(high->find_host("ftp.someschool.edu")->find("ftp")->port, c.lab.port_base + 21);
  auto real = plan_addresses(c, {PortMode::real, "root"}, services());
  ASSERT_TRUE(real) << real.error();
  EXPECT_EQ(real->find_host("ftp.someschool.edu")->find("ftp")->port, 21);
  // Only FTP's own service gets the exception: a web server on 21 is still refused.
  auto web21 =
      parse_config(std::string(default_config_toml()) +
                       "\n[[host]]\nname = \"w.example.com\"\nweb = { site = \"gaia\", port = 21 }\n",
                   "web.toml", services());
  ASSERT_TRUE(web21) << web21.error();
  EXPECT_FALSE(plan_addresses(*web21, {PortMode::real, "root"}, services()));
}

}  // namespace
}  // namespace endhost::lab
