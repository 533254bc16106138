// The visitor cookie of `--sessions` (the textbook's cookie example): finding it in the Cookie fields a
// browser sends (RFC 6265 §5.4: `name=value; name2=value2`, possibly over several lines) and writing the
// Set-Cookie that gives a new visitor its id (RFC 6265 §4.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/fields.hpp"

namespace endhost::web {

inline constexpr std::string_view kSessionCookie = "endhost_session";
inline constexpr std::size_t kSessionIdLength = 32;  // 128 random bits in hex

// The value of the first cookie called `name` in any Cookie field, or nullopt.
std::optional<std::string_view> find_cookie(http::FieldsView fields, std::string_view name) noexcept;

// A session id as this server makes them: exactly 32 lower-case hex digits. Anything else is ignored (and
// the client gets a new id), so ids from the client never reach the database unchecked.
bool valid_session_id(std::string_view id) noexcept;

// "endhost_session=<id>; Path=/; Max-Age=<seconds>; HttpOnly; SameSite=Lax"
std::string session_set_cookie(std::string_view id, std::int64_t max_age_seconds);

}  // namespace endhost::web
