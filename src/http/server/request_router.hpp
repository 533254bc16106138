// Internal to the web server: what every framing does with a parsed request before it frames the answer,
// so HTTP/1.1 and HTTP/2 serve alike: the target split into path and query and the site chosen by host
// (aim_request), then the method and path routed to the handler that describes the response in the Reply
// (route_request). Writes and the --sessions page need the connection's own steps; those it hands back.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/asio.hpp"
#include "http/server/exchange.hpp"
#include "http/server/web_config.hpp"

namespace endhost::web {

inline constexpr std::string_view kReadOnlyAllow = "GET, HEAD, OPTIONS";
inline constexpr std::string_view kWritableAllow = "GET, HEAD, OPTIONS, PUT, DELETE, POST";
// --sessions: the visitor's id and visit count as JSON.
inline constexpr std::string_view kSessionPath = "/_session";

inline std::string_view allowed_methods(const WebConfig& cfg) {
  return cfg.writable ? kWritableAllow : kReadOnlyAllow;
}

// The site serving `host` (uri-host [":" port], RFC 9110 §7.2; case-insensitive, a trailing dot ignored), or
// the default site, or nullptr.
const Site* select_site(const WebConfig& cfg, std::string_view host);

// Fills rq.path, rq.query, rq.has_query and rq.site from the request's target and host (RFC 9112 §3.2.2:
// an absolute-form target's authority replaces Host).
void aim_request(const WebConfig& cfg, RequestContext& rq);

enum class Route : std::uint8_t {
  answered,      // the Reply describes the response
  write,         // PUT, DELETE or POST on a writable server, path resolved into rq.path_info
  session_info,  // GET or HEAD of kSessionPath with --sessions
};

// RFC 9110 §9: unknown methods 501, OPTIONS, methods not allowed 405, then the path decoded and the
// static handler or the caller's steps.
Route route_request(const WebConfig& cfg, RequestContext& rq, Reply& reply);

// --sessions, in every framing: before a request is routed, name_visitor() takes the visitor's id from its
// cookie (the HTTP/2 mapping has joined the cookie crumbs, RFC 9113 §8.2.3) into work.visit; then
// look_up_visitor() counts the visit on the store's thread, and for a new visitor puts the Set-Cookie value
// in work.set_cookie, which the caller copies into the RequestContext (rq.set_cookie, rq.private_response).
void name_visitor(Work& work, http::FieldsView fields);
awaitable<void> look_up_visitor(ServerState& server, Work& work);
// Route::session_info: the visitor in work.visit as JSON, never cached.
void serve_session_info(RequestContext& rq, Reply& reply);

}  // namespace endhost::web
