// The HTTP/1 message value types: Request and Response own all their bytes and compare by value, so a test
// can state `parse(serialize(m)) == m`. Parsers produce borrowed heads (request_parser.hpp) and turn them
// into these with to_owned(); the serializer writes them. They hold no framing logic: the fields say it all.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include "http/fields.hpp"
#include "http/method.hpp"
#include "http/status.hpp"

namespace endhost::http {

// HTTP-version (RFC 9112 §2.3): one digit each. Only major 1 is parsed; 1.0 and 1.1 differ in defaults.
struct Version {
  std::uint8_t major = 1;
  std::uint8_t minor = 1;
  friend constexpr auto operator<=>(const Version&, const Version&) = default;
};
inline constexpr Version http10{1, 0};
inline constexpr Version http11{1, 1};

struct Request {
  std::string method = "GET";  // as sent; methods are case-sensitive
  std::string target = "/";    // request-target as sent (RFC 9112 §3.2)
  Version version = http11;
  Fields fields;
  std::string body;  // decoded content (chunked framing removed)

  Method method_id() const noexcept { return method_from_token(method); }
  friend bool operator==(const Request&, const Request&) = default;
};

struct Response {
  Status status = Status::ok;
  std::string reason;  // "" means: the serializer writes the registered phrase
  Version version = http11;
  Fields fields;
  std::string body;

  friend bool operator==(const Response&, const Response&) = default;
};

}  // namespace endhost::http
