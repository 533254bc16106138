// Reading the users file and adding a user to it (the I/O half of auth/user_db.hpp).
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "auth/user_db.hpp"
#include "core/durable_file.hpp"

namespace endhost::auth {
namespace {

constexpr std::uintmax_t kMaxFileBytes = 16u << 20;

// The file's text; nullopt-like error when it is missing is told apart for add_user.
Expected<std::string, std::string> read_text(const std::filesystem::path& file, bool& missing) {
  missing = false;
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) {
    missing = ec == std::errc::no_such_file_or_directory;
    return Unexpected(file.string() + ": cannot read the users file: " + ec.message());
  }
  if (size > kMaxFileBytes) return Unexpected(file.string() + ": the users file is larger than 16 MiB");
  std::ifstream in(file, std::ios::binary);
  if (!in) return Unexpected(file.string() + ": cannot read the users file: " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Expected<UserDb, std::string> UserDb::load(const std::filesystem::path& file) {
  bool missing = false;
  auto text = read_text(file, missing);
  if (!text) return Unexpected(text.error());
  return parse(*text, file.string());
}

Expected<void, std::string> add_user(const std::filesystem::path& file, std::string_view name,
                                     std::string_view password, core::RandomSource& random) {
  if (auto why = invalid_user_name(name)) return Unexpected(*why);
  bool missing = false;
  auto text = read_text(file, missing);
  unsigned mode = 0600;  // password hashes are for the server's eyes only
  if (!text) {
    if (!missing) return Unexpected(text.error());
    text = std::string();
  } else {
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0) mode = st.st_mode & 07777;
  }
  auto db = UserDb::parse(*text, file.string());
  if (!db) return Unexpected(db.error());
  if (db->find(name) != nullptr)
    return Unexpected(file.string() + ": user '" + std::string(name) + "' already exists");
  std::string content = std::move(*text);
  if (!content.empty() && content.back() != '\n') content += '\n';
  content += std::string(name) + ":" + hash_password(password, random) + "\n";
  return core::write_file_durably(file.string(), content, std::nullopt, mode);
}

}  // namespace endhost::auth
