// Internal to the web server: the small responses every handler needs — an error page, a redirect, the
// answer to OPTIONS — and the steps every handler's description starts and ends with. All of them only
// describe (work.reply); the connection serializes.
#pragma once

#include <string_view>

#include "http/server/exchange.hpp"

namespace endhost::web {

// One field a reply carries besides its usual ones (Allow on a 405, Content-Range on a 416,
// WWW-Authenticate on a 401). An empty name: none.
struct ExtraField {
  std::string_view name;
  std::string_view value;
};

// `status` with `extra`, a small HTML page for it as the content (none for HEAD, whose Content-Length is
// the page's, as for GET).
void reply_error(RequestContext& rq, Reply& reply, http::Status status, std::string_view detail = {},
                 ExtraField extra = {});

// 301 to `location` (already a valid URI reference: percent-encoded, no CR/LF).
void reply_redirect(RequestContext& rq, Reply& reply, std::string_view location);

// 200 with Allow and an empty body (RFC 9110 §9.3.7).
void reply_options(RequestContext& rq, Reply& reply, std::string_view allow);

// The status for a failed open: 404 for what does not exist, 403 for what we may not read or that leaves the
// root, 503 when out of descriptors, 500 otherwise.
http::Status status_for_errno(int err) noexcept;

// Starts the description of a response: `status`, and the fields every response of this request carries
// (rq.set_cookie: a new visitor's Set-Cookie; then Cache-Control: private if rq.private_response). Any
// earlier description is dropped, the body's kind included.
void begin_reply(RequestContext& rq, Reply& reply, http::Status status);
// Makes work.body the content: Content-Length (its size) at this point of the fields, and the bytes unless
// the request is HEAD.
void set_memory_body(RequestContext& rq, Reply& reply);

}  // namespace endhost::web
