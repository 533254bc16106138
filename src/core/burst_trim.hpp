// Gives freed heap memory back to the system once a burst of connections is over. glibc keeps the chunks
// that 1,000 slow clients' buffers were freed into between live allocations, so RSS would stay at the
// attack's peak for good; a trim after most of a burst has closed returns it. One per event loop (no lock),
// told of every connection that opens and closes. Steady traffic, whose connection count holds level,
// never trims.
#pragma once

#include <cstddef>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace endhost::core {

class BurstTrim {
 public:
  void opened() noexcept {
    if (++live_ > peak_) peak_ = live_;
  }

  // Trims when at least kMinBurst connections closed since the peak and at most half of the peak remain;
  // the peak then restarts from here, so an attack's end costs a handful of trims.
  void closed() noexcept {
    if (live_ > 0) --live_;
    if (peak_ - live_ < kMinBurst || live_ > peak_ / 2) return;
#if defined(__GLIBC__)
    ::malloc_trim(0);
#endif
    peak_ = live_;
    ++trims_;
  }

  // One connection for the time it lives (opened() now, closed() when it goes).
  class Connection {
   public:
    explicit Connection(BurstTrim& trim) noexcept : trim_(trim) { trim_.opened(); }
    ~Connection() { trim_.closed(); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

   private:
    BurstTrim& trim_;
  };

  std::size_t live() const noexcept {
    return live_;
  }
  std::size_t trims() const noexcept {
    return trims_;
  }

  static constexpr std::size_t kMinBurst = 64;

 private:
  std::size_t live_ = 0;
  std::size_t peak_ = 0;
  std::size_t trims_ = 0;
};

}  // namespace endhost::core
