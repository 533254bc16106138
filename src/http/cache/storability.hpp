// Whether a response may be stored by a shared cache (RFC 9111 §3, §3.5, §5.2), and why not. A pure
// function of the request and response, so every rule has a unit test.
#pragma once

#include <cstdint>
#include <string_view>

#include "http/cache/cache_control.hpp"
#include "http/fields.hpp"
#include "http/method.hpp"
#include "http/status.hpp"
#include "http/url.hpp"

namespace endhost::http::cache {

enum class StoreVerdict : std::uint8_t {
  store,
  method,  // §3: only GET is stored here (HEAD is answered from a stored GET)
  status,  // §3: 1xx, 304 and unusable 206s are not stored as new entries; must-understand of an unknown code
  request_no_store,  // §5.2.1.5
  no_store,          // §5.2.2.5
  private_,          // §5.2.2.7: a shared cache must not store it
  authorization,     // §3.5: a request with Authorization, and no public, s-maxage or must-revalidate
  not_cacheable,     // §3 last bullet: no explicit freshness, no public, status not heuristically cacheable
  vary_star,         // §4.1: Vary: * never matches a later request, so storing it is pointless
};

// Words for the access log and Cache-Status detail ("no-store", "private"…).
std::string_view to_string(StoreVerdict v) noexcept;

struct StoreInputs {
  Method method = Method::get;
  const CacheControl* request_cc = nullptr;  // required
  bool request_has_authorization = false;
  Status status = Status::ok;
  // A 206 with one range of a representation of known length (parse_content_range), which §3.3 lets a
  // cache store as an incomplete response; any other 206 is not stored.
  bool storable_partial = false;
  const CacheControl* response_cc = nullptr;  // required
  bool response_has_expires = false;
  bool vary_star = false;
};

StoreVerdict can_store(const StoreInputs& in) noexcept;

// RFC 9110 §9.3.3 (and RFC 9111 §2): a response to POST is cacheable, and may answer later GET and HEAD
// requests, when it has explicit freshness and a Content-Location that names the target URI itself. We take
// only a 200, the representation of the resource (a 201 or 204 describes what the POST did). The other
// rules of can_store still apply, as for a GET.
bool post_response_reusable(const Url& target, Status status, FieldsView response_fields,
                            const CacheControl& response_cc, bool response_has_expires);

}  // namespace endhost::http::cache
