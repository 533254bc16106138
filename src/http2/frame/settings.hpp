// SETTINGS parameters (RFC 9113 §6.5.2, RFC 8441 §3, RFC 9218 §2.1): the identifiers, one received or sent
// (id, value) pair, the checks §6.5.2 asks of a receiver, and Settings: the values in force for one side of
// a connection, starting at the defaults of §6.5.2.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "http2/frame/frame_error.hpp"

namespace endhost::http2 {

// Any 16-bit value can arrive; unknown identifiers are ignored (§6.5.2).
enum class SettingId : std::uint16_t {
  header_table_size = 0x1,
  enable_push = 0x2,
  max_concurrent_streams = 0x3,
  initial_window_size = 0x4,
  max_frame_size = 0x5,
  max_header_list_size = 0x6,
  enable_connect_protocol = 0x8,  // RFC 8441 §3
  no_rfc7540_priorities = 0x9,    // RFC 9218 §2.1
};

// "MAX_CONCURRENT_STREAMS" (the RFC's name without "SETTINGS_"), or empty for an unknown identifier.
std::string_view name(SettingId id) noexcept;

// §6.5.1: one 6-octet parameter.
struct Setting {
  SettingId id{};
  std::uint32_t value = 0;
  friend bool operator==(const Setting&, const Setting&) = default;
};

// §6.9.1: the largest flow-control window, 2^31-1.
inline constexpr std::uint32_t kMaxWindowSize = 0x7fffffff;
// §6.9.2: the initial window of a connection and of every stream until SETTINGS changes it.
inline constexpr std::uint32_t kDefaultWindowSize = 65535;

// The checks §6.5.2 (and RFC 8441 §3, RFC 9218 §2.1) ask of a received value. All failures are connection
// errors: ENABLE_PUSH, ENABLE_CONNECT_PROTOCOL, NO_RFC7540_PRIORITIES other than 0/1 and MAX_FRAME_SIZE
// outside [2^14, 2^24-1] are PROTOCOL_ERROR; INITIAL_WINDOW_SIZE above 2^31-1 is FLOW_CONTROL_ERROR.
// Unknown identifiers pass.
Expected<void, FrameError> validate(const Setting& setting) noexcept;

struct Settings {
  std::uint32_t header_table_size = 4096;
  bool enable_push = true;
  std::optional<std::uint32_t> max_concurrent_streams;  // nullopt: no limit (the initial state)
  std::uint32_t initial_window_size = kDefaultWindowSize;
  std::uint32_t max_frame_size = 16384;
  std::optional<std::uint32_t> max_header_list_size;  // nullopt: no limit (the initial state)
  bool enable_connect_protocol = false;
  bool no_rfc7540_priorities = false;

  // Validates `setting`, then stores it; unknown identifiers are ignored. A failure changes nothing.
  Expected<void, FrameError> apply(const Setting& setting) noexcept;
  // Applies each in order (§6.5.3: in the order they appear), stopping at the first invalid one.
  Expected<void, FrameError> apply(const std::vector<Setting>& settings) noexcept;

  // The parameters that differ from `base`, in identifier order: what to send in a SETTINGS frame to move the
  // peer's view from `base` (the defaults, for the first SETTINGS) to these values. A limit that goes back
  // to "no limit" cannot be expressed and is skipped.
  std::vector<Setting> changes_from(const Settings& base) const;
  std::vector<Setting> changes_from() const;

  friend bool operator==(const Settings&, const Settings&) = default;
};

}  // namespace endhost::http2
