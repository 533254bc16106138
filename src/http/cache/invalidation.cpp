#include "http/cache/invalidation.hpp"

namespace endhost::http::cache {

bool is_safe_method(std::string_view method) noexcept {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE";
}

std::vector<std::string> invalidated_keys(std::string_view method, Status status, const Url& target,
                                          FieldsView response_fields) {
  std::vector<std::string> keys;
  // §4.4: "non-error status code" is 2xx or 3xx.
  const unsigned cls = status_class(status);
  if (is_safe_method(method) || (cls != 2 && cls != 3)) return keys;
  keys.push_back(cache_key(target));
  for (std::string_view name : {"location", "content-location"}) {
    auto value = response_fields.get(name);
    if (!value) continue;
    auto url = resolve_url(target, *value);
    // §4.4: a cache MUST NOT invalidate a URI whose origin differs from the target's.
    if (!url || url->origin() != target.origin()) continue;
    std::string key = cache_key(*url);
    if (key != keys.front()) keys.push_back(std::move(key));
  }
  return keys;
}

}  // namespace endhost::http::cache
