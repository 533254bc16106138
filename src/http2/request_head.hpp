// From an HTTP/2 request's decoded field block to the protocol-independent request the web server's
// handlers take (http::RequestHead), checking everything RFC 9113 §8.2 and §8.3 call malformed on the way.
// The same handlers then serve both framings.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "http/fields.hpp"
#include "http/request_parser.hpp"

namespace endhost::http2 {

// The HTTP version an HTTP/2 request carries in RequestHead (RFC 9110 §6.2: "2").
inline constexpr http::Version kHttp2{2, 0};

// A malformed request (§8.1.1): a stream error PROTOCOL_ERROR. `reason` is a string literal.
struct Malformed {
  std::string_view reason;
};

// Owns what a RequestHead built from a field block points to, beyond the decoded fields themselves: the
// regular fields' array and the cookie crumbs joined into one field (§8.2.3). Reused from request to request.
struct RequestStorage {
  std::vector<http::FieldView> fields;
  std::string cookie;
  std::string target;  // ":path" as the request target (the authority form of CONNECT)
};

// Builds `head` from a request's decoded fields, which must outlive it (with `storage`). Checks §8.2.1
// (lowercase names, no forbidden characters in names or values, no leading or trailing whitespace in
// values), §8.2.2 (no connection-specific fields; te only "trailers"), §8.3 (pseudo-header fields known,
// once each, before the regular fields; :method, :scheme and :path present unless CONNECT; :path origin form
// or "*" for OPTIONS; no :protocol since SETTINGS_ENABLE_CONNECT_PROTOCOL is not offered), §8.3.1 (a Host
// that names another authority than :authority) and content-length (one value, digits only).
Expected<std::optional<std::uint64_t>, Malformed> build_request_head(std::span<const http::FieldView> block,
                                                                     RequestStorage& storage,
                                                                     http::RequestHead& head);

// Checks a trailer block (§8.1): the same field rules, and no pseudo-header fields at all.
Expected<void, Malformed> check_trailers(std::span<const http::FieldView> block);

// §8.2.2: the fields HTTP/1.1 uses for its connection, which an HTTP/2 message must not carry; the response
// mapping drops them.
bool is_connection_specific(std::string_view lowercase_name) noexcept;

}  // namespace endhost::http2
