// Status codes (RFC 9110 §15) as a strong type, and their reason phrases for the status line.
// A Status may hold any three-digit value, not only the named ones (RFC 9110 §15: unknown codes are valid).
#pragma once

#include <cstdint>
#include <string_view>

namespace endhost::http {

enum class Status : std::uint16_t {
  continue_ = 100,
  switching_protocols = 101,
  ok = 200,
  created = 201,
  accepted = 202,
  non_authoritative_information = 203,
  no_content = 204,
  reset_content = 205,
  partial_content = 206,
  multiple_choices = 300,
  moved_permanently = 301,
  found = 302,
  see_other = 303,
  not_modified = 304,
  temporary_redirect = 307,
  permanent_redirect = 308,
  bad_request = 400,
  unauthorized = 401,
  payment_required = 402,
  forbidden = 403,
  not_found = 404,
  method_not_allowed = 405,
  not_acceptable = 406,
  proxy_authentication_required = 407,
  request_timeout = 408,
  conflict = 409,
  gone = 410,
  length_required = 411,
  precondition_failed = 412,
  content_too_large = 413,
  uri_too_long = 414,
  unsupported_media_type = 415,
  range_not_satisfiable = 416,
  expectation_failed = 417,
  misdirected_request = 421,
  unprocessable_content = 422,
  upgrade_required = 426,
  precondition_required = 428,
  too_many_requests = 429,
  request_header_fields_too_large = 431,
  internal_server_error = 500,
  not_implemented = 501,
  bad_gateway = 502,
  service_unavailable = 503,
  gateway_timeout = 504,
  http_version_not_supported = 505,
  loop_detected = 508,  // RFC 5842 §7.2; proxies use it for forwarding loops
};

constexpr std::uint16_t to_int(Status s) noexcept {
  return static_cast<std::uint16_t>(s);
}

// 1xx, 2xx…: the class of a status (RFC 9110 §15). 0 for codes outside 100..599.
constexpr unsigned status_class(Status s) noexcept {
  const unsigned c = to_int(s) / 100;
  return c >= 1 && c <= 5 ? c : 0;
}

// The registered reason phrase, or "" for unregistered codes (RFC 9112 §4: the phrase is optional; the empty
// string is a valid one).
std::string_view reason_phrase(Status s) noexcept;

}  // namespace endhost::http
