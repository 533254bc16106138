#include "auth/verify_login.hpp"

namespace endhost::auth {

awaitable<std::optional<User>> verify_login(core::BlockingPool& pool, const UserDb* db, std::string_view name,
                                            std::string_view password) {
  const User* found = db ? db->find(name) : nullptr;
  // A copy: the database may be replaced (SIGHUP) while the pool thread hashes.
  std::optional<User> user;
  if (found) user = *found;
  auto job = [&user, &password]() -> bool {
    if (!user) {
      verify_decoy(password);
      return false;
    }
    return verify_password(*user, password);
  };
  const auto verified = co_await pool.run(job);
  if (!verified || !*verified) co_return std::nullopt;
  co_return user;
}

}  // namespace endhost::auth
