#include "http/proxy/session.hpp"

#include <algorithm>
#include <array>

#include "core/address_acl_asio.hpp"
#include "http/cache/invalidation.hpp"
#include "http/cache/storability.hpp"
#include "http/cache/targeted.hpp"
#include "http/serializer.hpp"
#include "http2/frame/preface.hpp"

namespace endhost::http::proxy {

namespace {

ServerConnection::Options connection_options(const Limits& limits) {
  ServerConnection::Options o;
  o.limits = limits;
  o.read_size = 64 * 1024;  // room for a request head at its limit plus one large read
  return o;
}

asio::ip::address unmapped(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return a;
}

// Whether host:port is this proxy: the address the client reached us on, or one we listen on (a wildcard
// listener is every local address; loopback and "localhost" are the ones we can tell without asking the
// kernel). Names other than localhost are not resolved here: the Via check catches them one hop later.
bool is_own_address(std::string_view host, std::uint16_t port, const asio::ip::tcp::endpoint& local,
                    const std::vector<asio::ip::tcp::endpoint>& listening) {
  boost::system::error_code ec;
  asio::ip::address target;
  if (iequals(host, "localhost")) {
    target = asio::ip::make_address_v4("127.0.0.1");
  } else {
    target = asio::ip::make_address(std::string(host), ec);
    if (ec) return false;
  }
  target = unmapped(target);
  if (port == local.port() && target == unmapped(local.address())) return true;
  for (const auto& ep : listening) {
    if (ep.port() != port) continue;
    const auto a = unmapped(ep.address());
    if (a == target || (a.is_unspecified() && (target.is_loopback() || target == unmapped(local.address()))))
      return true;
  }
  return false;
}

// Max-Forwards = 1*DIGIT (RFC 9110 §7.6.2); a value too large for 64 bits is as good as infinite.
std::optional<std::uint64_t> parse_max_forwards(std::string_view v) {
  if (v.empty()) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n > (UINT64_MAX - 9) / 10 ? UINT64_MAX : n * 10 + static_cast<unsigned>(c - '0');
  }
  return n;
}

// Our received-by in Via: "1.1 endhost" → "endhost".
std::string_view via_pseudonym(std::string_view via) {
  const auto space = via.rfind(' ');
  return space == std::string_view::npos ? via : via.substr(space + 1);
}

}  // namespace

Session::Session(ProxyState& state, core::Connection& conn)
    : st_(state),
      conn_(conn),
      loop_(*state.loops[conn.loop().index() % state.loops.size()]),
      shard_(conn.loop().index()),
      http_(connection_options(state.config.request_limits)) {
  out_.reserve(4096);
}

Session::Session(ProxyState& state, core::Connection& conn, StreamSink& sink) : Session(state, conn) {
  sink_ = &sink;
}

awaitable<bool> Session::serve_stream(const RequestHead& head, bool has_body) {
  started_ = std::chrono::steady_clock::now();
  outcome_ = Outcome{};
  keep_alive_ = true;
  head_request_ = head.method_id == Method::head;
  stream_has_body_ = has_body;
  st_.metrics.requests.inc(1, shard_);
  co_await handle(head);
  co_return !broken_;
}

cache::Time Session::now() const {
  return st_.clock.wall_now();
}

std::string Session::date() {
  return std::string(loop_.dates.get(std::time(nullptr)));
}

