// One value type per frame (RFC 9113 §6, RFC 9218 §7.1) and Frame, the variant of them all. The same types
// go both ways: FrameReader yields them, the serializer writes them.
//
// Byte fields (data, fragments, debug data) are views. In a frame the reader yields they point into the
// reader's buffer or the caller's input (see frame_reader.hpp for how long they stay valid); in a frame the
// caller writes they point at the caller's bytes. Padding (§6.1, §6.2, §6.6) is described by its length only:
// the reader drops the padding octets, the serializer writes zeros.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "http2/frame/error_code.hpp"
#include "http2/frame/frame_header.hpp"
#include "http2/frame/settings.hpp"

namespace endhost::http2 {

// §6.1
struct Data {
  std::uint32_t stream_id = 0;
  std::string_view data;
  bool end_stream = false;
  std::optional<std::uint8_t> padding;  // set: PADDED, with this many padding octets

  // §6.9.1: the whole payload counts against flow-control windows, Pad Length field and padding included.
  std::uint32_t flow_controlled_length() const noexcept {
    return static_cast<std::uint32_t>(data.size()) + (padding ? 1u + *padding : 0u);
  }
  friend bool operator==(const Data&, const Data&) = default;
};

// The deprecated RFC 7540 priority fields, still in HEADERS (§6.2) and PRIORITY (§6.3) frames.
struct PriorityFields {
  std::uint32_t dependency = 0;  // 31 bits
  bool exclusive = false;
  std::uint8_t weight = 15;  // the wire value: the weight is weight + 1 (1..256); 15 is the default 16

  friend bool operator==(const PriorityFields&, const PriorityFields&) = default;
};

// §6.2
struct Headers {
  std::uint32_t stream_id = 0;
  std::string_view fragment;  // field block fragment (HPACK), continued by CONTINUATION unless end_headers
  bool end_stream = false;
  bool end_headers = true;
  std::optional<PriorityFields> priority;  // set: PRIORITY flag
  std::optional<std::uint8_t> padding;
  friend bool operator==(const Headers&, const Headers&) = default;
};

// §6.3
struct Priority {
  std::uint32_t stream_id = 0;
  PriorityFields priority;
  friend bool operator==(const Priority&, const Priority&) = default;
};

// §6.4
struct RstStream {
  std::uint32_t stream_id = 0;
  ErrorCode error = ErrorCode::no_error;
  friend bool operator==(const RstStream&, const RstStream&) = default;
};

// §6.5: an acknowledgement (no parameters) or a list of parameters. Always on stream 0. Received values
// have passed validate() (settings.hpp); unknown identifiers are kept so a trace can show them.
struct SettingsFrame {
  bool ack = false;
  std::vector<Setting> settings;
  friend bool operator==(const SettingsFrame&, const SettingsFrame&) = default;
};

// §6.6
struct PushPromise {
  std::uint32_t stream_id = 0;
  std::uint32_t promised_stream_id = 0;
  std::string_view fragment;
  bool end_headers = true;
  std::optional<std::uint8_t> padding;
  friend bool operator==(const PushPromise&, const PushPromise&) = default;
};

// §6.7: always on stream 0.
struct Ping {
  bool ack = false;
  std::array<std::uint8_t, 8> opaque{};
  friend bool operator==(const Ping&, const Ping&) = default;
};

// §6.8: always on stream 0.
struct Goaway {
  std::uint32_t last_stream_id = 0;
  ErrorCode error = ErrorCode::no_error;
  std::string_view debug_data;
  friend bool operator==(const Goaway&, const Goaway&) = default;
};

// §6.9: stream 0 is the connection's window.
struct WindowUpdate {
  std::uint32_t stream_id = 0;
  std::uint32_t increment = 0;  // 1..2^31-1 when received
  friend bool operator==(const WindowUpdate&, const WindowUpdate&) = default;
};

// §6.10
struct Continuation {
  std::uint32_t stream_id = 0;
  std::string_view fragment;
  bool end_headers = true;
  friend bool operator==(const Continuation&, const Continuation&) = default;
};

// RFC 9218 §7.1: always on stream 0; names the stream it reprioritizes.
struct PriorityUpdate {
  std::uint32_t prioritized_stream_id = 0;
  std::string_view field_value;  // a Priority Field Value (RFC 9218 §4), e.g. "u=3, i"
  friend bool operator==(const PriorityUpdate&, const PriorityUpdate&) = default;
};

// A frame of a type this codec does not know (§4.1: MUST be ignored and discarded; §5.5: extensions). The
// connection drops it; the trace shows it.
struct Unknown {
  std::uint8_t type = 0;
  std::uint8_t flags = 0;
  std::uint32_t stream_id = 0;
  std::string_view payload;
  friend bool operator==(const Unknown&, const Unknown&) = default;
};

using Frame = std::variant<Data, Headers, Priority, RstStream, SettingsFrame, PushPromise, Ping, Goaway,
                           WindowUpdate, Continuation, PriorityUpdate, Unknown>;

// The header the serializer writes for `frame`: its type, flags, stream and payload length (the length
// padding included). The same header the reader decoded it from, except for flags a type does not define.
FrameHeader header_of(const Frame& frame) noexcept;
FrameHeader header_of(const Data& f) noexcept;
FrameHeader header_of(const Headers& f) noexcept;
FrameHeader header_of(const Priority& f) noexcept;
FrameHeader header_of(const RstStream& f) noexcept;
FrameHeader header_of(const SettingsFrame& f) noexcept;
FrameHeader header_of(const PushPromise& f) noexcept;
FrameHeader header_of(const Ping& f) noexcept;
FrameHeader header_of(const Goaway& f) noexcept;
FrameHeader header_of(const WindowUpdate& f) noexcept;
FrameHeader header_of(const Continuation& f) noexcept;
FrameHeader header_of(const PriorityUpdate& f) noexcept;
FrameHeader header_of(const Unknown& f) noexcept;

}  // namespace endhost::http2
