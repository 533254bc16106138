#include "http2/frame/frame_decoder.hpp"

#include <cassert>

namespace endhost::http2 {
namespace {

using Result = Expected<Frame, FrameError>;

std::uint32_t u32(std::string_view b, std::size_t at) noexcept {
  const auto c = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + i]));
  };
  return c(0) << 24 | c(1) << 16 | c(2) << 8 | c(3);
}

Unexpected<FrameError> conn(ErrorCode code, std::string_view reason, const FrameHeader& h) noexcept {
  return Unexpected(connection_error(code, reason, h.stream_id));
}

// Strips the Pad Length octet and the padding of a PADDED frame (§6.1, §6.2, §6.6). `fixed` is the size of
// the fields that follow Pad Length and precede the fragment/data. On success `payload` is the fixed fields
// plus the fragment, and `padding` the Pad Length value.
Expected<void, FrameError> strip_padding(const FrameHeader& h, std::string_view& payload, std::size_t fixed,
                                         std::optional<std::uint8_t>& padding) noexcept {
  const bool padded = (h.flags & flags::padded) != 0;
  if (payload.size() < (padded ? 1u : 0u) + fixed)  // §4.2: too small for the mandatory fields
    return conn(ErrorCode::frame_size_error, "frame too short for its fields", h);
  if (!padded) return {};
  const auto pad = static_cast<std::uint8_t>(payload[0]);
  payload.remove_prefix(1);
  // §6.1, §6.2, §6.6: padding as long as the rest of the payload or longer is a PROTOCOL_ERROR.
  if (pad > payload.size() - fixed) return conn(ErrorCode::protocol_error, "padding exceeds the payload", h);
  payload.remove_suffix(pad);
  padding = pad;
  return {};
}

PriorityFields priority_fields(
    std::string_view b) noexcept {  // §6.3: E (1) | Stream Dependency (31) | Weight (8)
  const std::uint32_t dep = u32(b, 0);
  return PriorityFields{dep & kMaxStreamId, (dep & 0x80000000u) != 0, static_cast<std::uint8_t>(b[4])};
}

Result data(const FrameHeader& h, std::string_view p) {  // §6.1
  if (h.stream_id == 0) return conn(ErrorCode::protocol_error, "DATA on stream 0", h);
  Data f;
  f.stream_id = h.stream_id;
  f.end_stream = (h.flags & flags::end_stream) != 0;
  if (auto ok = strip_padding(h, p, 0, f.padding); !ok) return Unexpected(ok.error());
  f.data = p;
  return f;
}

Result headers(const FrameHeader& h, std::string_view p) {  // §6.2
  if (h.stream_id == 0) return conn(ErrorCode::protocol_error, "HEADERS on stream 0", h);
  Headers f;
  f.stream_id = h.stream_id;
  f.end_stream = (h.flags & flags::end_stream) != 0;
  f.end_headers = (h.flags & flags::end_headers) != 0;
  const bool prio = (h.flags & flags::priority) != 0;
  if (auto ok = strip_padding(h, p, prio ? 5 : 0, f.padding); !ok) return Unexpected(ok.error());
  if (prio) {
    f.priority = priority_fields(p);
    p.remove_prefix(5);
  }
  f.fragment = p;
  return f;
}

Result priority(const FrameHeader& h, std::string_view p) {  // §6.3
  if (h.stream_id == 0) return conn(ErrorCode::protocol_error, "PRIORITY on stream 0", h);
  if (p.size() != 5)
    return Unexpected(stream_error(ErrorCode::frame_size_error, h.stream_id, "PRIORITY length not 5"));
  return Priority{h.stream_id, priority_fields(p)};
}

Result rst_stream(const FrameHeader& h, std::string_view p) {  // §6.4
  if (h.stream_id == 0) return conn(ErrorCode::protocol_error, "RST_STREAM on stream 0", h);
  if (p.size() != 4) return conn(ErrorCode::frame_size_error, "RST_STREAM length not 4", h);
  return RstStream{h.stream_id, static_cast<ErrorCode>(u32(p, 0))};
}

Result settings(const FrameHeader& h, std::string_view p) {  // §6.5
  if (h.stream_id != 0) return conn(ErrorCode::protocol_error, "SETTINGS on a stream", h);
  SettingsFrame f;
  f.ack = (h.flags & flags::ack) != 0;
  if (f.ack) {
    if (!p.empty()) return conn(ErrorCode::frame_size_error, "SETTINGS ACK with a payload", h);
    return f;
  }
  if (p.size() % 6 != 0) return conn(ErrorCode::frame_size_error, "SETTINGS length not a multiple of 6", h);
  f.settings.reserve(p.size() / 6);
  for (std::size_t at = 0; at < p.size(); at += 6) {  // §6.5.1: Identifier (16) | Value (32)
    const auto id = static_cast<std::uint16_t>(static_cast<unsigned char>(p[at]) << 8 |
                                               static_cast<unsigned char>(p[at + 1]));
    const Setting s{static_cast<SettingId>(id), u32(p, at + 2)};
    if (auto ok = validate(s); !ok) return Unexpected(ok.error());  // §6.5.2
    f.settings.push_back(s);
  }
  return f;
}

