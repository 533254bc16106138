// Test helpers: IPv4 packets as a host's stack would write them into its TUN device, and instants.
#pragma once

#include <cstdint>
#include <ostream>
#include <vector>

#include "netem/time.hpp"

namespace endhost::core {
// gtest prints an instant as nanoseconds since the emulator's test epoch (found by ADL through EngineClock).
inline void PrintTo(const netem::TimePoint& t, std::ostream* os) {
  *os << (t.time_since_epoch() - std::chrono::seconds(1000)).count() << " ns after t0";
}
}  // namespace endhost::core

namespace endhost::netem::test {

inline constexpr std::uint32_t ip(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return std::uint32_t{a} << 24 | std::uint32_t{b} << 16 | std::uint32_t{c} << 8 | d;
}

// A well-formed IPv4 packet of `total` bytes (≥ 20) to `dst`; the payload bytes carry `fill`.
inline std::vector<std::uint8_t> ipv4_packet(std::uint32_t dst, std::size_t total, std::uint8_t fill = 0xab) {
  std::vector<std::uint8_t> p(total, fill);
  p[0] = 0x45;
  p[1] = 0;
  p[2] = static_cast<std::uint8_t>(total >> 8);
  p[3] = static_cast<std::uint8_t>(total);
  p[8] = 64;  // TTL
  p[9] = 17;  // UDP
  for (int i = 12; i < 16; ++i) p[i] = 0;
  p[16] = static_cast<std::uint8_t>(dst >> 24);
  p[17] = static_cast<std::uint8_t>(dst >> 16);
  p[18] = static_cast<std::uint8_t>(dst >> 8);
  p[19] = static_cast<std::uint8_t>(dst);
  return p;
}

// Not zero, so that a default-constructed TimePoint is never an instant of the test.
inline const TimePoint t0 = TimePoint(std::chrono::seconds(1000));

inline TimePoint at_us(std::int64_t us) {
  return t0 + std::chrono::microseconds(us);
}
inline TimePoint at_ms(double ms) {
  return t0 + std::chrono::nanoseconds(static_cast<std::int64_t>(ms * 1'000'000.0 + (ms >= 0 ? 0.5 : -0.5)));
}

}  // namespace endhost::netem::test
