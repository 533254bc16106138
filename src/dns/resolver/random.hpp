// The engine's only source of unpredictability: query IDs (RFC 5452 §4.3: an off-path attacker must guess
// them) and tie-breaks between equally good servers. The session supplies a cryptographic source; tests
// supply a scripted one so that every run sends the same IDs.
#pragma once

#include <cstdint>

namespace endhost::dns::resolver {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // 32 uniformly random bits.
  virtual std::uint32_t next() = 0;
};

}  // namespace endhost::dns::resolver