awaitable<void> Session::run() {
  const auto& peer = conn_.peer();
  st_.config.client_transcript.note(peer, "connection opened");
  st_.metrics.open_connections.add(1, shard_);
  for (;;) {
    head_request_ = false;
    if (!conn_.begin_idle()) break;
    conn_.expires_after(st_.config.idle_timeout);
    const ReadStatus status = co_await read_head();
    conn_.end_idle();
    if (status == ReadStatus::closed) break;
    if (status == ReadStatus::http2) {
      saw_preface_ = true;  // ProxyServer::serve carries on with run_h2_session
      break;
    }
    started_ = std::chrono::steady_clock::now();
    outcome_ = Outcome{};
    if (status == ReadStatus::invalid && parse_error_.code == Errc::tls_on_plain_port) {
      // A TLS client cannot read an HTTP answer: close at once, as nginx does.
      outcome_.cache = "ERROR";
      write_access_log(http_.head(), nullptr);
      break;
    }
    if (status == ReadStatus::invalid) {
      // The parser's error says which status (400, 414, 431, 501, 505); the framing is no longer trusted.
      keep_alive_ = false;
      outcome_.cache = "ERROR";
      const std::string text = std::string(describe(parse_error_.code)) + "\n";
      co_await respond(parse_error_.status, text);
      write_access_log(http_.head(), nullptr);
      break;
    }
    RequestHead head = http_.head();
    head_request_ = head.method_id == Method::head;
    if (st_.config.client_transcript.enabled())
      st_.config.client_transcript.client(peer, http_.head_bytes().substr(0, http_.head_bytes().size() - 2));
    keep_alive_ = head.keep_alive;
    st_.metrics.requests.inc(1, shard_);
    const bool keep = co_await handle(head);
    // An unread body (a PURGE's) is drained before the next request, or the connection closes.
    http_.response_done(!keep || !keep_alive_ || conn_.draining());
    if (http_.closed()) break;
  }
  st_.metrics.open_connections.add(-1, shard_);
  if (!saw_preface_) st_.config.client_transcript.note(peer, "connection closed");
}

awaitable<Session::ReadStatus> Session::read_head() {
  bool first = http_.idle();
  for (;;) {
    bool partial_preface = false;
    if (http_.buffered() > 0 && http_.requests() == 0 && conn_.stream().is_plain()) {
      // RFC 9113 §3.4: a client with prior knowledge of h2c opens with the preface instead of a request.
      const http2::PrefaceMatch m = http2::match_preface(http_.pending());
      if (m == http2::PrefaceMatch::complete) co_return ReadStatus::http2;
      partial_preface = m == http2::PrefaceMatch::partial;
    }
    if (!partial_preface) {
      switch (http_.next()) {
        case ServerConnection::Event::head:
          co_return ReadStatus::ok;
        case ServerConnection::Event::error:
          parse_error_ = http_.error();
          co_return ReadStatus::invalid;
        case ServerConnection::Event::need_more:
          break;
        default:  // closed (the peer left, or a drained body was too large)
          co_return ReadStatus::closed;
      }
    }
    const std::span<char> space = http_.read_space();
    if (space.empty()) {
      parse_error_ = make_error(Errc::head_too_large, Status::request_header_fields_too_large);
      co_return ReadStatus::invalid;
    }
    auto [ec, n] =
        co_await conn_.stream().async_read_some(asio::buffer(space.data(), space.size()), use_nothrow);
    if (ec) co_return ReadStatus::closed;
    http_.commit(n);
    if (first) {
      // The client started a request: it now has header_timeout to finish it, however long it idled.
      first = false;
      conn_.end_idle();
      conn_.expires_after(st_.config.header_timeout);
    }
  }
}

void Session::own_head(RequestHead& head) {
  owned_ = head.to_owned();
  owned_views_.clear();
  for (const Field& f : owned_.fields) owned_views_.push_back({f.name, f.value});
  head.method = owned_.method;
  head.target = owned_.target;
  head.fields = FieldsView(owned_views_);
  head.host = head.fields.get("host").value_or(std::string_view());
}

