#include "lab/transcript_rings.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/printable.hpp"

namespace endhost::lab {

namespace {

using Ring = std::deque<core::TranscriptRecord>;

// The records of one ring with after < seq < before (a ring's seqs increase), at most the newest `limit`.
std::pair<Ring::const_iterator, Ring::const_iterator> newest_between(const Ring& ring, std::uint64_t after,
                                                                     std::uint64_t before,
                                                                     std::size_t limit) {
  auto first = std::partition_point(ring.begin(), ring.end(),
                                    [after](const core::TranscriptRecord& r) { return r.seq <= after; });
  auto last = std::partition_point(first, ring.end(),
                                   [before](const core::TranscriptRecord& r) { return r.seq < before; });
  if (static_cast<std::size_t>(last - first) > limit) first = last - static_cast<std::ptrdiff_t>(limit);
  return {first, last};
}

}  // namespace

void TranscriptRings::record(const core::TranscriptEntry& e) {
  std::lock_guard lock(mutex_);
  if (per_service_ == 0) return;
  auto it = rings_.find(e.service);
  if (it == rings_.end()) it = rings_.emplace(std::string(e.service), Ring{}).first;
  Ring& ring = it->second;
  if (ring.size() == per_service_) ring.pop_front();
  ring.push_back(core::TranscriptRecord{next_seq_++, e.unix_micros, std::string(e.service),
                                        std::string(e.peer), e.who, core::printable(e.text)});
}

std::vector<core::TranscriptRecord> TranscriptRings::since(std::uint64_t after, std::size_t limit,
                                                           std::string_view service,
                                                           std::uint64_t before) const {
  std::lock_guard lock(mutex_);
  std::vector<core::TranscriptRecord> out;
  if (!service.empty()) {
    auto it = rings_.find(service);
    if (it == rings_.end()) return out;
    auto [first, last] = newest_between(it->second, after, before, limit);
    out.assign(first, last);
    return out;
  }
  // Every ring's newest `limit` may be among the newest `limit` overall; merge them by seq.
  for (const auto& [name, ring] : rings_) {
    auto [first, last] = newest_between(ring, after, before, limit);
    out.insert(out.end(), first, last);
  }
  std::sort(out.begin(), out.end(),
            [](const core::TranscriptRecord& a, const core::TranscriptRecord& b) { return a.seq < b.seq; });
  if (out.size() > limit) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(limit));
  return out;
}

std::uint64_t TranscriptRings::last_seq() const {
  std::lock_guard lock(mutex_);
  return next_seq_ - 1;
}

}  // namespace endhost::lab
