// What ServiceHost needs from each server to shut down gracefully: stop taking new work, report work still in
// flight, and cut everything off when the grace period runs out. All three are thread-safe.
#pragma once

#include <cstddef>

namespace endhost::core {

class Drainable {
 public:
  virtual ~Drainable() = default;
  virtual void drain() = 0;
  virtual std::size_t in_flight() const = 0;
  virtual void abort() = 0;
};

}  // namespace endhost::core
