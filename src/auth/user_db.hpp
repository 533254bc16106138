// The users file: who may log in, with which password hash, and where their home is. Dovecot's passwd-file
// format (https://doc.dovecot.org/configuration_manual/authentication/passwd_file/), so one file can serve
// the FTP server, the mail server and Dovecot itself:
//   name:{SCHEME}hash:uid:gid:gecos:home:shell:extra_fields
// Every field after the hash may be left out or empty; '#' starts a comment line; blank lines are skipped.
// The hash is `{SCHEME}hash` or a bare hash recognised by its prefix (auth/password_scheme.hpp); weak
// schemes are refused when the file is read, not at the first login. UserDb::parse is sans-I/O; load,
// add_user and the password checks are in auth/users_file.cpp and auth/password.cpp (library endhost_auth).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/password_scheme.hpp"
#include "core/expected.hpp"
#include "core/random.hpp"

namespace endhost::auth {

struct User {
  std::string name;
  std::string hash;  // without the {SCHEME} prefix
  std::optional<std::uint32_t> uid, gid;
  std::string home;   // as written (the FTP server reads it as a directory under its root)
  std::string extra;  // Dovecot's extra fields, space-separated key=value, as written
  Scheme scheme = Scheme::argon2id;
  std::string gecos, shell;
};

// What is wrong with a users file, and on which line (1-based).
struct LineError {
  std::size_t line;
  std::string message;
};

// The users of a users file's text, in file order: the parser behind UserDb::parse, for callers that report
// the line themselves (the web server's htpasswd files, whose `user:hash` lines are users-file lines). Lines
// may end in CR LF; trailing blanks are ignored.
Expected<std::vector<User>, LineError> parse_users(std::string_view text);

class UserDb {
 public:
  // Reads and parses the file (at most 16 MiB). Errors are "FILE:LINE: what is wrong" (or "FILE: …" when
  // the file cannot be read).
  static Expected<UserDb, std::string> load(const std::filesystem::path& file);
  // Parses the text of a users file; errors are "ORIGIN:LINE: what is wrong". A name given twice is an
  // error naming both lines.
  static Expected<UserDb, std::string> parse(std::string_view text, std::string_view origin);

  // The user called exactly `name` (case-sensitive, as Dovecot), or nullptr.
  const User* find(std::string_view name) const;
  const std::vector<User>& users() const noexcept { return users_; }

 private:
  std::vector<User> users_;
};

// Why `name` cannot be a user name in the file (empty, ':', control characters, leading '#' or
// whitespace at either end), or nullopt if it can.
std::optional<std::string> invalid_user_name(std::string_view name);

// The checks are slow by design (tens of milliseconds to a second): call them on the blocking pool, never
// on an event loop. Thread-safe.

// Whether `password` is the user's: crypt_r for bcrypt, sha512-crypt and yescrypt, libargon2 for argon2,
// compared in constant time. A password containing NUL never matches.
bool verify_password(const User& user, std::string_view password);
// The same for a bare stored hash (the web server's htpasswd entries); false for a hash of no accepted
// scheme.
bool verify_hash(std::string_view hash, std::string_view password);
// Spends as long as verify_password on a hash_password() hash, and matches nothing: for unknown users, so
// response times do not tell which names exist.
void verify_decoy(std::string_view password);
// The argon2id hash verify_decoy checks against: made with hash_password's parameters, so the cost is the
// same (the unit test compares them, rather than timing the machine).
std::string_view decoy_hash();
// A new {ARGON2ID} field for the users file: argon2id, v=19, m=65536 KiB, t=3, p=1 (Dovecot's and libsodium's
// interactive defaults), a 16-byte salt from `random`, a 32-byte hash.
std::string hash_password(std::string_view password, core::RandomSource& random);

// Appends `name` with hash_password(password) to `file` (created, mode 0600, if it does not exist),
// durably (temp file, fsync, rename, fsync of the directory): the file is never half-written. Refuses a
// name that invalid_user_name() refuses, a name already in the file, and a file that does not parse.
Expected<void, std::string> add_user(const std::filesystem::path& file, std::string_view name,
                                     std::string_view password, core::RandomSource& random);

}  // namespace endhost::auth
