#include "http/server/request_router.hpp"

#include <cstring>
#include <string>

#include "http/server/cookie.hpp"
#include "http/server/replies.hpp"
#include "http/server/static_handler.hpp"
#include "http/server/url_path.hpp"
#include "http/server/visitor_store.hpp"

namespace endhost::web {

const Site* select_site(const WebConfig& cfg, std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    host = host.substr(0, host.find(']') + 1);
  } else if (const std::size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  const Site* fallback = nullptr;
  for (const Site& site : cfg.sites) {
    if (site.host.empty()) {
      fallback = &site;
    } else if (http::iequals(site.host, host)) {
      return &site;
    }
  }
  return fallback;
}

void aim_request(const WebConfig& cfg, RequestContext& rq) {
  std::string_view target = rq.head.target, host = rq.head.host;
  if (rq.head.target_form == http::TargetForm::absolute) {
    const AbsoluteParts abs = split_absolute(target);
    host = abs.authority;
    target = abs.origin;
  }
  const TargetParts parts = split_target(target);
  rq.path = parts.path.empty() ? std::string_view("/") : parts.path;
  rq.query = parts.query;
  rq.has_query = parts.has_query;
  rq.site = select_site(cfg, host);
}

Route route_request(const WebConfig& cfg, RequestContext& rq, Reply& reply) {
  const http::RequestHead& head = rq.head;
  const http::Method m = head.method_id;
  // RFC 9110 §15.6.2: a method the server does not implement; §9.3.7: OPTIONS * asks about the server,
  // OPTIONS /path about one resource.
  if (m == http::Method::unknown) {
    reply_error(rq, reply, http::Status::not_implemented);
    return Route::answered;
  }
  if (m == http::Method::options && head.target_form == http::TargetForm::asterisk) {
    reply_options(rq, reply, allowed_methods(cfg));
    return Route::answered;
  }
  const bool write = m == http::Method::put || m == http::Method::delete_ || m == http::Method::post;
  const bool read = m == http::Method::get || m == http::Method::head || m == http::Method::options;
  if (!(read || (write && cfg.writable))) {
    // A method we know but do not allow here (RFC 9110 §15.5.6): 405 with the methods that are.
    reply_error(rq, reply, http::Status::method_not_allowed, {}, {"Allow", allowed_methods(cfg)});
    return Route::answered;
  }
  if (head.target_form == http::TargetForm::asterisk) {
    reply_error(rq, reply, http::Status::bad_request);
    return Route::answered;
  }
  if (cfg.visitors && rq.path == kSessionPath) {
    if (m == http::Method::options) {
      reply_options(rq, reply, kReadOnlyAllow);
      return Route::answered;
    }
    return Route::session_info;
  }
  auto info = resolve_path(rq.path, rq.work.local);
  if (!info) {
    const http::Status status =
        info.error() == PathError::too_long ? http::Status::uri_too_long : http::Status::bad_request;
    reply_error(rq, reply, status, describe(info.error()));
    return Route::answered;
  }
  rq.path_info = *info;
  if (m == http::Method::options) {
    serve_options(rq, reply, allowed_methods(cfg));
    return Route::answered;
  }
  if (write) return Route::write;
  serve_static(rq, reply);
  // --add-header: on what the path's resource answers, not on its errors.
  const unsigned status = http::to_int(reply.head.status);
  if ((status >= 200 && status < 300) || status == 304) {
    for (const WebConfig::AddedField& f : cfg.add_header) {
      if (f.path == rq.path) reply.head.add(f.name, f.value);
    }
  }
  return Route::answered;
}

void name_visitor(Work& work, http::FieldsView fields) {
  work.set_cookie.clear();
  Visit& v = work.visit;
  v = Visit{};
  const auto cookie = find_cookie(fields, kSessionCookie);
  if (cookie && valid_session_id(*cookie)) std::memcpy(v.id, cookie->data(), kSessionIdLength);
}

awaitable<void> look_up_visitor(ServerState& server, Work& work) {
  struct Touch {
    VisitorStore* store;
    Visit request;
    std::time_t now;
    Visit operator()() const { return store->touch(request.id, now); }
  };
  Touch touch{server.config.visitors.get(), work.visit, std::time(nullptr)};
  const auto looked_up = co_await server.state_thread->run(touch);
  // A busy visitor thread is answered like a failed database: without a session.
  const Visit visit = looked_up ? *looked_up : Visit{};
  work.visit = visit;
  if (visit.ok && visit.is_new) {
    work.set_cookie = session_set_cookie(visit.id, server.config.session_max_age);
  }
}

void serve_session_info(RequestContext& rq, Reply& reply) {
  // GET /_session: the visitor's id and visit count, as the back-end database has them (this request
  // included). Never cached: it changes on every request.
  const http::Method m = rq.head.method_id;
  if (m != http::Method::get && m != http::Method::head) {
    return reply_error(rq, reply, http::Status::method_not_allowed, {}, {"Allow", "GET, HEAD"});
  }
  const Visit& v = rq.work.visit;
  if (!v.ok) return reply_error(rq, reply, http::Status::service_unavailable, "The visitor database failed.");
  std::string& json = rq.work.body;
  json = "{\"id\":\"";
  json += v.id;
  json += "\",\"visits\":";
  json += std::to_string(v.visits);
  json += "}\n";
  rq.private_response = false;  // no-store says more than private
  begin_reply(rq, reply, http::Status::ok);
  reply.head.add("Content-Type", "application/json");
  reply.head.add("Cache-Control", "no-store");
  set_memory_body(rq, reply);
}

}  // namespace endhost::web
