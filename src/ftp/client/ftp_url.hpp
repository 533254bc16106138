// ftp:// URLs as `endhost fetch` takes them (RFC 1738 §3.2): `ftp://[user[:password]@]host[:port]/path`
// with an optional `;type=a|i|d`. The path is percent-decoded segment by segment (RFC 1738 §3.2.2): each
// segment but the last is one CWD, the last is the file (curl's default "multicwd"; an empty last segment,
// a URL ending in '/', names a directory). A decoded segment holding CR, LF or NUL is refused: it would end
// the command line it is sent in (command injection into the control connection). Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace endhost::ftp::client {

inline constexpr std::uint16_t kFtpPort = 21;

struct FtpUrl {
  std::optional<std::string> user;      // decoded; none: anonymous
  std::optional<std::string> password;  // decoded; none: asked for, or the anonymous password
  std::string host;                     // an IPv6 literal without its brackets
  std::uint16_t port = kFtpPort;
  std::vector<std::string> dirs;  // decoded segments to CWD into, in order (RFC 1738 §3.2.2)
  std::string file;               // decoded last segment; "" for a directory URL
  char type = 0;                  // ;type= a, i or d (RFC 1738 §3.2.2); 0 when not given

  bool is_directory() const { return file.empty(); }
  // "host:port" (brackets for IPv6), for messages.
  std::string authority() const;
  // The URL again without user and password, for messages ("ftp://h/dir/x").
  std::string display() const;
};

// Errors are sentences: "'ftp://h/a%0d%0aDELE%20x' holds a line break in its path".
Expected<FtpUrl, std::string> parse_ftp_url(std::string_view text);

// RFC 3986 §2.1 percent-decoding; an invalid escape is an error (nullopt).
std::optional<std::string> percent_decode(std::string_view text);

// Whether `text` starts with "ftp://", case-insensitively.
bool is_ftp_url(std::string_view text);

}  // namespace endhost::ftp::client
