#include "mail/webmail/route.hpp"

#include <array>

namespace endhost::mail::webmail {

namespace {

// Login needs no session and has no token yet: it is protected by the custom header every API POST must
// carry (webmail.cpp) — a cross-site form cannot set one, and a cross-site fetch() with one needs a CORS
// preflight this server never answers.
constexpr std::array kRoutes = std::to_array<RouteRule>({
    {"/", RouteId::Page, false, false, false},
    {"/app.js", RouteId::Script, false, false, false},
    {"/app.css", RouteId::Style, false, false, false},
    {"/api/session", RouteId::Session, false, false, false},
    {"/api/login", RouteId::Login, true, false, false},
    {"/api/logout", RouteId::Logout, true, true, true},
    {"/api/folders", RouteId::Folders, false, true, false},
    {"/api/messages", RouteId::Messages, false, true, false},
    {"/api/message", RouteId::Message, false, true, false},
    {"/api/message/html", RouteId::Html, false, true, false},
    {"/api/part", RouteId::Part, false, true, false},
    {"/api/source", RouteId::Source, false, true, false},
    {"/api/flags", RouteId::Flags, true, true, true},
    {"/api/move", RouteId::Move, true, true, true},
    {"/api/delete", RouteId::Delete, true, true, true},
    {"/api/send", RouteId::Send, true, true, true},
    {"/api/events", RouteId::Events, false, true, false},
});

}  // namespace

RouteMatch match_route(std::string_view method, std::string_view path) {
  RouteMatch m;
  for (const RouteRule& r : kRoutes) {
    if (r.path != path) continue;
    m.rule = &r;
    m.allow = r.post ? "POST" : "GET, HEAD";
    m.method_allowed = r.post ? method == "POST" : (method == "GET" || method == "HEAD");
    return m;
  }
  return m;
}

}  // namespace endhost::mail::webmail