Result push_promise(const FrameHeader& h, std::string_view p) {  // §6.6
  if (h.stream_id == 0) return conn(ErrorCode::protocol_error, "PUSH_PROMISE on stream 0", h);
  PushPromise f;
  f.stream_id = h.stream_id;
  f.end_headers = (h.flags & flags::end_headers) != 0;
  if (auto ok = strip_padding(h, p, 4, f.padding); !ok) return Unexpected(ok.error());
  f.promised_stream_id = u32(p, 0) & kMaxStreamId;
  f.fragment = p.substr(4);
  return f;
}

Result ping(const FrameHeader& h, std::string_view p) {  // §6.7
  if (h.stream_id != 0) return conn(ErrorCode::protocol_error, "PING on a stream", h);
  if (p.size() != 8) return conn(ErrorCode::frame_size_error, "PING length not 8", h);
  Ping f;
  f.ack = (h.flags & flags::ack) != 0;
  for (std::size_t i = 0; i < 8; ++i) f.opaque[i] = static_cast<std::uint8_t>(p[i]);
  return f;
}

Result goaway(const FrameHeader& h, std::string_view p) {  // §6.8
  if (h.stream_id != 0) return conn(ErrorCode::protocol_error, "GOAWAY on a stream", h);
  if (p.size() < 8) return conn(ErrorCode::frame_size_error, "GOAWAY shorter than 8", h);
  return Goaway{u32(p, 0) & kMaxStreamId, static_cast<ErrorCode>(u32(p, 4)), p.substr(8)};
}

Result window_update(const FrameHeader& h, std::string_view p) {  // §6.9
  if (p.size() != 4) return conn(ErrorCode::frame_size_error, "WINDOW_UPDATE length not 4", h);
  const std::uint32_t increment = u32(p, 0) & kMaxWindowSize;
  if (increment == 0) {
    if (h.stream_id == 0) return conn(ErrorCode::protocol_error, "WINDOW_UPDATE increment 0", h);
    return Unexpected(stream_error(ErrorCode::protocol_error, h.stream_id, "WINDOW_UPDATE increment 0"));
  }
  return WindowUpdate{h.stream_id, increment};
}

Result continuation(const FrameHeader& h, std::string_view p) {  // §6.10
  if (h.stream_id == 0) return conn(ErrorCode::protocol_error, "CONTINUATION on stream 0", h);
  return Continuation{h.stream_id, p, (h.flags & flags::end_headers) != 0};
}

Result priority_update(const FrameHeader& h, std::string_view p) {  // RFC 9218 §7.1
  if (h.stream_id != 0) return conn(ErrorCode::protocol_error, "PRIORITY_UPDATE on a stream", h);
  if (p.size() < 4) return conn(ErrorCode::frame_size_error, "PRIORITY_UPDATE shorter than 4", h);
  const std::uint32_t id = u32(p, 0) & kMaxStreamId;
  if (id == 0) return conn(ErrorCode::protocol_error, "PRIORITY_UPDATE for stream 0", h);
  return PriorityUpdate{id, p.substr(4)};
}

}  // namespace

Expected<Frame, FrameError> decode_frame(const FrameHeader& h, std::string_view payload) {
  assert(payload.size() == h.length);
  switch (h.type) {
    case FrameType::data:
      return data(h, payload);
    case FrameType::headers:
      return headers(h, payload);
    case FrameType::priority:
      return priority(h, payload);
    case FrameType::rst_stream:
      return rst_stream(h, payload);
    case FrameType::settings:
      return settings(h, payload);
    case FrameType::push_promise:
      return push_promise(h, payload);
    case FrameType::ping:
      return ping(h, payload);
    case FrameType::goaway:
      return goaway(h, payload);
    case FrameType::window_update:
      return window_update(h, payload);
    case FrameType::continuation:
      return continuation(h, payload);
    case FrameType::priority_update:
      return priority_update(h, payload);
  }
  // §4.1, §5.5: unknown types are ignored; handed on so the connection can drop them and the trace show them.
  return Unknown{static_cast<std::uint8_t>(h.type), h.flags, h.stream_id, payload};
}

}  // namespace endhost::http2
