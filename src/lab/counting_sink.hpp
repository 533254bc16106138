// A transcript sink that counts what passes through it on the way to the lab's ring: the client lines of one
// service. For services that put every instance's metrics into the ServiceHost's one registry (the
// authoritative DNS servers), this is how the dashboard still tells the root server's queries from the
// TLD servers'.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/transcript.hpp"

namespace endhost::lab {

class CountingTranscriptSink final : public core::TranscriptSink {
 public:
  explicit CountingTranscriptSink(core::TranscriptSink* next) : next_(next) {}
  void record(const core::TranscriptEntry& entry) override {
    if (entry.who == core::Speaker::Client) client_lines_.fetch_add(1, std::memory_order_relaxed);
    if (next_) next_->record(entry);
  }
  std::uint64_t client_lines() const { return client_lines_.load(std::memory_order_relaxed); }

 private:
  core::TranscriptSink* next_;
  std::atomic<std::uint64_t> client_lines_{0};
};

}  // namespace endhost::lab