awaitable<bool> Session::read_body(std::string& body, BodyReservation& reserved) {
  // An idle timeout, not a deadline for the whole body: a large upload on a slow link keeps going as long
  // as bytes keep coming; a client silent for read_timeout gets 408.
  conn_.expires_after(st_.config.read_timeout);
  for (;;) {
    const ServerConnection::Event event = http_.next();
    if (event == ServerConnection::Event::body_end) co_return true;
    if (event == ServerConnection::Event::send_continue) {
      // RFC 9110 §10.1.1: tell the client to send the body we are going to read.
      const bool continued = co_await write("HTTP/1.1 100 Continue\r\n\r\n");
      if (!continued) co_return false;
      conn_.expires_after(st_.config.read_timeout);
      continue;
    }
    if (event == ServerConnection::Event::error) {
      keep_alive_ = false;
      outcome_.cache = "ERROR";
      const std::string text = std::string(describe(http_.error().code)) + "\n";
      co_await respond(http_.error().status, text);
      co_return false;
    }
    if (event == ServerConnection::Event::body) {
      const std::string_view data = http_.body_data();
      // A Content-Length body was reserved (and allocated) whole before it was read; chunked data grows the
      // string, and what the string is about to allocate is reserved first (doubling, up to the body limit).
      const std::size_t need = body.size() + data.size();
      if (need > body.capacity()) {
        const std::size_t limit = std::max<std::size_t>(need, st_.config.request_limits.max_body_size);
        std::size_t capacity = std::min(std::max(need, 2 * body.capacity()), limit);
        // Short of room for the doubling, the exact size may still fit.
        if (!reserved.grow(capacity - body.capacity())) {
          capacity = need;
          if (!reserved.grow(capacity - body.capacity())) {
            co_await refuse_body();
            co_return false;
          }
        }
        body.reserve(capacity);
      }
      body.append(data);
      continue;
    }
    if (event != ServerConnection::Event::need_more) co_return false;  // closed inside the body
    const std::span<char> space = http_.read_space();
    if (space.empty()) co_return false;
    auto [ec, n] =
        co_await conn_.stream().async_read_some(asio::buffer(space.data(), space.size()), use_nothrow);
    if (ec) {
      if (conn_.timed_out()) {
        conn_.clear_timed_out();
        keep_alive_ = false;
        outcome_.cache = "ERROR";
        co_await respond(Status::request_timeout, "the request body stalled\n");
      }
      co_return false;
    }
    http_.commit(n);
    conn_.expires_after(st_.config.read_timeout);
  }
}

awaitable<void> Session::refuse_body() {
  st_.metrics.body_buffer_full.inc(1, shard_);
  // The body is not read (or not all of it): the framing of what follows is unknown, so the connection ends.
  keep_alive_ = false;
  outcome_.cache = "ERROR";
  co_await respond(Status::service_unavailable,
                   "the proxy is holding too many request bodies; try again shortly\n", nullptr, 1);
}

awaitable<bool> Session::write(std::string_view head, std::string_view body) {
  if (sink_) {
    if (!head.empty()) {
      const bool sent = co_await sink_->send(head);
      if (!sent) co_return false;
    }
    if (body.empty()) co_return true;
    co_return co_await sink_->send(body);
  }
  conn_.expires_after(st_.config.send_timeout);
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head.data(), head.size()),
                                            asio::buffer(body.data(), body.size())};
  auto [ec, n] = co_await asio::async_write(conn_.stream(), buffers, use_nothrow);
  co_return !ec;
}

awaitable<bool> Session::write_chunk(std::string_view data) {
  if (data.empty()) co_return true;
  if (sink_) co_return co_await sink_->send(data);  // HTTP/2 frames the body itself
  char size_line[24];
  int len = std::snprintf(size_line, sizeof size_line, "%zx\r\n", data.size());
  conn_.expires_after(st_.config.send_timeout);
  std::array<asio::const_buffer, 3> buffers{asio::buffer(size_line, static_cast<std::size_t>(len)),
                                            asio::buffer(data.data(), data.size()), asio::buffer("\r\n", 2)};
  auto [ec, n] = co_await asio::async_write(conn_.stream(), buffers, use_nothrow);
  co_return !ec;
}

