// PORT/EPRT arguments and the 227/229 texts from arbitrary bytes: whatever parses formats back to a text that
// parses to the same value (the round trip), and canonical addresses are fixed points.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ftp/host_port.hpp"

using namespace endhost::ftp;

namespace {
void check(bool ok) {
  if (!ok) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view s(reinterpret_cast<const char*>(data), size);
  if (const auto hp = parse_port_argument(s)) {
    check(hp->port != 0);
    const auto again = parse_port_argument(format_port_argument(*hp));
    check(again && *again == *hp);
    check(*parse_227_text(format_227_text(*hp)) == *hp);
  }
  if (const auto hp = parse_eprt_argument(s)) {
    check(hp->port != 0);
    const auto again = parse_eprt_argument(format_eprt_argument(*hp));
    check(again && *again == *hp);
  }
  if (const auto hp = parse_227_text(s)) check(hp->port != 0);
  if (const auto port = parse_229_text(s)) {
    check(*port != 0);
    check(*parse_229_text(format_229_text(*port)) == *port);
  }
  if (const auto ip = canonical_ip(s)) {
    const auto again = canonical_ip(*ip);
    check(again && *again == *ip);
    check(same_host(s, *ip));
  }
  return 0;
}
