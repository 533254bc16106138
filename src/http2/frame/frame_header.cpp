#include "http2/frame/frame_header.hpp"

#include <cassert>

namespace endhost::http2 {

std::string_view name(FrameType type) noexcept {
  switch (type) {
    case FrameType::data:
      return "DATA";
    case FrameType::headers:
      return "HEADERS";
    case FrameType::priority:
      return "PRIORITY";
    case FrameType::rst_stream:
      return "RST_STREAM";
    case FrameType::settings:
      return "SETTINGS";
    case FrameType::push_promise:
      return "PUSH_PROMISE";
    case FrameType::ping:
      return "PING";
    case FrameType::goaway:
      return "GOAWAY";
    case FrameType::window_update:
      return "WINDOW_UPDATE";
    case FrameType::continuation:
      return "CONTINUATION";
    case FrameType::priority_update:
      return "PRIORITY_UPDATE";
  }
  return {};
}

// §4.1: Length (24) | Type (8) | Flags (8) | R (1) | Stream Identifier (31), all in network byte order.
FrameHeader decode_frame_header(std::string_view bytes) noexcept {
  assert(bytes.size() >= kFrameHeaderSize);
  const auto b = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i]));
  };
  FrameHeader h;
  h.length = b(0) << 16 | b(1) << 8 | b(2);
  h.type = static_cast<FrameType>(b(3));
  h.flags = static_cast<std::uint8_t>(b(4));
  h.stream_id = (b(5) << 24 | b(6) << 16 | b(7) << 8 | b(8)) & kMaxStreamId;
  return h;
}

std::array<char, kFrameHeaderSize> encode_frame_header(const FrameHeader& h) noexcept {
  assert(h.length <= kMaxAllowedFrameSize);
  const auto c = [](std::uint32_t v) { return static_cast<char>(static_cast<unsigned char>(v & 0xff)); };
  const std::uint32_t id = h.stream_id & kMaxStreamId;
  return {c(h.length >> 16),
          c(h.length >> 8),
          c(h.length),
          c(static_cast<std::uint32_t>(h.type)),
          c(h.flags),
          c(id >> 24),
          c(id >> 16),
          c(id >> 8),
          c(id)};
}

}  // namespace endhost::http2
