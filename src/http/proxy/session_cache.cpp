// The cache path of a session: GET and HEAD answered from the store when RFC 9111 allows it, validated with
// a conditional request when it does not, fetched (collapsed with concurrent misses) and stored otherwise.
#include <fcntl.h>
#include <unistd.h>

#include <optional>

#include "http/cache/entry.hpp"
#include "http/cache/hop_by_hop.hpp"
#include "http/cache/invalidation.hpp"
#include "http/cache/range.hpp"
#include "http/cache/reuse.hpp"
#include "http/cache/storability.hpp"
#include "http/cache/targeted.hpp"
#include "http/cache/validation.hpp"
#include "http/field_value.hpp"
#include "http/proxy/file_send.hpp"
#include "http/proxy/session.hpp"
#include "http/serializer.hpp"

namespace endhost::http::proxy {

namespace {

using cache::CacheStatus;
using cache::Forward;

// Reads a small stored body into memory (then kept in the memory tier).
bool read_file_range(const cache::Object& o, std::string& out) {
  const int fd = o.open_body();
  if (fd < 0) return false;
  out.resize(o.body_size());
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n =
        ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(o.body_offset() + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return done == out.size();
}

// Fields of a stored object as sent with a partial or 304 response, or with qualified no-cache fields left
// out: everything but the ones listed.
bool has_conditional(FieldsView fields) {
  return fields.contains("if-none-match") || fields.contains("if-modified-since");
}

// RFC 9111 §3.3: a stored partial response answers only a GET for one range wholly inside what it holds,
// with no validators of the client's own (they would be about the complete representation). For any other
// request it is as if nothing were stored: the request goes forward, and what comes back may replace it.
bool partial_unusable(const RequestHead& head, const cache::Object& obj) {
  if (obj.info().status != Status::partial_content) return false;
  if (head.method_id != Method::get || has_conditional(head.fields) || head.fields.contains("if-match") ||
      head.fields.contains("if-unmodified-since"))
    return true;
  const auto& held = obj.info().held;
  // The held range must be the stored body, byte for byte (storable_partial made it so; a damaged or
  // altered object is not trusted with offsets).
  if (!held || held->held.size() != obj.body_size() ||
      !cache::if_range_allows(head.fields.get("if-range"), obj.meta().fields))
    return true;
  return !cache::range_within(head.fields.get("range"), *held);
}

// Drops an unusable partial from what find() returned; true when it did.
bool drop_unusable_partial(cache::Found& found, const RequestHead& head) {
  if (!found.object || !partial_unusable(head, *found.object)) return false;
  found = cache::Found{nullptr, nullptr, true};
  return true;
}

// A 206 the cache may store (§3.3): one Content-Range of a representation of known length, and a body
// framed by a Content-Length that says exactly that many bytes, so what is stored is what it claims.
bool storable_partial(const ResponseHead& rh) {
  if (rh.status != Status::partial_content || rh.framing.kind != BodyKind::length) return false;
  std::optional<std::string_view> value;
  for (const FieldView& f : rh.fields) {
    if (!iequals(f.name, "content-range")) continue;
    if (value) return false;  // two of them: which one is the body?
    value = f.value;
  }
  const auto held = value ? cache::parse_content_range(*value) : std::nullopt;
  return held && rh.framing.length == held->held.size();
}

// After waiting for another request's fetch of the same key: the Cache-Status to serve what that fetch
// left in the store as a collapsed hit, or nothing when it is not fresh enough for this request.
std::optional<CacheStatus> collapsed_hit(ProxyState& st, std::size_t shard, const cache::Found& again,
                                         const cache::CacheControl& req_cc, cache::Time now) {
  if (!again.object) return std::nullopt;
  const cache::ReuseDecision d = cache::decide_reuse(again.object->info(), req_cc, now);
  if (d.action != cache::Reuse::fresh && d.action != cache::Reuse::stale_ok) return std::nullopt;
  st.metrics.hits.inc(1, shard);
  st.metrics.collapsed.inc(1, shard);
  CacheStatus cs = cache::cache_hit(d.ttl.count());
  cs.collapsed = true;
  return cs;
}

}  // namespace

bool store_set_cookie_as_rfc(const ProxyConfig& config) {
  return config.routes.mode == ProxyMode::reverse;
}

void strip_set_cookie(const ProxyConfig& config, Fields& stored) {
  if (store_set_cookie_as_rfc(config)) return;
  // Only `public` says the whole response, cookie included, is meant for everyone; s-maxage alone makes
  // the content shareable, not the client's session (RFC 9111 §3.1 lets a cache leave fields out).
  if (!cache::parse_cache_control(stored).public_) stored.erase("set-cookie");
}

awaitable<cache::ObjectPtr> commit_on_disk(ProxyState& st, cache::ObjectWriter writer, std::size_t shard) {
  // fsync and rename block: they run on the disk pool while this coroutine waits.
  // The job captures frame locals, never the by-value parameters (GCC 12 rule 4, docs/internals/core.md).
  cache::ObjectWriter pending = std::move(writer);
  auto commit = [&st, &pending] { return st.store.commit(std::move(pending)); };
  auto result = co_await st.disk.run(commit);
  if (!result || !*result) {
    st.log.warn("cache write failed", {{"error", result ? result->error() : result.error()}});
    co_return nullptr;
  }
  // Null: an invalidation of the key came while the object was in flight, and won (store.hpp).
  if (**result) st.metrics.stored.inc(1, shard);
  co_return **result;
}

awaitable<cache::ObjectPtr> freshen_on_disk(ProxyState& st, cache::ObjectPtr old, cache::ObjectMeta meta) {
  cache::ObjectPtr stored = std::move(old);
  cache::ObjectMeta fresh = std::move(meta);
  auto freshen = [&st, &stored, &fresh] { return st.store.freshen(stored, std::move(fresh)); };
  auto result = co_await st.disk.run(freshen);
  if (!result || !*result) {
    st.log.warn("cache update failed", {{"error", result ? result->error() : result.error()}});
    co_return nullptr;
  }
  co_return **result;
}

StorePlan plan_store(ProxyState& st, const std::string& key, FieldsView request_fields,
                     const cache::CacheControl& req_cc, const ResponseHead& rh, cache::Time request_time,
                     cache::Time response_time, std::string_view date) {
  StorePlan plan;
  // RFC 9213: in reverse mode CDN-Cache-Control (or our own targeted field, or Surrogate-Control) replaces
  // Cache-Control and Expires for this cache's decisions.
  bool targeted = false;
  const cache::HeuristicPolicy& policy = st.store.options().heuristic;
  const cache::CacheControl res_cc =
      cache::response_cache_control(rh.fields, policy.targeted_fields, policy.surrogate_token, &targeted);
  const cache::VarySpec vary = cache::parse_vary(rh.fields);
  const cache::StoreVerdict verdict = cache::can_store(
      {Method::get, &req_cc, request_fields.contains("authorization"), rh.status, storable_partial(rh),
       &res_cc, !targeted && rh.fields.contains("expires"), vary.star});
  if (verdict != cache::StoreVerdict::store) {
    plan.not_stored = cache::to_string(verdict);
    return plan;
  }
  // Set-Cookie is one client's state. RFC 9111 §7.3 lets a cache store and replay it, but a forward proxy
  // that does hands one browser's session to the next; so there, like Varnish, we store such a response
  // only when the origin made it explicitly shared (public or s-maxage). A reverse proxy follows the RFC.
  if (!store_set_cookie_as_rfc(st.config) && rh.fields.contains("set-cookie") && !res_cc.public_ &&
      !res_cc.s_maxage) {
    plan.not_stored = "set-cookie";
    return plan;
  }
  cache::ObjectMeta meta;
  meta.key = key;
  meta.variant = cache::secondary_key(vary, request_fields);
  meta.request_time = request_time;
  meta.response_time = response_time;
  meta.status = rh.status;
  meta.reason = std::string(rh.reason);
  meta.fields = Fields(rh.fields);
  cache::remove_hop_by_hop(meta.fields);
  // The stored body is decoded; its length is added when it is served.
  meta.fields.erase("content-length");
  // RFC 9111 §5.2.2.7: a shared cache must not store the fields named by private="…".
  for (const std::string& name : res_cc.private_fields) meta.fields.erase(name);
  strip_set_cookie(st.config, meta.fields);
  // RFC 9110 §6.6.1: a cache adds the Date the origin left out.
  if (!meta.fields.contains("date")) meta.fields.add("Date", date);
  const cache::EntryInfo info = cache::analyze_response(rh.status, meta.fields, meta.request_time,
                                                        meta.response_time, st.store.options().heuristic);
  if (!cache::worth_storing(info)) {
    plan.not_stored = "no-freshness";
    return plan;
  }
  std::optional<std::uint64_t> length;
  if (rh.framing.kind == BodyKind::length) length = rh.framing.length;
  auto begun = st.store.begin(std::move(meta), length);
  if (!begun) {
    plan.not_stored = begun.error() == "larger than the object size limit" ? "too-large" : "store-error";
    return plan;
  }
  plan.writer = std::move(*begun);
  plan.storing = true;
  return plan;
}

awaitable<bool> Session::handle_cacheable(const RequestHead& head, const Route& route) {
  key_ = cache::cache_key(route.target);
  const cache::CacheControl req_cc = cache::parse_cache_control(head.fields);
  const cache::Time t = now();
  cache::Found found = st_.store.find(key_, head.fields);
  const bool partial_miss = drop_unusable_partial(found, head);
  if (found.object) {
    const cache::ReuseDecision d = cache::decide_reuse(found.object->info(), req_cc, t);
    switch (d.action) {
      case cache::Reuse::fresh:
        st_.metrics.hits.inc(1, shard_);
        outcome_.cache = "HIT";
        co_return co_await serve_hit(head, found, cache::cache_hit(d.ttl.count()), true);
      case cache::Reuse::stale_ok:
        st_.metrics.stale.inc(1, shard_);
        outcome_.cache = "STALE";
        co_return co_await serve_hit(head, found, cache::cache_hit(d.ttl.count(), "max-stale"), true);
      case cache::Reuse::stale_revalidate:
        st_.metrics.stale.inc(1, shard_);
        outcome_.cache = "STALE";
        if (!st_.flights.active(key_))
          spawn_background_revalidation(st_, loop_, route, head.to_owned(), found.object);
        co_return co_await serve_hit(head, found, cache::cache_hit(d.ttl.count(), "stale-while-revalidate"),
                                     true);
      case cache::Reuse::validate:
        break;
    }
    if (req_cc.only_if_cached) {
      // RFC 9111 §5.2.1.7: what we hold needs the origin, which the client forbade.
      outcome_.cache = "MISS";
      const CacheStatus cs = cache::cache_forward(Forward::stale, {}, {}, "only-if-cached");
      co_return co_await respond(Status::gateway_timeout,
                                 "the cached response needs validation (only-if-cached)\n", &cs);
    }
    const Forward fwd =
        req_cc.no_cache || req_cc.max_age || req_cc.min_fresh ? Forward::request : Forward::stale;
    FlightGuard guard;
    // Concurrent requests for one stale entry validate it once, like misses. A client that asked for
    // validation itself (no-cache, max-age, min-fresh) would not accept the result of a request that began
    // before its own, so it validates on its own.
    if (st_.config.collapse && fwd == Forward::stale && head.method_id == Method::get) {
      bool leader = false;
      auto flight = st_.flights.join(key_, leader);
      if (leader) {
        guard = FlightGuard(st_.flights, std::move(flight));
      } else {
        co_await Flights::wait(std::move(flight), st_.config.upstream_timeout + st_.config.read_timeout);
        cache::Found again = st_.store.find(key_, head.fields);
        drop_unusable_partial(again, head);
        if (auto cs = collapsed_hit(st_, shard_, again, req_cc, now())) {
          outcome_.cache = "HIT";
          co_return co_await serve_hit(head, again, *cs, true);
        }
        if (again.object) {
          // Still stale (the leader failed, or served stale-if-error): validate what is stored now.
          co_return co_await fetch(head, route, fwd, &again, FlightGuard(), req_cc);
        }
        // The leader's answer removed the entry (not storable any more): an unconditional fetch.
        co_return co_await fetch(head, route, Forward::uri_miss, nullptr, FlightGuard(), req_cc);
      }
    }
    co_return co_await fetch(head, route, fwd, &found, std::move(guard), req_cc);
  }
  if (req_cc.only_if_cached) {
    outcome_.cache = "MISS";
    const CacheStatus cs = cache::cache_forward(Forward::uri_miss, {}, {}, "only-if-cached");
    co_return co_await respond(Status::gateway_timeout, "not in the cache (only-if-cached)\n", &cs);
  }
  const Forward fwd = partial_miss      ? Forward::partial
                      : found.uri_known ? Forward::vary_miss
                                        : Forward::uri_miss;
  FlightGuard guard;
  if (st_.config.collapse && head.method_id == Method::get) {
    bool leader = false;
    auto flight = st_.flights.join(key_, leader);
    if (leader) {
      guard = FlightGuard(st_.flights, std::move(flight));
    } else {
      // Another request is fetching this URI: wait for it, then look again.
      co_await Flights::wait(std::move(flight), st_.config.upstream_timeout + st_.config.read_timeout);
      cache::Found again = st_.store.find(key_, head.fields);
      drop_unusable_partial(again, head);
      if (auto cs = collapsed_hit(st_, shard_, again, req_cc, now())) {
        outcome_.cache = "HIT";
        co_return co_await serve_hit(head, again, *cs, true);
      }
      if (again.object) {
        // Stored, but not usable as it is for this request (stale already, or the client asked for
        // validation): validate it, never an unconditional request that ignores what we hold.
        const Forward refwd =
            req_cc.no_cache || req_cc.max_age || req_cc.min_fresh ? Forward::request : Forward::stale;
        co_return co_await fetch(head, route, refwd, &again, FlightGuard(), req_cc);
      }
      // Not storable (or not for us, Vary): go to the origin ourselves.
    }
  }
  co_return co_await fetch(head, route, fwd, nullptr, std::move(guard), req_cc);
}

awaitable<bool> Session::serve_hit(const RequestHead& head, const cache::Found& found, CacheStatus cs,
                                   bool omit_no_cache_fields) {
  const cache::Object& obj = *found.object;
  const cache::EntryInfo& info = obj.info();
  const cache::Time t = now();
  const std::int64_t age = cache::age_at(info, t).count();
  const bool head_only = head.method_id == Method::head;
  std::string cache_status;
  cache::append_cache_status(cache_status, st_.config.cache_name, cs);
  const std::vector<std::string>* omit =
      omit_no_cache_fields && !info.cc.no_cache_fields.empty() ? &info.cc.no_cache_fields : nullptr;
  out_.clear();

  // RFC 9111 §4.3.2: a client's own conditional request is answered from the stored response.
  if (info.status == Status::ok && has_conditional(head.fields) &&
      cache::client_not_modified(head.fields, obj.meta().fields, t)) {
    const Fields nm = cache::not_modified_fields(obj.meta().fields);
    DownstreamHead dh;
    dh.status = Status::not_modified;
    dh.owned_fields = &nm;
    dh.has_body = false;
    dh.client_version = head.version;
    dh.keep_alive = keep_alive_;
    dh.via = st_.config.via;
    dh.cache_status = cache_status;
    dh.age = age;
    dh.omit = omit;
    keep_alive_ = append_downstream_head(out_, dh).keep_alive;
    outcome_.status = 304;
    const bool written = co_await write(out_);
    co_return written&& keep_alive_;
  }

  // RFC 9110 §14: one range of a complete stored 200; or, from a stored partial (RFC 9111 §3.3), the range
  // the caller checked lies inside it (partial_unusable).
  cache::RangeDecision range;
  std::uint64_t length = obj.body_size();  // of the whole representation
  std::uint64_t held_first = 0;            // where the stored bytes start in it
  if (head.method_id == Method::get && info.status == Status::ok) {
    if (auto r = head.fields.get("range");
        r && cache::if_range_allows(head.fields.get("if-range"), obj.meta().fields))
      range = cache::evaluate_range(r, length);
  } else if (info.status == Status::partial_content) {
    const auto& held = info.held;
    const auto want = held ? cache::range_within(head.fields.get("range"), *held) : std::nullopt;
    if (!want || head_only) {
      keep_alive_ = false;
      co_return co_await respond(Status::internal_server_error,
                                 "the cached partial response cannot serve this\n");
    }
    range = {cache::RangeKind::partial, *want};
    length = held->length;
    held_first = held->held.first;
  }
  std::uint64_t offset = 0, count = obj.body_size();
  if (range.kind == cache::RangeKind::unsatisfiable) {
    outcome_.status = 416;
    append_status_line(out_, http11, Status::range_not_satisfiable);
    append_field(out_, "Content-Range", cache::content_range(range, length));
    append_field(out_, "Content-Length", "0");
    append_field(out_, "Via", st_.config.via);
    append_field(out_, "Cache-Status", cache_status);
    if (!keep_alive_) append_field(out_, "Connection", "close");
    append_end_of_head(out_);
    const bool written = co_await write(out_);
    co_return written&& keep_alive_;
  }
  if (range.kind == cache::RangeKind::partial || omit) {
    Fields fields = obj.meta().fields;
    for (const std::string& name : st_.store.options().heuristic.targeted_fields) fields.erase(name);
    Status status = info.status;
    if (range.kind == cache::RangeKind::partial) {
      status = Status::partial_content;
      offset = range.range.first - held_first;
      count = range.range.size();
      fields.erase("content-range");
      fields.add("Content-Range", cache::content_range(range, length));
    }
    DownstreamHead dh;
    dh.status = status;
    dh.reason = status == info.status ? std::string_view(obj.meta().reason) : std::string_view();
    dh.owned_fields = &fields;
    dh.has_body = !head_only;
    dh.length = count;
    dh.client_version = head.version;
    dh.keep_alive = keep_alive_;
    dh.via = st_.config.via;
    dh.cache_status = cache_status;
    dh.age = age;
    dh.omit = omit;
    keep_alive_ = append_downstream_head(out_, dh).keep_alive;
    outcome_.status = to_int(status);
  } else {
    // The hot path: the stored head as it was serialized once, plus what changes per response.
    out_ += obj.head();
    append_field(out_, "Content-Length", std::to_string(count));
    append_field(out_, "Age", std::to_string(age));
    append_field(out_, "Via", st_.config.via);
    append_field(out_, "Cache-Status", cache_status);
    if (!keep_alive_)
      append_field(out_, "Connection", "close");
    else if (head.version < http11)
      append_field(out_, "Connection", "keep-alive");
    append_end_of_head(out_);
    outcome_.status = to_int(info.status);
  }
  if (trace_heads())
    st_.config.client_transcript.server(conn_.peer(), std::string_view(out_).substr(0, out_.size() - 4));
  if (head_only) {
    const bool written = co_await write(out_);
    co_return written&& keep_alive_;
  }

  if (cs.hit) st_.metrics.bytes_saved.inc(count, shard_);
  st_.metrics.bytes_sent.inc(count, shard_);
  outcome_.bytes = count;
  if (found.memory_body) {
    const bool written = co_await write(out_, std::string_view(*found.memory_body).substr(offset, count));
    co_return written&& keep_alive_;
  }
  if (obj.body_size() <= st_.store.options().memory_object_max) {
    // Small: read it once and keep it in the memory tier, so the next hit skips the file.
    std::string body;
    if (!read_file_range(obj, body)) {
      st_.store.remove(found.object);
      keep_alive_ = false;
      co_return co_await respond(Status::internal_server_error, "the cached object could not be read\n");
    }
    const bool ok = co_await write(out_, std::string_view(body).substr(offset, count));
    st_.store.remember(found.object, std::move(body));
    co_return ok&& keep_alive_;
  }
  const int fd = obj.open_body();
  if (fd < 0) {
    st_.store.remove(found.object);
    keep_alive_ = false;
    co_return co_await respond(Status::internal_server_error, "the cached object could not be read\n");
  }
  bool ok = co_await write(out_);
  if (ok && sink_) {
    ok = co_await sink_->send_file(fd, obj.body_offset() + offset, count);
  } else if (ok) {
    conn_.expires_after(st_.config.send_timeout);
    ok = co_await send_file(conn_.stream(), fd, obj.body_offset() + offset, count);
  }
  ::close(fd);
  co_return ok&& keep_alive_;
}

awaitable<bool> Session::fetch(const RequestHead& head, const Route& route, Forward fwd,
                               const cache::Found* stored, FlightGuard guard,
                               const cache::CacheControl& req_cc) {
  const bool revalidating = stored && stored->object;
  Fields validators;
  if (revalidating) cache::add_validators(validators, stored->object->meta().fields);
  std::string request;
  UpstreamRequest up;
  up.method = head.method;
  up.route = &route;
  up.client_fields = head.fields;
  up.via = request_via();
  up.surrogate_capability = st_.config.surrogate_capability;
  up.extra = revalidating ? &validators : nullptr;
  up.drop_conditionals = revalidating;
  append_upstream_request(request, up);

  const cache::Time request_time = now();
  Exchange ex(loop_.pool, st_.exchange);
  auto started = co_await start_upstream(ex, head, route, request);
  if (!started) {
    st_.metrics.upstream_errors.inc(1, shard_);
    guard.finish();
    // RFC 9111 §4.2.4: no answer at all (refused, closed, reset, timed out) leaves the cache disconnected,
    // and a disconnected cache may serve stale where nothing forbids it; an answer that is not HTTP counts
    // as an error response (only stale-if-error, RFC 5861 §4, lets it be hidden).
    const bool unreachable = started.error().code != ClientErrc::protocol;
    const cache::EntryInfo* info = revalidating ? &stored->object->info() : nullptr;
    const bool allowed_on_error = info && cache::may_serve_stale_on_error(*info, req_cc, now());
    if (info &&
        (allowed_on_error || (unreachable && cache::may_serve_stale_disconnected(*info, req_cc, now())))) {
      st_.metrics.stale.inc(1, shard_);
      outcome_.cache = "STALE";
      co_return co_await serve_hit(
          head, *stored,
          cache::cache_forward(Forward::stale, {}, cache::ttl_at(*info, now()).count(),
                               allowed_on_error && (info->cc.stale_if_error || req_cc.stale_if_error)
                                   ? "stale-if-error"
                                   : "origin-unreachable"),
          true);
    }
    outcome_.cache = revalidating ? "REFRESH" : "MISS";
    const Status status = upstream_failure_status(started.error().code);
    const CacheStatus cs = cache::cache_forward(fwd, {}, {}, to_string(started.error().code));
    st_.log.info("upstream failed", {{"url", key_}, {"error", started.error().message}});
    const std::string text = started.error().message + "\n";
    co_return co_await respond(status, text, &cs);
  }
  const ResponseHead& rh = ex.head();
  const unsigned code = to_int(rh.status);
  outcome_.upstream_status = code;

  if (revalidating && rh.status == Status::not_modified) {
    const cache::ObjectPtr old = stored->object;
    if (cache::not_modified_selects(old->meta().fields, rh.fields)) {
      // RFC 9111 §4.3.4: freshen the stored response with the 304's fields and serve it.
      cache::ObjectMeta meta = old->meta();
      meta.fields = cache::freshen_fields(old->meta().fields, rh.fields);
      strip_set_cookie(st_.config, meta.fields);  // the 304 may set this client's cookie
      if (!meta.fields.contains("date")) meta.fields.add("Date", date());
      meta.request_time = request_time;
      meta.response_time = now();
      ex.finish();
      st_.metrics.revalidations.inc(1, shard_);
      outcome_.cache = "REVALIDATED";
      co_await freshen_on_disk(st_, old, std::move(meta));
      guard.finish();
      cache::Found f = st_.store.find(key_, head.fields);
      // The update failed (logged), or another response took the key meanwhile (one that may not answer this
      // request, such as a partial for another range): the copy just validated is still ours to serve.
      if (!f.object || partial_unusable(head, *f.object)) f = *stored;
      const CacheStatus cs = cache::cache_forward(fwd, 304, cache::ttl_at(f.object->info(), now()).count());
      co_return co_await serve_hit(head, f, cs, true);
    }
    // The 304 is about another representation than ours: ours is unusable, so ask again without validators.
    ex.finish();
    st_.store.remove(old);
    co_return co_await fetch(head, route, fwd, nullptr, std::move(guard), req_cc);
  }
  if (revalidating && code >= 500 && cache::may_serve_stale_on_error(stored->object->info(), req_cc, now())) {
    ex.abandon();
    guard.finish();
    st_.metrics.stale.inc(1, shard_);
    outcome_.cache = "STALE";
    co_return co_await serve_hit(
        head, *stored,
        cache::cache_forward(Forward::stale, code, cache::ttl_at(stored->object->info(), now()).count(),
                             "stale-if-error"),
        true);
  }
  if (revalidating) {
    st_.metrics.refreshes.inc(1, shard_);
    outcome_.cache = "REFRESH";
  } else {
    st_.metrics.misses.inc(1, shard_);
    outcome_.cache = "MISS";
  }
  // A 206 answering the revalidation of a complete response would replace the whole with a part of it.
  const bool over_complete = revalidating && stored->object->info().status != Status::partial_content;
  co_return co_await forward_response(head, ex, fwd, guard, request_time, &req_cc, true, !over_complete);
}

awaitable<Expected<void, ClientError>> Session::start_upstream(Exchange& ex, const RequestHead& head,
                                                               const Route& route, std::string_view request,
                                                               bool idempotent) {
  ex.stop_at_interim(true);
  auto started =
      co_await ex.start(route.upstream_host, route.upstream_port, request, head.method_id, idempotent);
  while (started && ex.interim()) {
    const ResponseHead& ih = ex.head();
    // RFC 9110 §15.2: a proxy forwards 1xx responses, except to an HTTP/1.0 client (which cannot parse them)
    // and except 100 Continue, which answers an Expect we handled ourselves. Their fields are theirs
    // alone: the final response is parsed afresh, so nothing of them reaches the stored response.
    if (head.version >= http11 && ih.status != Status::continue_) {
      DownstreamHead dh;
      dh.status = ih.status;
      dh.reason = ih.reason;
      dh.fields = ih.fields;
      dh.has_body = false;
      dh.client_version = head.version;
      dh.keep_alive = true;
      dh.via = st_.config.via;
      out_.clear();
      append_downstream_head(out_, dh);
      if (trace_heads())
        st_.config.client_transcript.server(conn_.peer(), std::string_view(out_).substr(0, out_.size() - 4));
      // A client that left shows when the final response is written.
      co_await write(out_);
    }
    started = co_await ex.next_head();
  }
  co_return started;
}

awaitable<bool> Session::forward_response(const RequestHead& head, Exchange& ex, Forward fwd,
                                          FlightGuard& guard, cache::Time request_time,
                                          const cache::CacheControl* req_cc, bool may_store,
                                          bool may_store_partial) {
  const ResponseHead& rh = ex.head();
  const Status status = rh.status;
  const bool head_only = head.method_id == Method::head;
  outcome_.upstream_status = to_int(status);

  // Decide whether to store, from the head alone (RFC 9111 §3).
  const std::string d = date();
  StorePlan plan;
  // A range request's answer is stored when it is the whole representation (the origin ignored Range) or
  // one range of it (§3.3); never a 416 or anything else, which would then answer requests without Range.
  const bool range_request = head.fields.contains("range");
  // may_store with a POST: handle_pass found its answer reusable (RFC 9110 §9.3.3).
  if (may_store && req_cc && (head.method_id == Method::get || head.method_id == Method::post) &&
      (!range_request || status == Status::ok || (status == Status::partial_content && may_store_partial)))
    plan = plan_store(st_, key_, head.fields, *req_cc, rh, request_time, now(), d);
  cache::ObjectWriter writer = std::move(plan.writer);
  bool storing = plan.storing;
  const std::string not_stored = std::move(plan.not_stored);
  // Followers waiting for this fetch: nothing will be stored, so they go to the origin themselves now. Nor
  // do they wait for a partial, which seldom holds the range another request wants.
  if (!storing || status == Status::partial_content) guard.finish();

  std::string cache_status;
  CacheStatus cs = cache::cache_forward(fwd, to_int(status), {}, not_stored);
  cs.stored = storing;
  cache::append_cache_status(cache_status, st_.config.cache_name, cs);
  std::optional<std::uint64_t> length;
  if (rh.framing.kind == BodyKind::length) length = rh.framing.length;
  if (head_only || rh.framing.kind == BodyKind::none) {
    // No body follows; a HEAD response keeps the length it announced.
    if (auto cl = content_length(rh.fields); cl && *cl) length = **cl;
  }
  DownstreamHead dh;
  dh.status = status;
  dh.reason = rh.reason;
  dh.fields = rh.fields;
  dh.has_body = !head_only && rh.framing.kind != BodyKind::none;
  dh.length = length;
  dh.client_version = head.version;
  dh.keep_alive = keep_alive_;
  dh.via = st_.config.via;
  dh.cache_status = cache_status;
  dh.date = d;
  // RFC 9213: a field that targeted this cache is not for the caches downstream.
  const auto& targeted = st_.store.options().heuristic.targeted_fields;
  if (!targeted.empty()) dh.omit = &targeted;
  out_.clear();
  const HeadResult hr = append_downstream_head(out_, dh);
  keep_alive_ = hr.keep_alive;
  outcome_.status = to_int(status);
  if (trace_heads())
    st_.config.client_transcript.server(conn_.peer(), std::string_view(out_).substr(0, out_.size() - 4));
  bool client_ok = co_await write(out_);

  std::uint64_t sent = 0, received = 0;
  bool published = false;
  for (;;) {
    auto piece = co_await ex.read_body();
    if (!piece) {
      // The origin failed inside the body: nothing is stored, and the client must see a broken response
      // (a short Content-Length body or a chunked body without its last chunk), so the connection closes.
      st_.metrics.upstream_errors.inc(1, shard_);
      st_.log.info("upstream failed inside the body", {{"url", key_}, {"error", piece.error().message}});
      writer.abort();
      guard.finish();
      outcome_.bytes = sent;
      keep_alive_ = false;
      broken_ = true;
      co_return false;
    }
    received += piece->data.size();
    if (!piece->data.empty() && storing && !writer.append(piece->data)) {
      storing = false;
      writer.abort();
      guard.finish();
    }
    // The last bytes complete the client's response: the object is indexed before they go, so a request the
    // client sends the moment it has them (on a new connection, maybe another loop) finds it, and an
    // invalidation right after it removes it (RFC 9111 §4.4).
    if (storing && !published && (piece->done || (length && received >= *length))) {
      st_.store.publish(writer);
      published = true;
    }
    if (!piece->data.empty()) {
      if (client_ok) {
        if (hr.framing == BodyFraming::chunked)
          client_ok = co_await write_chunk(piece->data);
        else
          client_ok = co_await write(piece->data);
        if (client_ok) sent += piece->data.size();
      }
      // A client that left is no reason to stop filling the cache, but nothing else is.
      if (!client_ok && !storing) {
        ex.abandon();
        outcome_.bytes = sent;
        co_return false;
      }
    }
    if (piece->done) break;
  }
  ex.finish();
  if (client_ok && hr.framing == BodyFraming::chunked) client_ok = co_await write_last_chunk();
  st_.metrics.bytes_sent.inc(sent, shard_);
  outcome_.bytes = sent;
  if (storing) {
    // Indexed (above, or now): waiting requests serve it while the disk pool makes it durable.
    if (!published) st_.store.publish(writer);
    guard.finish();
    co_await commit_on_disk(st_, std::move(writer), shard_);
  }
  guard.finish();
  co_return client_ok&& keep_alive_&& hr.framing != BodyFraming::close;
}

}  // namespace endhost::http::proxy
