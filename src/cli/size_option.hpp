// Byte sizes on the command line: "1048576", "64K", "512M", "1G" (binary multiples, as Squid and nginx read
// them). Throws UsageError naming the option when the text is not a size.
#pragma once

#include <cstdint>
#include <string>

#include "cli/cli_error.hpp"

namespace endhost::cli {

inline std::uint64_t parse_size(const std::string& text, const std::string& option) {
  std::uint64_t value = 0;
  std::size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (value > (UINT64_MAX - 9) / 10) throw UsageError(option + ": '" + text + "' is too large");
    value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  if (i == 0) throw UsageError(option + ": '" + text + "' is not a size (examples: 65536, 64K, 512M, 2G)");
  std::uint64_t unit = 1;
  if (i < text.size()) {
    switch (text[i] | 0x20) {
      case 'k':
        unit = 1ULL << 10;
        break;
      case 'm':
        unit = 1ULL << 20;
        break;
      case 'g':
        unit = 1ULL << 30;
        break;
      case 't':
        unit = 1ULL << 40;
        break;
      default:
        throw UsageError(option + ": '" + text + "' has an unknown unit (use K, M, G or T)");
    }
    ++i;
    if (i < text.size() && (text[i] | 0x20) == 'b') ++i;
    if (i != text.size())
      throw UsageError(option + ": '" + text + "' is not a size (examples: 64K, 512M, 2G)");
  }
  if (value > UINT64_MAX / unit) throw UsageError(option + ": '" + text + "' is too large");
  return value * unit;
}

}  // namespace endhost::cli
