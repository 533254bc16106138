// Parses the `HOST:PORT` arguments of the command line: `127.0.0.1:53`, `[::1]:8080`, `localhost:80`, or a
// bare host when the caller has a default port. Only syntax; resolving names is the caller's business.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace endhost::core {

struct HostPort {
  std::string host;  // without the brackets of an IPv6 literal
  std::uint16_t port = 0;

  // host:port, with brackets around IPv6 literals so the text parses back.
  std::string to_string() const;
  friend bool operator==(const HostPort&, const HostPort&) = default;
};

// Errors are sentences for a human: "'[::1' has no closing ']'".
Expected<HostPort, std::string> parse_host_port(std::string_view text,
                                                std::optional<std::uint16_t> default_port = std::nullopt);

// A decimal port, 0–65535. Port 0 means "any free port" where a listener accepts it.
Expected<std::uint16_t, std::string> parse_port(std::string_view text);

}  // namespace endhost::core
