// The lab's transcripts in memory, for the dashboard: one bounded ring per service, so a busy service (a
// benchmark through the cache) cannot push the root server's few lines out. Sequence numbers are shared by
// all the rings, so a reader still asks for "everything after N" across services, and an event stream can
// resume from its Last-Event-ID.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/transcript.hpp"

namespace endhost::lab {

class TranscriptRings final : public core::TranscriptSink {
 public:
  explicit TranscriptRings(std::size_t lines_per_service) : per_service_(lines_per_service) {}
  void record(const core::TranscriptEntry& entry) override;

  // Records with after < seq < before, oldest first, the newest `limit` of them; only those of `service`
  // unless it is empty. `before` pages back through what the rings still hold (the dashboard's older lines).
  std::vector<core::TranscriptRecord> since(std::uint64_t after, std::size_t limit = 1000,
                                            std::string_view service = {},
                                            std::uint64_t before = UINT64_MAX) const;
  std::uint64_t last_seq() const;

 private:
  std::size_t per_service_;
  mutable std::mutex mutex_;
  std::map<std::string, std::deque<core::TranscriptRecord>, std::less<>> rings_;
  std::uint64_t next_seq_ = 1;
};

}  // namespace endhost::lab
