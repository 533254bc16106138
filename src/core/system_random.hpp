// The program's RandomSource: bytes from the kernel's CSPRNG (getrandom(2)), fetched 256 at a time so that a
// query ID costs no system call most of the time. One per owner (an event loop, a zone, a store); not
// thread-safe. getrandom failing is fatal (std::runtime_error): guessable IDs would make every service
// spoofable, so stopping is better than carrying on.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/random.hpp"

namespace endhost::core {

class SystemRandom final : public RandomSource {
 public:
  void fill(std::span<std::uint8_t> out) override;

 private:
  void refill();
  std::array<std::uint8_t, 256> pool_{};
  std::size_t used_ = 256;
};

}  // namespace endhost::core
