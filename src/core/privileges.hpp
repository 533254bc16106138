// Dropping root after binding, as Postfix's single_server does: the listening sockets are bound (ports below
// 1024 need root), then — before any request is read — the process gives up its groups, its group and its
// user, in that order (setgroups, setgid, setuid), and refuses to go on if any step fails or root could be
// regained. What the service must still write (state and cache directories, log files) is handed to the
// new user first.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/expected.hpp"

namespace endhost::core {

// The user a server should become: `requested` (--user) when given; else "nobody" when it runs as root and
// has bound a port below 1024 (`lowest_port`, 0 when none); else empty, meaning stay as it is.
std::string user_to_become(const std::string& requested, bool running_as_root, std::uint16_t lowest_port);

// Becomes `user` (a name from the password database) for good. Every path in `writable` (a file or a
// directory, then with everything below it) is first given to that user and its group. The error is one
// line naming the step and what to do; the caller must not go on serving after an error.
Expected<void, std::string> drop_privileges(const std::string& user, std::span<const std::string> writable);

}  // namespace endhost::core