awaitable<bool> Session::write_last_chunk() {
  if (sink_) co_return true;  // the stream's END_STREAM ends the body (h2_session.cpp)
  co_return co_await write("0\r\n\r\n");
}

awaitable<bool> Session::respond(Status status, std::string_view text, const cache::CacheStatus* cs,
                                 unsigned retry_after, std::string_view extra) {
  std::string cache_status;
  if (cs) cache::append_cache_status(cache_status, st_.config.cache_name, *cs);
  out_.clear();
  append_simple_response(out_, status, text, keep_alive_, st_.config.via, cache_status, date(), head_request_,
                         retry_after, extra);
  outcome_.status = to_int(status);
  if (trace_heads())
    st_.config.client_transcript.server(conn_.peer(),
                                        std::string_view(out_).substr(0, out_.find("\r\n\r\n")));
  const bool ok = co_await write(out_);
  co_return ok&& keep_alive_;
}

void Session::write_access_log(const RequestHead& head, const Route* route) {
  if (!st_.access_log) return;
  AccessRecord r;
  r.unix_micros = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  r.client = conn_.peer();
  r.method = head.method;
  std::string url = route ? route->target.to_string() : std::string(head.target);
  r.url = url;
  r.status = outcome_.status;
  r.bytes = outcome_.bytes;
  r.cache_result = outcome_.cache;
  r.upstream_status = outcome_.upstream_status;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  st_.access_log->write(shard_, r);
}

awaitable<bool> Session::handle(const RequestHead& original) {
  RequestHead head = original;
  if (head.method_id == Method::connect && sink_) {
    co_await handle_connect_stream(head);
    write_access_log(head, nullptr);
    co_return true;
  }
  if (head.method_id == Method::connect) {
    const bool keep = co_await handle_connect(head);
    write_access_log(head, nullptr);
    co_return keep;
  }
  if (head.method == "PURGE") {
    const bool keep = co_await handle_purge(head);
    write_access_log(head, nullptr);
    co_return keep;
  }
  // A body must be read before anything else happens on the connection.
  std::string body;
  BodyReservation reserved(st_.body_buffered, st_.config.max_body_buffer);  // given back when handled
  const bool has_body = sink_ ? stream_has_body_ : head.framing.kind != BodyKind::none;
  if (has_body && sink_) {
    // HTTP/2: the head is the stream's own copy; DATA frames bring the body (limits as for HTTP/1.1).
    const StreamSink::BodyRead read =
        co_await sink_->read_body(body, reserved, st_.config.request_limits.max_body_size);
    if (read == StreamSink::BodyRead::gone) co_return false;
    if (read != StreamSink::BodyRead::ok) {
      if (read == StreamSink::BodyRead::no_budget) {
        co_await refuse_body();
      } else {
        outcome_.cache = "ERROR";
        const bool stalled = read == StreamSink::BodyRead::stalled;
        co_await respond(stalled ? Status::request_timeout : Status::content_too_large,
                         stalled ? "the request body stalled\n" : "the request body is too large\n");
      }
      write_access_log(head, nullptr);
      co_return false;
    }
  } else if (has_body) {
    own_head(head);
    // A Content-Length body is reserved whole before any of it is read (or 100 Continue invites it).
    if (head.framing.kind == BodyKind::length) {
      if (!reserved.grow(head.framing.length)) {
        co_await refuse_body();
        write_access_log(head, nullptr);
        co_return false;
      }
      body.reserve(head.framing.length);
    }
    // With Expect: 100-continue, read_body() sends the 100 first.
    const bool body_read = co_await read_body(body, reserved);
    if (!body_read) co_return false;
  }
  // RFC 9110 §7.6.2: OPTIONS and TRACE count their hops down; at 0 this proxy is the final recipient.
  std::optional<std::uint64_t> max_forwards;
  if (head.method_id == Method::options || head.method_id == Method::trace) {
    if (auto mf = head.fields.get("max-forwards")) {
      auto value = parse_max_forwards(*mf);
      if (!value) {
        outcome_.cache = "ERROR";
        const bool keep = co_await respond(Status::bad_request, "Max-Forwards is not a number\n");
        write_access_log(head, nullptr);
        co_return keep;
      }
      if (*value == 0) {
        const bool keep = co_await answer_max_forwards(head);
        write_access_log(head, nullptr);
        co_return keep;
      }
      max_forwards = *value - 1;
    }
  }
  auto route = route_request(head, st_.config.routes);
  if (!route) {
    outcome_.cache = "ERROR";
    const std::string text = route.error().reason + "\n";
    const bool keep = co_await respond(route.error().status, text);
    write_access_log(head, nullptr);
    co_return keep;
  }
  // RFC 9110 §7.6.3: Via lets a proxy see its own name coming back. A reverse proxy whose origin is itself,
  // or two proxies sending to each other, would call themselves until the connections run out; a request
  // for our own address (curl -x P http://P/) is refused before it leaves.
  const bool named = via_names(head.fields, via_pseudonym(st_.config.via));
  if (named || is_own_address(route->upstream_host, route->upstream_port, conn_.local(), st_.listening)) {
    outcome_.cache = "ERROR";
    st_.log.warn("forwarding loop refused", {{"client", conn_.peer()}, {"url", route->target.to_string()}});
    const std::string why = named ? "this request already passed through " +
                                        std::string(via_pseudonym(st_.config.via)) +
                                        " (chained proxies need different --via names)"
                                  : "the request is for this proxy itself";
    const std::string text = "forwarding loop detected: " + why + "\n";
    const bool keep = co_await respond(Status::loop_detected, text);
    write_access_log(head, &*route);
    co_return keep;
  }
  bool keep;
  if ((head.method_id == Method::get || head.method_id == Method::head) && !has_body)
    keep = co_await handle_cacheable(head, *route);
  else
    keep = co_await handle_pass(head, *route, body, max_forwards);
  write_access_log(head, &*route);
  co_return keep;
}

