// A targeted cache-control field (RFC 9213: a Structured Field Dictionary, RFC 8941; and Surrogate-Control)
// from arbitrary bytes: the parsers must not crash, read out of bounds or keep more than their bounds, and
// what they yield must drive the cache's decisions like any Cache-Control.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/cache/entry.hpp"
#include "http/cache/reuse.hpp"
#include "http/cache/structured_field.hpp"
#include "http/cache/surrogate_control.hpp"
#include "http/cache/targeted.hpp"

using namespace endhost::http;
using namespace endhost::http::cache;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto members = parse_sf_dictionary(in); members && members->size() > max_sf_members) __builtin_trap();
  (void)parse_targeted_cache_control(in);
  if (auto sc = parse_surrogate_control(in, "endhost"); sc && !sc->max_age && !sc->no_store) __builtin_trap();
  Fields fields{{"CDN-Cache-Control", std::string(in)},
                {"Surrogate-Control", std::string(in)},
                {"Cache-Control", "no-store"},
                {"Date", "Tue, 15 Nov 1994 08:12:31 GMT"}};
  HeuristicPolicy policy;
  policy.targeted_fields = {size % 2 ? "cdn-cache-control" : "surrogate-control"};
  const Time t0 = from_time_t(784887151);
  EntryInfo e = analyze_response(Status::ok, fields, t0, t0, policy);
  if (e.lifetime.value.count() < 0) __builtin_trap();
  (void)decide_reuse(e, CacheControl{}, t0 + std::chrono::seconds(size));
  return 0;
}
