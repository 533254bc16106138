// The users file's parser on any bytes: no crash, every user it accepts has a valid name, a hash of an
// accepted scheme and a unique name, and an error always names its origin and a line.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "auth/user_db.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace endhost::auth;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto db = UserDb::parse(text, "f");
  if (!db) {
    if (!db.error().starts_with("f:")) __builtin_trap();
    return 0;
  }
  std::set<std::string> names;
  for (const User& u : db->users()) {
    if (invalid_user_name(u.name)) __builtin_trap();
    if (bare_hash_scheme(u.hash) != u.scheme) __builtin_trap();
    if (!names.insert(u.name).second) __builtin_trap();
    if (db->find(u.name) != &u) __builtin_trap();
  }
  return 0;
}
