// The request dispatch of the webmail: the route table's checks in order (method, the custom header and
// Origin of every POST, the session cookie, the CSRF token), then the login, the compose, the event stream,
// or the store routes (webmail_store.cpp), which run whole on the blocking pool.
#include "mail/webmail/webmail.hpp"

#include <array>
#include <cmath>

#include "core/system_random.hpp"
#include "mail/webmail/json_text.hpp"
#include "mail/webmail/replies.hpp"
#include "mail/webmail/route.hpp"

namespace endhost::mail::webmail {

WebmailCounters::WebmailCounters(core::MetricsRegistry& metrics)
    : requests(&metrics.counter("endhost_webmail_requests_total", "Webmail HTTP requests")),
      logins(&metrics.counter("endhost_webmail_logins_total", "Webmail logins")),
      login_failures(&metrics.counter("endhost_webmail_login_failures_total", "Webmail logins refused")),
      rate_limited(
          &metrics.counter("endhost_webmail_rate_limited_total", "Webmail logins refused by the rate limit")),
      csrf_refused(&metrics.counter("endhost_webmail_csrf_refused_total",
                                    "Webmail POSTs refused for a missing or wrong CSRF token or origin")),
      sent(&metrics.counter("endhost_webmail_sent_total", "Messages sent from the webmail")),
      streams(&metrics.counter("endhost_webmail_streams_total", "Webmail event streams opened")) {}

Webmail::Webmail(Backend& backend, WebmailConfig config, const WebmailCounters& counters, core::Logger& log)
    : backend_(backend),
      config_(std::move(config)),
      counters_(counters),
      log_(log),
      sessions_(config_.sessions),
      limiter_(config_.logins) {}

std::chrono::milliseconds Webmail::now() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
}

namespace {

void count(core::Counter* c, std::size_t loop) {
  if (c) c->inc(1, loop);
}

Response asset(std::string_view body, std::string_view type) {
  Response r;
  r.content_type = std::string(type);
  r.body = std::string(body);
  return r;
}

// A POST must come from our own page: it carries X-Webmail (which no cross-site form can send, and which a
// cross-site fetch() can only send after a CORS preflight this server never answers), and its Origin and
// Sec-Fetch-Site, when the browser sends them, say the same origin (OWASP CSRF cheat sheet: "verifying
// origin with standard headers").
bool same_origin_post(const Request& req) {
  if (!req.fields.get("X-Webmail")) return false;
  if (auto site = req.fields.get("Sec-Fetch-Site")) {
    if (*site != "same-origin" && *site != "none") return false;
  }
  if (auto origin = req.fields.get("Origin")) {
    const std::string_view host = req.fields.get("Host").value_or("");
    if (host.empty()) return false;
    const std::string_view o = *origin;
    const bool ok = (o.starts_with("http://") && o.substr(7) == host) ||
                    (o.starts_with("https://") && o.substr(8) == host);
    if (!ok) return false;
  }
  return true;
}

std::string session_json(const SessionInfo& s, std::string_view address) {
  JsonWriter j;
  j.begin_object()
      .key("user")
      .value(s.user)
      .key("address")
      .value(address)
      .key("csrf")
      .value(s.csrf)
      .end_object();
  return j.take();
}

}  // namespace

