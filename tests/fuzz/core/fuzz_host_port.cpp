// HOST:PORT parsing of command-line and configuration text: no crash, and what parses prints back the same.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/host_port.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto hp = endhost::core::parse_host_port(text);
  if (hp) {
    auto again = endhost::core::parse_host_port(hp->to_string());
    if (!again || !(*again == *hp)) __builtin_trap();
  }
  return 0;
}
