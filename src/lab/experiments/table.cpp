#include "lab/experiments/table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace endhost::lab {

namespace {

// Display width in columns: UTF-8 continuation bytes take none.
std::size_t width(const std::string& s) {
  std::size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

bool numeric(const std::string& s) {
  return !s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == '~');
}

}  // namespace

std::string Table::render() const {
  std::vector<std::size_t> widths(header_.size(), 0);
  for (std::size_t i = 0; i < header_.size(); ++i) widths[i] = width(header_[i]);
  for (const auto& r : rows_) {
    for (std::size_t i = 0; i < r.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], width(r[i]));
  }
  auto line = [&](const std::vector<std::string>& cells, bool head) {
    std::string out = " ";
    for (std::size_t i = 0; i < widths.size(); ++i) {
      std::string cell = i < cells.size() ? cells[i] : "";
      std::string pad(widths[i] - width(cell), ' ');
      out += " " + ((!head && i > 0 && numeric(cell)) ? pad + cell : cell + pad) + " ";
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(header_, true);
  std::string rule = " ";
  for (auto w : widths) rule += " " + std::string(w, '-') + " ";
  while (rule.back() == ' ') rule.pop_back();
  out += rule + "\n";
  for (const auto& r : rows_) out += line(r, false);
  return out;
}

std::string ms(double millis) {
  return fmt::format("{:.3f}", millis);
}

std::string ratio(double r) {
  return fmt::format("{:.0f}%", r * 100);
}

}  // namespace endhost::lab