awaitable<Response> Webmail::handle(const Request& req, std::size_t loop) {
  count(counters_.requests, loop);
  const RouteMatch m = match_route(req.method, req.path);
  if (!m.rule) co_return json_error(http::Status::not_found, "no such page");
  if (!m.method_allowed) {
    Response r = json_error(http::Status::method_not_allowed, "method not allowed");
    r.fields.add("Allow", m.allow);
    co_return r;
  }
  const RouteId id = m.rule->id;
  if (id == RouteId::Page) co_return asset(page_html(), "text/html; charset=utf-8");
  if (id == RouteId::Script) co_return asset(page_script(), "text/javascript; charset=utf-8");
  if (id == RouteId::Style) co_return asset(page_style(), "text/css; charset=utf-8");
  if (m.rule->post && !same_origin_post(req)) {
    count(counters_.csrf_refused, loop);
    co_return json_error(http::Status::forbidden, "cross-site request refused");
  }
  if (id == RouteId::Login) {
    Response r = co_await login(req, loop);
    co_return r;
  }
  const std::string cookie = cookie_value(req.fields, kCookieName);
  const std::optional<SessionInfo> session = sessions_.touch(cookie, now());
  if (!session) {
    Response r = json_error(http::Status::unauthorized, "not logged in");
    if (!cookie.empty()) r.fields.add("Set-Cookie", session_cookie("", secure(req)));
    co_return r;
  }
  if (m.rule->needs_csrf) {
    const std::string_view token = req.fields.get("X-CSRF-Token").value_or("");
    if (!tokens_equal(token, session->csrf)) {
      count(counters_.csrf_refused, loop);
      co_return json_error(http::Status::forbidden, "missing or wrong CSRF token");
    }
  }
  switch (id) {
    case RouteId::Session:
      co_return json_ok(session_json(*session, backend_.address_of(session->user)));
    case RouteId::Logout: {
      sessions_.remove(session->id);
      Response r = json_ok("{}");
      r.fields.add("Set-Cookie", session_cookie("", secure(req)));
      co_return r;
    }
    case RouteId::Send: {
      Response r = co_await send(req, *session, loop);
      co_return r;
    }
    case RouteId::Events:
      count(counters_.streams, loop);
      co_return events(*session);
    default:
      break;
  }
  const Request* rq = &req;
  const SessionInfo* s = &*session;
  const int route = static_cast<int>(id);
  auto job = [this, rq, s, route]() { return on_pool(*rq, *s, route); };
  auto done = co_await backend_.pool().run(job);
  if (!done) co_return json_error(http::Status::service_unavailable, "the server is busy: try again");
  co_return std::move(*done);
}

awaitable<Response> Webmail::login(const Request& req, std::size_t loop) {
  // A password in clear only from this machine (the browser on it, or a TLS proxy in front): from anywhere
  // else it would cross the network readable, and the session cookie after it (issue 12 §3).
  if (!req.tls && !req.trusted_peer) {
    count(counters_.login_failures, loop);
    co_return json_error(http::Status::forbidden,
                         "log in over HTTPS: a password over plain HTTP is accepted only from this machine "
                         "(start the mail server with --tls-cert and --tls-key)");
  }
  const Form form = parameters(req);
  const std::string user = form.get_or("user", "");
  const std::string password = form.get_or("password", "");
  if (user.empty() || password.empty() || user.size() > 256 || password.size() > 1024)
    co_return json_error(http::Status::bad_request, "give a user name and a password");
  // Per client address and per user name tried: one address cannot try many names fast, and many
  // addresses cannot try one name fast (OWASP authentication cheat sheet).
  const std::string by_address = "a:" + req.peer_address;
  std::string by_user = "u:" + user;
  for (char& c : by_user)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  const auto t = now();
  auto wait = limiter_.retry_after(by_address, t);
  const auto wait_user = limiter_.retry_after(by_user, t);
  if (!wait || (wait_user && *wait_user > *wait)) wait = wait_user;
  if (wait) {
    count(counters_.rate_limited, loop);
    Response r = json_error(http::Status::too_many_requests, "too many failed logins: wait and try again");
    const auto seconds = (wait->count() + 999) / 1000;
    r.fields.add("Retry-After", std::to_string(seconds < 1 ? 1 : seconds));
    co_return r;
  }
  const std::string_view name = user, pass = password;
  const std::optional<std::string> who = co_await backend_.login(name, pass);
  if (!who) {
    count(counters_.login_failures, loop);
    limiter_.failed(by_address, now());
    limiter_.failed(by_user, now());
    log_.info("webmail login failed", {{"service", "mail"}, {"user", user}, {"peer", req.peer_address}});
    co_return json_error(http::Status::unauthorized, "wrong user name or password");
  }
  limiter_.succeeded(by_user);
  count(counters_.logins, loop);
  std::array<std::uint8_t, 2 * kTokenBytes> random{};
  core::SystemRandom rng;
  rng.fill(random);
  const SessionInfo s = sessions_.create(*who, random, now());
  Response r = json_ok(session_json(s, backend_.address_of(s.user)));
  r.fields.add("Set-Cookie", session_cookie(s.id, secure(req)));
  co_return r;
}

}  // namespace endhost::mail::webmail
