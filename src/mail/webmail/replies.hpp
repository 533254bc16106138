// Small pieces the webmail's handlers share: JSON error responses, the store's errors as HTTP statuses, the
// request's parameters (query for GET, form body for POST) and the Cookie field's session id.
#pragma once

#include <string>
#include <string_view>

#include "http/fields.hpp"
#include "http/status.hpp"
#include "mail/store/types.hpp"
#include "mail/webmail/form.hpp"
#include "mail/webmail/webmail.hpp"

namespace endhost::mail::webmail {

// {"error": message} with `status`.
Response json_error(http::Status status, std::string_view message);
Response json_ok(std::string body);
// NoSuchMailbox/NoSuchMessage 404, Invalid/Exists 400, TooBig 413, TooManyKeywords 400, Io 500.
Response store_error(const store::StoreError& e);
// The parameters of `request`: its query for GET and HEAD, its urlencoded body for POST.
Form parameters(const Request& request);
// The value of the cookie `name` in any Cookie field (RFC 6265 §5.4), or "".
std::string cookie_value(const http::Fields& fields, std::string_view name);

}  // namespace endhost::mail::webmail
