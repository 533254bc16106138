#include "http/cache/reuse.hpp"

namespace endhost::http::cache {

bool stale_forbidden(const CacheControl& cc) noexcept {
  // §5.2.2.2 must-revalidate, §5.2.2.8 proxy-revalidate, §5.2.2.10 s-maxage (implies proxy-revalidate for a
  // shared cache), §5.2.2.4 no-cache (never reused unvalidated, so never stale either).
  return cc.must_revalidate || cc.proxy_revalidate || cc.s_maxage.has_value() || cc.no_cache;
}

ReuseDecision decide_reuse(const EntryInfo& entry, const CacheControl& req, Time now) noexcept {
  ReuseDecision d;
  d.age = age_at(entry, now);
  d.ttl = entry.lifetime.value - d.age;
  const bool fresh = d.ttl > Duration(0);
  const CacheControl& res = entry.cc;

  // §5.2.1.4: the client asks for validation; §5.2.2.4: the origin does, for every reuse.
  if (req.no_cache) return d.reason = "request no-cache", d;
  if (res.no_cache) return d.reason = "response no-cache", d;
  // §5.2.1.1: the client will not accept a response older than max-age.
  if (req.max_age && d.age > *req.max_age) return d.reason = "request max-age", d;

  if (fresh) {
    // §5.2.1.3: it must stay fresh for at least min-fresh more seconds.
    if (req.min_fresh && d.ttl < *req.min_fresh) return d.reason = "request min-fresh", d;
    d.action = Reuse::fresh;
    return d;
  }

  // Stale from here on. §4.2.4: never served stale when a directive forbids it.
  if (stale_forbidden(res)) return d.reason = "stale, must revalidate", d;
  // min-fresh cannot be met by a stale response.
  if (req.min_fresh) return d.reason = "stale", d;
  const Duration staleness = -d.ttl;
  // §5.2.1.2: the client accepts this much staleness.
  if (req.max_stale_any || (req.max_stale && staleness <= *req.max_stale)) {
    d.action = Reuse::stale_ok;
    return d;
  }
  // RFC 5861 §3: the origin lets caches serve it this stale while they refresh it.
  if (res.stale_while_revalidate && staleness <= *res.stale_while_revalidate) {
    d.action = Reuse::stale_revalidate;
    return d;
  }
  d.reason = "stale";
  return d;
}

bool may_serve_stale_on_error(const EntryInfo& entry, const CacheControl& req, Time now) noexcept {
  if (stale_forbidden(entry.cc) || req.no_cache) return false;
  const Duration staleness = age_at(entry, now) - entry.lifetime.value;
  if (staleness <= Duration(0)) return true;  // still fresh (validation was asked for by the client)
  // RFC 5861 §4: either side may allow it; the request's value is the client's tolerance.
  if (req.stale_if_error && staleness <= *req.stale_if_error) return true;
  if (entry.cc.stale_if_error && staleness <= *entry.cc.stale_if_error) return true;
  // §5.2.1.2: a client that accepts stale responses accepts them on error too.
  return req.max_stale_any || (req.max_stale && staleness <= *req.max_stale);
}

bool may_serve_stale_disconnected(const EntryInfo& entry, const CacheControl& req, Time now) noexcept {
  if (may_serve_stale_on_error(entry, req, now)) return true;
  if (stale_forbidden(entry.cc)) return false;
  return !req.no_cache && !req.max_age && !req.min_fresh;
}

}  // namespace endhost::http::cache
