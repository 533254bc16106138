#include "imap/sequence_set.hpp"

#include <algorithm>

namespace endhost::imap {

std::vector<SeqRange> resolve(const SequenceSet& set, std::uint32_t max_value) {
  std::vector<SeqRange> out;
  if (max_value == 0) return out;
  out.reserve(set.ranges.size());
  for (const SeqRange& r : set.ranges) {
    std::uint32_t a = r.first == kStar ? max_value : r.first;
    std::uint32_t b = r.last == kStar ? max_value : r.last;
    if (a > b) std::swap(a, b);
    if (a > max_value) continue;  // wholly above: nothing of it exists
    out.push_back({a, std::min(b, max_value)});
  }
  std::sort(out.begin(), out.end(), [](const SeqRange& x, const SeqRange& y) { return x.first < y.first; });
  std::size_t kept = 0;
  for (const SeqRange& r : out) {
    // Join overlapping and adjacent ranges; `last + 1` would overflow at 4294967295, so subtract instead.
    if (kept > 0 && (r.first <= out[kept - 1].last || r.first - out[kept - 1].last == 1)) {
      out[kept - 1].last = std::max(out[kept - 1].last, r.last);
    } else {
      out[kept++] = r;
    }
  }
  out.resize(kept);
  return out;
}

bool contains(std::span<const SeqRange> resolved, std::uint32_t n) {
  auto it = std::upper_bound(resolved.begin(), resolved.end(), n,
                             [](std::uint32_t v, const SeqRange& r) { return v < r.first; });
  if (it == resolved.begin()) return false;
  --it;
  return n >= it->first && n <= it->last;
}

bool exceeds(const SequenceSet& set, std::uint32_t max_value) {
  for (const SeqRange& r : set.ranges) {
    if ((r.first != kStar && r.first > max_value) || (r.last != kStar && r.last > max_value)) return true;
  }
  return false;
}

std::string format(std::span<const SeqRange> ranges) {
  std::string out;
  auto number = [&out](std::uint32_t n) {
    if (n == kStar) {
      out += '*';
    } else {
      out += std::to_string(n);
    }
  };
  for (const SeqRange& r : ranges) {
    if (!out.empty()) out += ',';
    number(r.first);
    if (r.last != r.first) {
      out += ':';
      number(r.last);
    }
  }
  return out;
}

}  // namespace endhost::imap
