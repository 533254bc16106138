#include "http2/frame/frames.hpp"

namespace endhost::http2 {
namespace {

std::uint32_t size32(std::size_t n) noexcept {
  return static_cast<std::uint32_t>(n);
}
std::uint32_t padding_size(const std::optional<std::uint8_t>& padding) noexcept {
  return padding ? 1u + *padding : 0u;
}
std::uint8_t flag_if(bool on, std::uint8_t flag) noexcept {
  return on ? flag : std::uint8_t{0};
}

}  // namespace

FrameHeader header_of(const Data& f) noexcept {  // §6.1
  return {f.flow_controlled_length(), FrameType::data,
          static_cast<std::uint8_t>(flag_if(f.end_stream, flags::end_stream) |
                                    flag_if(f.padding.has_value(), flags::padded)),
          f.stream_id};
}

FrameHeader header_of(const Headers& f) noexcept {  // §6.2
  const std::uint8_t fl =
      flag_if(f.end_stream, flags::end_stream) | flag_if(f.end_headers, flags::end_headers) |
      flag_if(f.padding.has_value(), flags::padded) | flag_if(f.priority.has_value(), flags::priority);
  return {size32(f.fragment.size()) + padding_size(f.padding) + (f.priority ? 5u : 0u), FrameType::headers,
          fl, f.stream_id};
}

FrameHeader header_of(const Priority& f) noexcept {
  return {5, FrameType::priority, 0, f.stream_id};
}  // §6.3

FrameHeader header_of(const RstStream& f) noexcept {
  return {4, FrameType::rst_stream, 0, f.stream_id};
}  // §6.4

FrameHeader header_of(const SettingsFrame& f) noexcept {  // §6.5
  return {f.ack ? 0u : size32(6 * f.settings.size()), FrameType::settings, flag_if(f.ack, flags::ack), 0};
}

FrameHeader header_of(const PushPromise& f) noexcept {  // §6.6
  const std::uint8_t fl =
      flag_if(f.end_headers, flags::end_headers) | flag_if(f.padding.has_value(), flags::padded);
  return {4 + size32(f.fragment.size()) + padding_size(f.padding), FrameType::push_promise, fl, f.stream_id};
}

FrameHeader header_of(const Ping& f) noexcept {
  return {8, FrameType::ping, flag_if(f.ack, flags::ack), 0};
}  // §6.7

FrameHeader header_of(const Goaway& f) noexcept {  // §6.8
  return {8 + size32(f.debug_data.size()), FrameType::goaway, 0, 0};
}

FrameHeader header_of(const WindowUpdate& f) noexcept {  // §6.9
  return {4, FrameType::window_update, 0, f.stream_id};
}

FrameHeader header_of(const Continuation& f) noexcept {  // §6.10
  return {size32(f.fragment.size()), FrameType::continuation, flag_if(f.end_headers, flags::end_headers),
          f.stream_id};
}

FrameHeader header_of(const PriorityUpdate& f) noexcept {  // RFC 9218 §7.1
  return {4 + size32(f.field_value.size()), FrameType::priority_update, 0, 0};
}

FrameHeader header_of(const Unknown& f) noexcept {
  return {size32(f.payload.size()), static_cast<FrameType>(f.type), f.flags, f.stream_id};
}

FrameHeader header_of(const Frame& frame) noexcept {
  return std::visit([](const auto& f) { return header_of(f); }, frame);
}

}  // namespace endhost::http2
