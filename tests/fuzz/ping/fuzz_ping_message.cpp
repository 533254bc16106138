// Ping datagrams come from the network: parsing must never crash, and what parses must format and parse back
// to the same message.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ping/ping_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto m = endhost::ping::parse_message(text);
  if (m) {
    auto again = endhost::ping::parse_message(endhost::ping::format_message(*m));
    if (!again || !(*again == *m)) __builtin_trap();
  }
  return 0;
}
