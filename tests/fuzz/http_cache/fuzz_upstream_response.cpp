// What the proxy does with an upstream response, from arbitrary bytes: the response parser (the codec's,
// with the proxy's limits), fed in two pieces, then the cache's analysis of the parsed head.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/cache/entry.hpp"
#include "http/cache/hop_by_hop.hpp"
#include "http/cache/invalidation.hpp"
#include "http/cache/range.hpp"
#include "http/cache/storability.hpp"
#include "http/cache/validation.hpp"
#include "http/response_parser.hpp"

using namespace endhost::http;
using namespace endhost::http::cache;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t split = data[0] % (in.size() + 1);
  ResponseParser parser(Limits::for_responses(), data[0] & 0x80 ? Method::head : Method::get);
  // The parsed head borrows from the buffer it was parsed from, so that buffer lives until the end; the
  // body is read from a second copy of the whole input.
  std::string buf(in.substr(0, split));
  auto step = parser.parse_head(buf);
  if (step && step->progress == Progress::need_more) {
    buf = std::string(in);
    step = parser.parse_head(buf);
  }
  const std::string whole(in);
  if (!step || step->progress != Progress::complete) return 0;
  Response r = parser.head().to_owned();
  remove_hop_by_hop(r.fields);
  const Time t0 = from_time_t(784887151);
  EntryInfo e = analyze_response(r.status, r.fields, t0, t0);
  CacheControl req;
  // A 206 is stored when its Content-Range holds one range of a known length (RFC 9111 §3.3).
  const auto held = parse_content_range(r.fields.get("content-range").value_or(""));
  if (held && (held->held.last < held->held.first || held->held.last >= held->length)) __builtin_trap();
  if (held) (void)range_within(r.fields.get("range"), *held);
  StoreInputs s{Method::get, &req, false, r.status, held.has_value(), &e.cc, r.fields.contains("expires"),
                e.vary.star};
  (void)can_store(s);
  (void)not_modified_selects(r.fields, parser.head().fields);
  (void)freshen_fields(r.fields, parser.head().fields);
  static const Url target = *parse_url("http://a.example/x");
  (void)invalidated_keys("POST", r.status, target, parser.head().fields);
  std::string_view rest = std::string_view(whole).substr(step->consumed);
  for (int guard = 0; guard < 1 << 16 && !parser.done(); ++guard) {
    auto body = parser.parse_body(rest);
    if (!body) break;
    rest.remove_prefix(body->consumed);
    if (body->consumed == 0 && !body->done) break;
  }
  return 0;
}
