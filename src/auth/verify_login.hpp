// A login's password check, shared by every server with a users file (FTP, SMTP AUTH, and POP3 and IMAP
// next): the slow hash (argon2, bcrypt) runs on the blocking pool, never on an event loop, and an unknown
// user costs as much as a known one (verify_decoy), so the time of the refusal does not tell which names
// exist.
#pragma once

#include <optional>
#include <string_view>

#include "auth/user_db.hpp"
#include "core/asio.hpp"
#include "core/blocking_pool.hpp"

namespace endhost::auth {

// The user, when `name` is in `db` (null: no users file) and `password` is theirs; nullopt otherwise, and
// when the pool is too busy to check. Views, so that no string is made in the caller's co_await (GCC 12,
// docs/internals/core.md): what they show must outlive the call, which the caller awaits at once.
awaitable<std::optional<User>> verify_login(core::BlockingPool& pool, const UserDb* db, std::string_view name,
                                            std::string_view password);

}  // namespace endhost::auth
