// EntryInfo: what the cache derives once from a stored response (its directives, validators, freshness
// lifetime and corrected initial age), so deciding about a request costs no parsing. Computed when the
// response is stored, again when the index is rebuilt from disk, and after a 304 freshens it.
#pragma once

#include <optional>
#include <string>

#include "http/cache/cache_control.hpp"
#include "http/cache/freshness.hpp"
#include "http/cache/range.hpp"
#include "http/cache/time.hpp"
#include "http/cache/vary.hpp"
#include "http/fields.hpp"
#include "http/status.hpp"

namespace endhost::http::cache {

struct EntryInfo {
  Status status = Status::ok;
  Time request_time;
  Time response_time;
  Time date;                // the Date field, or response_time when absent or invalid
  Duration initial_age{0};  // corrected_initial_age (§4.2.3)
  Lifetime lifetime;        // freshness lifetime (§4.2.1)
  CacheControl cc;          // response directives: a targeted field's (RFC 9213) or Cache-Control's
  bool targeted = false;    // cc came from a targeted field: Cache-Control and Expires were ignored
  VarySpec vary;            // §4.1
  std::string etag;         // the ETag as sent (W/"x" or "x"), "" when none
  std::optional<Time> last_modified;
  std::optional<HeldRange> held;  // a 206: what its Content-Range says it holds (RFC 9111 §3.3)

  bool has_validator() const noexcept { return !etag.empty() || last_modified.has_value(); }
};

EntryInfo analyze_response(Status status, const Fields& fields, Time request_time, Time response_time,
                           const HeuristicPolicy& policy = {});

// §4.2.3 at `now`.
Duration age_at(const EntryInfo& e, Time now) noexcept;
// Freshness left at `now`: lifetime − age, negative once stale (Cache-Status ttl, RFC 9211 §2.5).
Duration ttl_at(const EntryInfo& e, Time now) noexcept;

// Whether keeping the response can ever save a request: it is fresh for a while, can be revalidated, or
// may be served stale (RFC 5861). A 200 without any of these is storable (§3) but useless, and writing it
// would cost a disk write per miss.
bool worth_storing(const EntryInfo& e) noexcept;

}  // namespace endhost::http::cache