awaitable<bool> Session::answer_max_forwards(const RequestHead& head) {
  outcome_.cache = "MAX-FORWARDS";
  if (head.method_id == Method::options) {
    // §9.3.7: the options of this proxy, as the final recipient.
    const std::string_view allow = st_.config.routes.mode == ProxyMode::reverse ? kReverseAllow : kProxyAllow;
    co_return co_await respond(Status::ok, "", nullptr, 0, allow);
  }
  // §9.3.8: TRACE reflects the request as received, as message/http. Credentials are left out (§9.3.8
  // says to exclude fields likely to hold sensitive data), so a script cannot read them back (XST).
  std::string body;
  body += head.method;
  body += ' ';
  body += head.target;
  body += head.version == http10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n";
  for (const FieldView& f : head.fields) {
    if (iequals(f.name, "cookie") || iequals(f.name, "authorization") ||
        iequals(f.name, "proxy-authorization"))
      continue;
    append_field(body, f.name, f.value);
  }
  body += "\r\n";
  out_.clear();
  append_status_line(out_, http11, Status::ok);
  append_field(out_, "Date", date());
  append_field(out_, "Content-Type", "message/http");
  append_field(out_, "Content-Length", std::to_string(body.size()));
  append_field(out_, "Cache-Control", "no-store");
  if (!st_.config.via.empty()) append_field(out_, "Via", st_.config.via);
  if (!keep_alive_) append_field(out_, "Connection", "close");
  append_end_of_head(out_);
  outcome_.status = 200;
  outcome_.bytes = body.size();
  const bool ok = co_await write(out_, body);
  co_return ok&& keep_alive_;
}

