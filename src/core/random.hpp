// Where unpredictability comes from: query IDs and source ports (RFC 5452 §4.3, §9.2: an off-path attacker
// must guess them), session ids, cookie values, multipart boundaries, tie-breaks. Code takes a RandomSource
// so that the program uses the kernel's CSPRNG (SystemRandom, core/system_random.hpp) and tests and
// simulations a seeded one that repeats every run (SeededRandom). No I/O here: codecs may use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace endhost::core {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills `out` with uniformly random bytes.
  virtual void fill(std::span<std::uint8_t> out) = 0;

  std::uint32_t next() {  // 32 uniformly random bits
    std::uint8_t b[4];
    fill(b);
    return static_cast<std::uint32_t>(b[0]) | static_cast<std::uint32_t>(b[1]) << 8 |
           static_cast<std::uint32_t>(b[2]) << 16 | static_cast<std::uint32_t>(b[3]) << 24;
  }
  std::uint16_t next16() { return static_cast<std::uint16_t>(next()); }
  // Uniform in [0, bound) without the modulo bias (bound > 0): rejection of the short last interval.
  std::uint32_t below(std::uint32_t bound) {
    const std::uint32_t limit = static_cast<std::uint32_t>(-bound) % bound;  // 2^32 mod bound
    for (;;) {
      const std::uint32_t v = next();
      if (v >= limit) return v % bound;
    }
  }
  // `bytes` random bytes as 2 × bytes lower-case hex digits.
  std::string hex(std::size_t bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(2 * bytes, '0');
    std::uint8_t b[16];
    for (std::size_t done = 0; done < bytes;) {
      const std::size_t n = bytes - done < sizeof b ? bytes - done : sizeof b;
      fill(std::span<std::uint8_t>(b, n));
      for (std::size_t i = 0; i < n; ++i) {
        out[2 * (done + i)] = kHex[b[i] >> 4];
        out[2 * (done + i) + 1] = kHex[b[i] & 15];
      }
      done += n;
    }
    return out;
  }
};

// Deterministic bytes from a seed (SplitMix64), for tests and simulations only: anyone who knows the seed
// knows every value, so nothing that faces the network may use it.
class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(std::uint64_t seed) : state_(seed) {}
  void fill(std::span<std::uint8_t> out) override {
    for (std::size_t i = 0; i < out.size(); i += 8) {
      std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      z ^= z >> 31;
      for (std::size_t j = 0; j < 8 && i + j < out.size(); ++j)
        out[i + j] = static_cast<std::uint8_t>(z >> (8 * j));
    }
  }

 private:
  std::uint64_t state_;
};

}  // namespace endhost::core
