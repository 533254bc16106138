#include "http/cache/range.hpp"

#include <algorithm>

#include "http/cache/validation.hpp"
#include "http/chars.hpp"
#include "http/date.hpp"

namespace endhost::http::cache {

namespace {

using chars::trim;

// 1*DIGIT that fits 63 bits.
std::optional<std::uint64_t> number(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

}  // namespace

RangeDecision evaluate_range(std::optional<std::string_view> range, std::uint64_t length) noexcept {
  if (!range) return {};
  std::string_view v = trim(*range);
  // §14.1.1: the unit is case-insensitive; we serve bytes only.
  if (v.size() < 6 || !iequals(v.substr(0, 6), "bytes=")) return {};
  v.remove_prefix(6);
  // One range only; a list (a comma) gets the full response rather than multipart/byteranges.
  if (v.find(',') != std::string_view::npos) return {};
  v = trim(v);
  const auto dash = v.find('-');
  if (dash == std::string_view::npos) return {};
  const auto first_text = v.substr(0, dash), last_text = v.substr(dash + 1);
  RangeDecision d;
  if (first_text.empty()) {
    // suffix-range: the last N bytes (§14.1.2).
    auto n = number(last_text);
    if (!n) return {};
    if (*n == 0 || length == 0) return {RangeKind::unsatisfiable, {}};
    d.range = {length - std::min(*n, length), length - 1};
  } else {
    auto first = number(first_text);
    if (!first) return {};
    std::uint64_t last = length == 0 ? 0 : length - 1;
    if (!last_text.empty()) {
      auto l = number(last_text);
      if (!l || *l < *first) return {};  // §14.1.1: last < first makes the range invalid: ignore it
      last = std::min(*l, last);
    }
    // §14.1.2: satisfiable only when first is inside the representation.
    if (*first >= length) return {RangeKind::unsatisfiable, {}};
    d.range = {*first, last};
  }
  d.kind = RangeKind::partial;
  return d;
}

bool if_range_allows(std::optional<std::string_view> if_range, const Fields& stored) noexcept {
  if (!if_range) return true;
  const std::string_view v = trim(*if_range);
  if (!v.empty() && (v.front() == '"' || v.substr(0, 2) == "W/")) {
    // §13.1.5: a strong comparison; a weak tag never matches.
    auto etag = stored.get("etag");
    return etag && etag_strong_equal(v, *etag);
  }
  auto date = parse_http_date(v);
  auto lm = stored.get("last-modified");
  if (!date || !lm) return false;
  auto stored_date = parse_http_date(*lm);
  return stored_date && *stored_date == *date;
}

std::string content_range(const RangeDecision& d, std::uint64_t length) {
  if (d.kind == RangeKind::unsatisfiable) return "bytes */" + std::to_string(length);
  return "bytes " + std::to_string(d.range.first) + "-" + std::to_string(d.range.last) + "/" +
         std::to_string(length);
}

std::optional<HeldRange> parse_content_range(std::string_view value) noexcept {
  std::string_view v = trim(value);
  if (v.size() < 6 || !iequals(v.substr(0, 6), "bytes ")) return std::nullopt;
  v.remove_prefix(6);
  const auto dash = v.find('-'), slash = v.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || dash > slash) return std::nullopt;
  const auto first = number(v.substr(0, dash));
  const auto last = number(v.substr(dash + 1, slash - dash - 1));
  const auto length = number(v.substr(slash + 1));
  // §14.4: an invalid range (last < first, or past the end) makes the whole field invalid.
  if (!first || !last || !length || *last < *first || *last >= *length) return std::nullopt;
  return HeldRange{{*first, *last}, *length};
}

std::optional<ByteRange> range_within(std::optional<std::string_view> range,
                                      const HeldRange& stored) noexcept {
  const RangeDecision d = evaluate_range(range, stored.length);
  if (d.kind != RangeKind::partial) return std::nullopt;
  if (d.range.first < stored.held.first || d.range.last > stored.held.last) return std::nullopt;
  return d.range;
}

}  // namespace endhost::http::cache