awaitable<bool> Session::handle_purge(const RequestHead& head) {
  st_.metrics.purges.inc(1, shard_);
  outcome_.cache = "PURGE";
  const auto client = conn_.remote().address();
  const bool allowed = core::allows(st_.config.purge_from, client);
  if (!allowed) co_return co_await respond(Status::forbidden, "PURGE is not allowed from your address\n");
  auto route = route_request(head, st_.config.routes);
  if (!route) {
    const std::string text = route.error().reason + "\n";
    co_return co_await respond(route.error().status, text);
  }
  const std::size_t removed = st_.store.remove(cache::cache_key(route->target));
  if (removed == 0) {
    const std::string text = "not in the cache: " + route->target.to_string() + "\n";
    co_return co_await respond(Status::not_found, text);
  }
  const std::string text =
      "purged " + std::to_string(removed) + " object(s) for " + route->target.to_string() + "\n";
  co_return co_await respond(Status::ok, text);
}

awaitable<bool> Session::handle_pass(const RequestHead& head, const Route& route, std::string_view body,
                                     std::optional<std::uint64_t> max_forwards) {
  st_.metrics.passes.inc(1, shard_);
  outcome_.cache = "PASS";
  std::string request;
  UpstreamRequest up;
  up.method = head.method;
  up.route = &route;
  up.client_fields = head.fields;
  up.body = body;
  up.via = request_via();
  up.surrogate_capability = st_.config.surrogate_capability;
  up.max_forwards = max_forwards;
  append_upstream_request(request, up);
  Exchange ex(loop_.pool, st_.exchange);
  // RFC 9110 §9.2.2: only idempotent requests may be retried on a fresh connection.
  const bool idempotent = cache::is_safe_method(head.method) || head.method_id == Method::put ||
                          head.method_id == Method::delete_;
  const cache::Time request_time = now();
  // 1xx responses (103 Early Hints after a POST, 102 Processing) reach the client here too (RFC 9110 §15.2).
  auto started = co_await start_upstream(ex, head, route, request, idempotent);
  if (!started) {
    st_.metrics.upstream_errors.inc(1, shard_);
    const cache::CacheStatus cs =
        cache::cache_forward(cache::Forward::method, {}, {}, to_string(started.error().code));
    const Status status = upstream_failure_status(started.error().code);
    const std::string text = started.error().message + "\n";
    co_return co_await respond(status, text, &cs);
  }
  // RFC 9111 §4.4: a successful unsafe request makes what we hold for its URI (and same-origin Location and
  // Content-Location) stale.
  for (const std::string& key :
       cache::invalidated_keys(head.method, ex.head().status, route.target, ex.head().fields))
    st_.store.remove(key);
  FlightGuard none;
  // RFC 9110 §9.3.3: a POST's answer that names its own URI in Content-Location, with explicit freshness,
  // is that URI's new representation: stored (after the invalidation above) for the GETs that follow.
  if (head.method_id == Method::post) {
    const ResponseHead& rh = ex.head();
    const cache::HeuristicPolicy& policy = st_.store.options().heuristic;
    bool targeted = false;
    const cache::CacheControl res_cc =
        cache::response_cache_control(rh.fields, policy.targeted_fields, policy.surrogate_token, &targeted);
    // A POST is where logins set cookies: such an answer is stored only when the origin says `public`.
    const bool cookie = rh.fields.contains("set-cookie") && !res_cc.public_;
    if (!cookie && cache::post_response_reusable(route.target, rh.status, rh.fields, res_cc,
                                                 !targeted && rh.fields.contains("expires"))) {
      key_ = cache::cache_key(route.target);
      const cache::CacheControl req_cc = cache::parse_cache_control(head.fields);
      co_return co_await forward_response(head, ex, cache::Forward::method, none, request_time, &req_cc,
                                          true);
    }
  }
  co_return co_await forward_response(head, ex, cache::Forward::method, none, now(), nullptr, false);
}

}  // namespace endhost::http::proxy
