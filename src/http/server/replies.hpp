// Internal to the web server: the small responses every handler needs — an error page, a redirect, the
// answer to OPTIONS — written into work.out with the right framing for HEAD and for the connection's fate.
#pragma once

#include <string_view>

#include "http/server/exchange.hpp"

namespace endhost::web {

// The status line, Server, Date, then `extra` (complete "Name: value\r\n" lines, may be empty), a small HTML
// page for `status` (no body for HEAD, Content-Length as for GET), and the connection fields.
void reply_error(RequestContext& rq, Reply& reply, http::Status status, std::string_view detail = {},
                 std::string_view extra = {});

// 301 to `location` (already a valid URI reference: percent-encoded, no CR/LF).
void reply_redirect(RequestContext& rq, Reply& reply, std::string_view location);

// 200 with Allow and an empty body (RFC 9110 §9.3.7).
void reply_options(RequestContext& rq, Reply& reply, std::string_view allow);

// The status for a failed open: 404 for what does not exist, 403 for what we may not read or that leaves the
// root, 503 when out of descriptors, 500 otherwise.
http::Status status_for_errno(int err) noexcept;

// Starts a response head in work.out: status line, Server, Date, and the fields every response of this
// request carries (rq.extra_head: a new visitor's Set-Cookie; then Cache-Control: private if
// rq.private_response).
void start_head(RequestContext& rq, http::Status status);
// Appends the end of a head: Connection field if needed, then the empty line.
void finish_head(RequestContext& rq, const Reply& reply);

}  // namespace endhost::web
