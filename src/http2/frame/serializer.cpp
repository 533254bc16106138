#include "http2/frame/serializer.hpp"

namespace endhost::http2 {
namespace {

void put8(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>(static_cast<unsigned char>(v & 0xff)));
}
void put16(std::string& out, std::uint32_t v) {
  put8(out, v >> 8);
  put8(out, v);
}
void put32(std::string& out, std::uint32_t v) {
  put16(out, v >> 16);
  put16(out, v);
}
void put_priority(std::string& out, const PriorityFields& p) {  // §6.3: E | Stream Dependency | Weight
  put32(out, (p.dependency & kMaxStreamId) | (p.exclusive ? 0x80000000u : 0u));
  put8(out, p.weight);
}
void put_pad_length(std::string& out, const std::optional<std::uint8_t>& padding) {
  if (padding) put8(out, *padding);
}
void put_padding(std::string& out, const std::optional<std::uint8_t>& padding) {
  if (padding) out.append(*padding, '\0');  // §6.1: padding octets MUST be zero when sent
}
template <class F>
void put_header(std::string& out, const F& f) {
  append_frame_header(out, header_of(f));
}

}  // namespace

void append_frame_header(std::string& out, const FrameHeader& header) {
  const auto bytes = encode_frame_header(header);
  out.append(bytes.data(), bytes.size());
}

void append_data_header(std::string& out, std::uint32_t stream_id, std::uint32_t length, bool end_stream) {
  append_frame_header(out,
                      {length, FrameType::data, end_stream ? flags::end_stream : std::uint8_t{0}, stream_id});
}

void append_frame(std::string& out, const Data& f) {  // §6.1
  put_header(out, f);
  put_pad_length(out, f.padding);
  out.append(f.data);
  put_padding(out, f.padding);
}

void append_frame(std::string& out, const Headers& f) {  // §6.2
  put_header(out, f);
  put_pad_length(out, f.padding);
  if (f.priority) put_priority(out, *f.priority);
  out.append(f.fragment);
  put_padding(out, f.padding);
}

void append_frame(std::string& out, const Priority& f) {  // §6.3
  put_header(out, f);
  put_priority(out, f.priority);
}

void append_frame(std::string& out, const RstStream& f) {  // §6.4
  put_header(out, f);
  put32(out, static_cast<std::uint32_t>(f.error));
}

void append_frame(std::string& out, const SettingsFrame& f) {  // §6.5
  put_header(out, f);
  if (f.ack) return;
  for (const Setting& s : f.settings) {
    put16(out, static_cast<std::uint16_t>(s.id));
    put32(out, s.value);
  }
}

void append_frame(std::string& out, const PushPromise& f) {  // §6.6
  put_header(out, f);
  put_pad_length(out, f.padding);
  put32(out, f.promised_stream_id & kMaxStreamId);
  out.append(f.fragment);
  put_padding(out, f.padding);
}

void append_frame(std::string& out, const Ping& f) {  // §6.7
  put_header(out, f);
  for (std::uint8_t b : f.opaque) put8(out, b);
}

void append_frame(std::string& out, const Goaway& f) {  // §6.8
  put_header(out, f);
  put32(out, f.last_stream_id & kMaxStreamId);
  put32(out, static_cast<std::uint32_t>(f.error));
  out.append(f.debug_data);
}

void append_frame(std::string& out, const WindowUpdate& f) {  // §6.9
  put_header(out, f);
  put32(out, f.increment & kMaxWindowSize);
}

void append_frame(std::string& out, const Continuation& f) {  // §6.10
  put_header(out, f);
  out.append(f.fragment);
}

void append_frame(std::string& out, const PriorityUpdate& f) {  // RFC 9218 §7.1
  put_header(out, f);
  put32(out, f.prioritized_stream_id & kMaxStreamId);
  out.append(f.field_value);
}

void append_frame(std::string& out, const Unknown& f) {
  put_header(out, f);
  out.append(f.payload);
}

void append_frame(std::string& out, const Frame& frame) {
  std::visit([&](const auto& f) { append_frame(out, f); }, frame);
}

}  // namespace endhost::http2
