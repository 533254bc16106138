#include "core/settings.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace endhost::core {

void Settings::set(const std::string& name, std::string value) {
  erase(name);
  add(name, std::move(value));
}

void Settings::erase(std::string_view name) {
  std::erase_if(items_, [name](const auto& item) { return item.first == name; });
}

const std::string* Settings::get(std::string_view name) const {
  const std::string* found = nullptr;
  for (const auto& [n, v] : items_) {
    if (n == name) found = &v;
  }
  return found;
}

std::vector<std::string> Settings::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : items_) {
    if (n == name) out.push_back(v);
  }
  return out;
}

namespace {

Unexpected<std::string> refuse(std::string_view option, std::string_view text, std::string_view why) {
  return Unexpected(fmt::format("{}: '{}' {}", option, text, why));
}

// The range in the words the messages use: "64 … 1048576", sizes as written ("64K … 1G").
std::string range_text(std::uint64_t low, std::uint64_t high, bool sizes) {
  if (sizes) return fmt::format("{} … {}", format_size(low), format_size(high));
  return fmt::format("{} … {}", low, high);
}

}  // namespace

Expected<std::uint64_t, std::string> parse_unsigned_setting(std::string_view option, std::string_view text,
                                                            std::uint64_t low, std::uint64_t high) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec == std::errc::invalid_argument || p != text.data() + text.size())
    return refuse(option, text, "is not a whole number");
  if (ec == std::errc::result_out_of_range || v < low || v > high)
    return refuse(option, text, "is outside " + range_text(low, high, false));
  return v;
}

Expected<std::uint64_t, std::string> parse_size_setting(std::string_view option, std::string_view text,
                                                        std::uint64_t low, std::uint64_t high) {
  std::uint64_t value = 0;
  std::size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (value > (UINT64_MAX - 9) / 10) return refuse(option, text, "is too large");
    value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  if (i == 0) return refuse(option, text, "is not a size (examples: 65536, 64K, 512M, 2G)");
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
        return refuse(option, text, "has an unknown unit (use K, M, G or T)");
    }
    ++i;
    if (i < text.size() && (text[i] | 0x20) == 'b') ++i;
    if (i != text.size()) return refuse(option, text, "is not a size (examples: 64K, 512M, 2G)");
  }
  if (value > UINT64_MAX / unit) return refuse(option, text, "is too large");
  value *= unit;
  if (value < low || value > high) return refuse(option, text, "is outside " + range_text(low, high, true));
  return value;
}

Expected<double, std::string> parse_number_setting(std::string_view option, std::string_view text, double low,
                                                   double high) {
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || !std::isfinite(v))
    return refuse(option, text, "is not a number");
  if (v < low || v > high) return refuse(option, text, fmt::format("is outside {:g} … {:g}", low, high));
  return v;
}

Expected<bool, std::string> parse_bool_setting(std::string_view option, std::string_view text) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  return refuse(option, text, "is not true or false");
}

std::string format_size(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"", "K", "M", "G", "T"};
  std::size_t unit = 0;
  while (unit + 1 < std::size(kUnits) && bytes != 0 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  return std::to_string(bytes) + kUnits[unit];
}

}  // namespace endhost::core
