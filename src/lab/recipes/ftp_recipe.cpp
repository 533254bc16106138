// An FTP server (`endhost ftp serve`) over a tree the lab writes under STATE/ftp/<host>/: anon/pub/, the
// anonymous area (--anon-home anon: anonymous sees /pub and never a user's home), with a text file and a few
// large generated files; and, when the table names a login, that user's home
// (<user>/, relative to the root as the users file says) with an upload/ directory. The users file is
// STATE/ftp/<host>.users, outside the root, so no FTP client can download the hashes. With `site`, pub/'s
// files are also linked into that site's directory (STATE/sites/<site>/pub/), so the site's web server
// serves the very same files over HTTP (the ftp experiment's persistent-HTTP half).
#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "auth/user_db.hpp"
#include "core/durable_file.hpp"
#include "core/system_random.hpp"
#include "lab/recipes/ftp_tree.hpp"
#include "lab/recipes/recipes.hpp"
#include "lab/state_dir.hpp"

namespace endhost::lab {

namespace fs = std::filesystem;

namespace {

const std::string* get(const HostService& s, const char* key) {
  return s.settings.get(key);
}

// The byte at `offset` of a generated file: a pattern that differs at every position of a 251-byte cycle, so
// a transfer that drops, repeats or reorders a block does not produce the same bytes.
char pattern_byte(std::uint64_t offset) {
  return static_cast<char>((offset % 251) ^ (offset >> 16));
}

Expected<void, std::string> write_generated(const std::string& path, std::uint64_t bytes) {
  std::error_code ec;
  // A state directory used again (--state) keeps the files of the last start: writing megabytes at every
  // start would only slow it down.
  if (fs::is_regular_file(path, ec) && fs::file_size(path, ec) == bytes && !ec) return {};
  std::string content(bytes, '\0');
  for (std::uint64_t i = 0; i < bytes; ++i) content[i] = pattern_byte(i);
  return core::write_file_durably(path, content);
}

// `to` becomes another name of `from` (a hard link: the same inode, so FTP and HTTP serve the same bytes), or
// a copy where the file system has no links.
Expected<void, std::string> link_or_copy(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::remove(to, ec);
  fs::create_hard_link(from, to, ec);
  if (!ec) return {};
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return Unexpected(fmt::format("cannot link {} to {}: {}", from, to, ec.message()));
  return {};
}

// STATE/ftp/<host>.users with one user, written afresh at every start (the password may have changed in the
// configuration). The hash is argon2id (auth::hash_password): about 0.2 s, once.
Expected<void, std::string> write_users(const std::string& file, const std::string& user,
                                        const std::string& password) {
  std::error_code ec;
  fs::remove(file, ec);
  if (ec) return Unexpected(fmt::format("cannot replace {}: {}", file, ec.message()));
  core::SystemRandom random;
  return auth::add_user(file, user, password, random);
}

}  // namespace

std::vector<FtpTreeFile> ftp_pub_files() {
  return {{"README.txt", 0},
          {"file-1MiB.bin", 1u << 20},
          {"file-2MiB.bin", 2u << 20},
          {"file-8MiB.bin", 8u << 20}};
}

std::string ftp_readme_text() {
  return "The anonymous area of the endhost lab's FTP server (Kurose & Ross §2.3).\n"
         "Log in as anonymous (any password) to read pub/, or as the lab's user to upload to upload/.\n";
}

Expected<void, std::string> write_ftp_tree(const std::string& root, const std::string& user) {
  if (auto ok = make_directories(root + "/anon/pub"); !ok) return ok;
  for (const FtpTreeFile& f : ftp_pub_files()) {
    const std::string path = root + "/anon/pub/" + f.name;
    auto ok =
        f.bytes == 0 ? core::write_file_durably(path, ftp_readme_text()) : write_generated(path, f.bytes);
    if (!ok) return ok;
  }
  if (!user.empty()) {
    if (auto ok = make_directories(root + "/" + user + "/upload"); !ok) return ok;
  }
  return {};
}

Expected<void, std::string> check_ftp_table(const HostService& s, const LabConfig& c) {
  const std::string* user = get(s, "login");
  const std::string* password = get(s, "password");
  if ((user == nullptr) != (password == nullptr))
    return Unexpected(
        std::string("login and password go together: give both, or neither for anonymous only"));
  if (user) {
    if (auto why = auth::invalid_user_name(*user)) return Unexpected("login: " + *why);
    if (*user == "anonymous" || *user == "ftp" || *user == "anon")
      return Unexpected(
          fmt::format("login: '{}' is taken (anonymous logins, the anonymous tree anon/)", *user));
    if (password->empty()) return Unexpected(std::string("password: empty"));
  }
  if (const std::string* site = get(s, "site")) {
    if (!c.find_site(*site))
      return Unexpected(fmt::format("site '{}' is not defined: add a [site.{}] table", *site, *site));
    bool served = false;
    for (const auto& h : c.hosts) served = served || h.site() == *site;
    if (!served)
      return Unexpected(
          fmt::format("site '{}' has no web host: give a host web.site = \"{}\"", *site, *site));
  }
  return {};
}

LabRecipe ftp_recipe() {
  LabRecipe r;
  // `login`, not `user`: --user is every service's option (the account a root start drops to).
  r.keys = {"site", "login", "password"};
  r.sets = {"root", "users"};
  r.validate = check_ftp_table;
  r.note = [](const core::Settings& s) {
    const std::string* user = s.get("login");
    const std::string* site = s.get("site");
    std::string note = "anonymous pub/";
    if (user) note += ", user " + *user + " with upload/";
    if (site) note += ", pub/ also over HTTP (site " + *site + ")";
    return note;
  };
  r.prepare = [](const RecipeContext& ctx, const HostService& table,
                 core::Settings& settings) -> Expected<void, std::string> {
    const std::string dir = ctx.files.state_dir + "/ftp";
    const std::string root = dir + "/" + ctx.host.name;
    const std::string* user = get(table, "login");
    if (auto ok = write_ftp_tree(root, user ? *user : std::string()); !ok) return ok;
    settings.set("root", root);
    if (!settings.has("anonymous")) settings.set("anonymous", "true");
    // Anonymous gets anon/ (its /pub), never the root: the users' homes are there.
    if (!settings.has("anon-home")) settings.set("anon-home", "anon");
    if (user) {
      const std::string users = root + ".users";
      if (auto ok = write_users(users, *user, *get(table, "password")); !ok) return ok;
      settings.set("users", users);
      if (!settings.has("writable")) settings.set("writable", "true");
    }
    if (const std::string* site = get(table, "site")) {
      const std::string pub = ctx.files.sites_dir + "/" + *site + "/pub";
      if (auto ok = make_directories(pub); !ok) return ok;
      for (const FtpTreeFile& f : ftp_pub_files()) {
        if (auto ok = link_or_copy(root + "/anon/pub/" + f.name, pub + "/" + f.name); !ok) return ok;
      }
    }
    return {};
  };
  return r;
}

}  // namespace endhost::lab
