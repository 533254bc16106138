// Error: what a parser returns when a message is invalid. Carries the status a server answers with, whether
// the connection must close, and a precise code for logs and tests. Errors are values; nothing throws.
#pragma once

#include <cstdint>
#include <string_view>

#include "http/status.hpp"

namespace endhost::http {

enum class Errc : std::uint8_t {
  // start line
  bad_request_line,     // not `method SP target SP version`, stray whitespace
  bad_method,           // method is not a token (RFC 9110 §9.1)
  bad_target,           // request-target matches none of the four forms (RFC 9112 §3.2)
  bad_version,          // not `HTTP/DIGIT.DIGIT` (RFC 9112 §2.3)
  unsupported_version,  // major version other than 1 → 505
  start_line_too_long,  // Limits::max_start_line → 414
  http09_request,       // "GET /" with no version: HTTP/0.9, which we do not speak (answered at once)
  tls_on_plain_port,    // a TLS record (0x16) where a request line belongs: the peer expects TLS; close
  userinfo_in_target,   // "http://user:pw@host/": RFC 9110 §4.2.4 says to treat it as an error
  bad_status_line,      // response: not `version SP 3DIGIT SP reason`
  // fields
  head_too_large,      // Limits::max_head_bytes → 431
  too_many_fields,     // Limits::max_fields → 431
  bare_lf,             // LF without CR as a line end (see docs/internals/http.md)
  bare_cr,             // CR not followed by LF
  bad_field_name,      // empty or non-token field name
  space_before_colon,  // RFC 9112 §5.1: MUST reject
  obs_fold,            // line folding or whitespace before the first field (RFC 9112 §5.2, §2.2)
  bad_field_value,     // NUL or another CTL in a value (RFC 9110 §5.5)
  missing_host,        // HTTP/1.1 request without Host (RFC 9112 §3.2)
  duplicate_host,      // more than one Host
  bad_host,            // Host value is not uri-host [":" port]
  // framing (RFC 9112 §6)
  te_and_cl,                // Transfer-Encoding together with Content-Length (§6.1, §6.3)
  te_in_http10,             // Transfer-Encoding in an HTTP/1.0 message (§6.1)
  bad_transfer_encoding,    // final coding not chunked in a request, chunked twice, empty or malformed list
  unknown_transfer_coding,  // a coding other than chunked → 501 (§6.1)
  bad_content_length,       // not 1*DIGIT, differing values, overflow (§6.3 item 5)
  body_too_large,           // Limits::max_body_size → 413
  bad_chunk_size,           // chunk-size not hex, too many digits (§7.1)
  bad_chunk_ext,            // chunk extension syntax, or over Limits::max_chunk_ext_bytes
  bad_chunk_end,            // chunk data not followed by CRLF
  bad_trailer,              // trailer section malformed or over its limits
  unexpected_eof,           // connection closed inside a message whose length was known
  expectation_failed,       // Expect other than 100-continue → 417 (RFC 9110 §10.1.1)
};

struct Error {
  Errc code;
  Status status;    // what a server answers with (a proxy maps response errors to 502)
  bool must_close;  // true: the framing of the stream can no longer be trusted; answer, then close

  friend bool operator==(const Error&, const Error&) = default;
};

// The status a server answers with for `code`: 414, 431, 413, 417, 501, 505 where RFC 9110/9112 name one,
// else 400. Response parsers use 502 instead (a proxy's answer to a broken upstream).
Status default_status(Errc code) noexcept;

// An Error with the default status; `must_close` defaults to true because most errors lose the framing.
constexpr Error make_error(Errc code, Status status, bool must_close = true) noexcept {
  return Error{code, status, must_close};
}

// A short English description of an error code, for logs.
std::string_view describe(Errc code) noexcept;

}  // namespace endhost::http
