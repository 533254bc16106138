// Range header against a length: never crashes, and every satisfiable answer is a sorted list of disjoint
// ranges inside the representation whose multipart layout adds up to its Content-Length.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "http/server/range.hpp"

using namespace endhost::web;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return 0;
  std::uint64_t length = 0;
  std::memcpy(&length, data, 8);
  length %= (std::uint64_t{1} << 40);
  const std::string_view value(reinterpret_cast<const char*>(data + 8), size - 8);
  std::vector<ByteRange> ranges;
  const RangeOutcome outcome = parse_range(value, length, 16, ranges);
  if (outcome != RangeOutcome::partial) {
    if (!ranges.empty() && outcome == RangeOutcome::unsatisfiable) std::abort();
    return 0;
  }
  if (ranges.empty() || ranges.size() > 16) std::abort();
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    if (ranges[i].first > ranges[i].last || ranges[i].last >= length) std::abort();
    if (i > 0 && ranges[i].first <= ranges[i - 1].last + 1) std::abort();
  }
  ByterangesBody body;
  build_byteranges(ranges, length, "text/plain", "b0undary", body);
  std::uint64_t total = body.trailer.size();
  for (const auto& part : body.parts) total += part.header.size() + part.range.length();
  if (total != body.total_length) std::abort();
  return 0;
}
