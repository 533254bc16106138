// The priority field (a request header and PRIORITY_UPDATE's payload) from arbitrary bytes: never crashes,
// always yields an urgency in 0-7, and parsing is a pure function of the input and the base.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http2/priority.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const endhost::http2::PriorityParams base{6, true, false};  // unsignalled, so a failure shows
  const endhost::http2::PriorityParams a = endhost::http2::parse_priority(input);
  const endhost::http2::PriorityParams b = endhost::http2::parse_priority(input, base);
  if (a.urgency > 7 || b.urgency > 7) std::abort();
  if (!a.signalled && a != endhost::http2::PriorityParams{}) std::abort();  // a failed parse returns the base
  if (a.signalled != b.signalled) std::abort();  // the base does not decide validity
  if (!b.signalled && b != base) std::abort();
  return 0;
}
