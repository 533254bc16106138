#include "http/cache/storability.hpp"

#include "http/cache/freshness.hpp"

namespace endhost::http::cache {

std::string_view to_string(StoreVerdict v) noexcept {
  switch (v) {
    case StoreVerdict::store:
      return "stored";
    case StoreVerdict::method:
      return "method";
    case StoreVerdict::status:
      return "status";
    case StoreVerdict::request_no_store:
      return "request-no-store";
    case StoreVerdict::no_store:
      return "no-store";
    case StoreVerdict::private_:
      return "private";
    case StoreVerdict::authorization:
      return "authorization";
    case StoreVerdict::not_cacheable:
      return "not-cacheable";
    case StoreVerdict::vary_star:
      return "vary-star";
  }
  return "?";
}

StoreVerdict can_store(const StoreInputs& in) noexcept {
  const CacheControl& req = *in.request_cc;
  const CacheControl& res = *in.response_cc;
  // §3: the request method is understood and cacheable. We store GET; HEAD is then served from it (§4).
  if (in.method != Method::get) return StoreVerdict::method;
  // §3: a final status; a 304 only freshens (§4.3.4). §3.3: a 206 is stored as an incomplete response
  // when it holds one range of a representation of known length; multipart/byteranges is not.
  const unsigned code = to_int(in.status);
  if (code < 200 || in.status == Status::not_modified ||
      (in.status == Status::partial_content && !in.storable_partial))
    return StoreVerdict::status;
  if (req.no_store) return StoreVerdict::request_no_store;
  // §5.2.2.3: with must-understand, a cache stores only status codes it understands, and then ignores
  // no-store (the directive exists so new codes can be cached safely).
  if (res.must_understand) {
    if (!understood_status(in.status)) return StoreVerdict::status;
  } else if (res.no_store) {
    return StoreVerdict::no_store;
  }
  if (res.private_) return StoreVerdict::private_;
  // §3.5: a shared cache must not reuse an authenticated response for others unless the origin said so.
  if (in.request_has_authorization && !res.public_ && !res.s_maxage && !res.must_revalidate)
    return StoreVerdict::authorization;
  if (in.vary_star) return StoreVerdict::vary_star;
  // §3, last bullet: something must make the response reusable.
  const bool explicit_freshness = res.max_age || res.s_maxage || in.response_has_expires;
  if (!explicit_freshness && !res.public_ && !heuristically_cacheable(in.status))
    return StoreVerdict::not_cacheable;
  return StoreVerdict::store;
}

bool post_response_reusable(const Url& target, Status status, FieldsView response_fields,
                            const CacheControl& response_cc, bool response_has_expires) {
  if (status != Status::ok) return false;
  if (!response_cc.max_age && !response_cc.s_maxage && !response_has_expires) return false;
  const auto location = response_fields.get("content-location");
  if (!location) return false;
  const auto url = resolve_url(target, *location);
  return url && url->to_string() == target.to_string();
}

}  // namespace endhost::http::cache
