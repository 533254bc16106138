// The frame layout shared by every frame (RFC 9113 §4.1): the 9-octet header, the frame types of §6 and
// RFC 9218 §7.1, their flags, and the size limits of §4.2. A type the enum does not name is still a valid
// FrameType value (an extension frame, ignored per §4.1 and §5.5).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace endhost::http2 {

// §4.1: every frame begins with a fixed 9-octet header.
inline constexpr std::size_t kFrameHeaderSize = 9;
// §4.2 and §6.5.2: SETTINGS_MAX_FRAME_SIZE starts at 2^14 and may be raised to at most 2^24-1.
inline constexpr std::uint32_t kDefaultMaxFrameSize = 16384;
inline constexpr std::uint32_t kMaxAllowedFrameSize = 16777215;
// §5.1.1: stream identifiers are 31 bits; the high bit on the wire is reserved (R).
inline constexpr std::uint32_t kMaxStreamId = 0x7fffffff;

enum class FrameType : std::uint8_t {
  data = 0x0,              // §6.1
  headers = 0x1,           // §6.2
  priority = 0x2,          // §6.3
  rst_stream = 0x3,        // §6.4
  settings = 0x4,          // §6.5
  push_promise = 0x5,      // §6.6
  ping = 0x6,              // §6.7
  goaway = 0x7,            // §6.8
  window_update = 0x8,     // §6.9
  continuation = 0x9,      // §6.10
  priority_update = 0x10,  // RFC 9218 §7.1
};

// "HEADERS", or an empty view for a type this codec does not know.
std::string_view name(FrameType type) noexcept;

// The flag bits (§6). Flags a type does not define are ignored on receipt and left unset when sending (§4.1).
namespace flags {
inline constexpr std::uint8_t end_stream = 0x1;   // DATA, HEADERS
inline constexpr std::uint8_t ack = 0x1;          // SETTINGS, PING
inline constexpr std::uint8_t end_headers = 0x4;  // HEADERS, PUSH_PROMISE, CONTINUATION
inline constexpr std::uint8_t padded = 0x8;       // DATA, HEADERS, PUSH_PROMISE
inline constexpr std::uint8_t priority = 0x20;    // HEADERS
}  // namespace flags

// The fields of a frame header, decoded. `stream_id` has the reserved bit cleared.
struct FrameHeader {
  std::uint32_t length = 0;  // 24 bits: the payload's length, header excluded
  FrameType type = FrameType::data;
  std::uint8_t flags = 0;
  std::uint32_t stream_id = 0;

  friend bool operator==(const FrameHeader&, const FrameHeader&) = default;
};

// Reads a header from the first 9 bytes of `bytes` (the caller checks there are 9). The R bit is ignored.
FrameHeader decode_frame_header(std::string_view bytes) noexcept;
// The 9 header bytes. `length` must fit in 24 bits; the R bit is written as 0.
std::array<char, kFrameHeaderSize> encode_frame_header(const FrameHeader& header) noexcept;

}  // namespace endhost::http2
