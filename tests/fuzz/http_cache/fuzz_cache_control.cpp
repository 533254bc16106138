// Cache-Control (RFC 9111 §5.2) from arbitrary bytes: the parser must not crash, read out of bounds or grow
// past its limits, and the decisions built on it must be total.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/cache/cache_control.hpp"
#include "http/cache/entry.hpp"
#include "http/cache/reuse.hpp"
#include "http/cache/storability.hpp"

using namespace endhost::http;
using namespace endhost::http::cache;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  // First line: the response's Cache-Control; the rest: the request's.
  const auto nl = in.find('\n');
  const std::string_view response_value = in.substr(0, nl);
  const std::string_view request_value =
      nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  CacheControl req;
  add_cache_control(req, request_value);
  if (req.no_cache_fields.size() > max_qualified_fields || req.private_fields.size() > max_qualified_fields)
    __builtin_trap();
  Fields fields{{"Cache-Control", std::string(response_value)}, {"Date", "Tue, 15 Nov 1994 08:12:31 GMT"}};
  const Time t0 = from_time_t(784887151);
  EntryInfo e = analyze_response(Status::ok, fields, t0, t0);
  if (e.lifetime.value.count() < 0) __builtin_trap();
  StoreInputs s{Method::get, &req, true, Status::ok, false, &e.cc, false, false};
  (void)can_store(s);
  (void)decide_reuse(e, req, t0 + std::chrono::seconds(size));
  (void)may_serve_stale_on_error(e, req, t0 + std::chrono::seconds(size * 7));
  return 0;
}
