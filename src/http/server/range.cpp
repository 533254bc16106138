#include "http/server/range.hpp"

#include <algorithm>

#include "http/field_value.hpp"
#include "http/fields.hpp"
#include "http/server/response.hpp"

namespace endhost::web {

namespace {

// 1*DIGIT that fits 63 bits (larger positions cannot be satisfied, and the arithmetic stays exact).
bool parse_u63(std::string_view s, std::uint64_t& v) {
  if (s.empty() || s.size() > 19) return false;
  v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (static_cast<std::uint64_t>(INT64_MAX) - d) / 10) return false;
    v = v * 10 + d;
  }
  return true;
}

}  // namespace

RangeOutcome parse_range(std::string_view value, std::uint64_t length, std::size_t max_ranges,
                         std::vector<ByteRange>& ranges) {
  ranges.clear();
  // ranges-specifier = range-unit "=" range-set (§14.1.1); range units are case-insensitive (§14.1).
  const std::size_t eq = value.find('=');
  if (eq == std::string_view::npos || !http::iequals(value.substr(0, eq), "bytes"))
    return RangeOutcome::ignore;
  http::ListReader list(value.substr(eq + 1));
  std::size_t specs = 0;
  while (auto spec = list.next()) {
    if (++specs > max_ranges) {
      ranges.clear();
      return RangeOutcome::ignore;
    }
    const std::size_t dash = spec->find('-');
    if (dash == std::string_view::npos) return ranges.clear(), RangeOutcome::ignore;
    const std::string_view a = spec->substr(0, dash), b = spec->substr(dash + 1);
    std::uint64_t first = 0, last = 0;
    if (a.empty()) {
      // suffix-range = "-" suffix-length: the last N bytes; N = 0 is unsatisfiable.
      if (!parse_u63(b, last)) return ranges.clear(), RangeOutcome::ignore;
      if (last == 0 || length == 0) continue;
      ranges.push_back({length - std::min(last, length), length - 1});
      continue;
    }
    if (!parse_u63(a, first)) return ranges.clear(), RangeOutcome::ignore;
    if (b.empty()) {
      last = UINT64_MAX;
    } else {
      if (!parse_u63(b, last)) return ranges.clear(), RangeOutcome::ignore;
      // §14.1.1: last-pos < first-pos makes the int-range invalid, hence the whole field.
      if (last < first) return ranges.clear(), RangeOutcome::ignore;
    }
    if (first >= length) continue;  // unsatisfiable on its own (§14.1.1)
    ranges.push_back({first, std::min(last, length - 1)});
  }
  if (specs == 0) return RangeOutcome::ignore;
  if (ranges.empty()) return RangeOutcome::unsatisfiable;
  if (ranges.size() > 1) {
    std::sort(ranges.begin(), ranges.end(),
              [](const ByteRange& x, const ByteRange& y) { return x.first < y.first; });
    std::size_t out = 0;
    for (std::size_t i = 1; i < ranges.size(); ++i) {
      if (ranges[i].first <= ranges[out].last + 1) {
        ranges[out].last = std::max(ranges[out].last, ranges[i].last);
      } else {
        ranges[++out] = ranges[i];
      }
    }
    ranges.resize(out + 1);
  }
  return RangeOutcome::partial;
}

void append_content_range(std::string& out, const ByteRange& r, std::uint64_t length) {
  out += "bytes ";
  append_decimal(out, r.first);
  out += '-';
  append_decimal(out, r.last);
  out += '/';
  append_decimal(out, length);
}

void append_unsatisfied_range(std::string& out, std::uint64_t length) {
  out += "bytes */";
  append_decimal(out, length);
}

void build_byteranges(const std::vector<ByteRange>& ranges, std::uint64_t length,
                      std::string_view content_type, std::string_view boundary, ByterangesBody& out) {
  out.parts.clear();
  out.total_length = 0;
  for (const ByteRange& r : ranges) {
    ByterangesBody::Part part;
    part.range = r;
    // The CRLF before each delimiter belongs to it (RFC 2046 §5.1.1); a leading one is an empty preamble.
    part.header = "\r\n--";
    part.header += boundary;
    part.header += "\r\nContent-Type: ";
    part.header += content_type;
    part.header += "\r\nContent-Range: ";
    append_content_range(part.header, r, length);
    part.header += "\r\n\r\n";
    out.total_length += part.header.size() + r.length();
    out.parts.push_back(std::move(part));
  }
  out.trailer = "\r\n--";
  out.trailer += boundary;
  out.trailer += "--\r\n";
  out.total_length += out.trailer.size();
}

}  // namespace endhost::web
