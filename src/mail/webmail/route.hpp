// The webmail's routes, one table (STYLE.md practice 8): each path with its method and what it needs — a
// session, and for every state-changing request the session's CSRF token. The request's parameters are in
// its query (GET) or its form body (POST), never in the path, so paths compare exactly. Sans-I/O.
#pragma once

#include <cstdint>
#include <string_view>

namespace endhost::mail::webmail {

enum class RouteId : std::uint8_t {
  NotFound,
  Page,      // GET /: the application's one page
  Script,    // GET /app.js
  Style,     // GET /app.css
  Session,   // GET /api/session: who is logged in, and the CSRF token
  Login,     // POST /api/login (user, password)
  Logout,    // POST /api/logout
  Folders,   // GET /api/folders: names, special use, message and unread counts
  Messages,  // GET /api/messages?folder=&page=&q=: a page of the list, newest first
  Message,   // GET /api/message?folder=&uid=: headers, text, attachments
  Html,    // GET /api/message/html?folder=&uid=[&remote=1]: the sanitised HTML part, for the sandboxed frame
  Part,    // GET /api/part?folder=&uid=&part=: one part's decoded bytes, as an attachment
  Source,  // GET /api/source?folder=&uid=: the whole message as stored, as an attachment NAME.eml
  Flags,   // POST /api/flags (folder, uids, flag, set)
  Move,    // POST /api/move (folder, uids, to)
  Delete,  // POST /api/delete (folder, uids): to Trash, or expunged when already there
  Send,    // POST /api/send: multipart/form-data with to, cc, subject, body and files
  Events,  // GET /api/events: Server-Sent Events
};

struct RouteRule {
  std::string_view path;
  RouteId id;
  bool post;           // POST, else GET (and HEAD)
  bool needs_session;  // 401 without a live session
  bool needs_csrf;     // 403 without the session's token (X-CSRF-Token)
};

struct RouteMatch {
  const RouteRule* rule = nullptr;  // null: 404
  bool method_allowed = false;      // false: 405 with Allow
  std::string_view allow;           // "GET, HEAD" or "POST"
};

// `method` as sent ("GET", "HEAD", "POST", …); `path` without the query.
RouteMatch match_route(std::string_view method, std::string_view path);

}  // namespace endhost::mail::webmail
