// The session's RandomSource: bits from the kernel's CSPRNG (getrandom(2)), fetched 256 bytes at a time so a
// query ID costs no system call most of the time. Query IDs and source ports must be unpredictable to an
// off-path attacker (RFC 5452 §9.2), which a seeded PRNG is not. One per event loop; not thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "dns/resolver/random.hpp"

namespace endhost::dns::resolver {

class SystemRandom final : public RandomSource {
 public:
  std::uint32_t next() override;

 private:
  void refill();
  std::array<std::uint8_t, 256> pool_{};
  std::size_t used_ = 256;
};

}  // namespace endhost::dns::resolver
