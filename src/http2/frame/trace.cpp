#include "http2/frame/trace.hpp"

#include <charconv>
#include <cstdint>
#include <span>
#include <string_view>

namespace endhost::http2 {
namespace {

constexpr std::size_t kMaxQuoted = 64;

void put_number(std::string& out, std::uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void put_hex(std::string& out, std::uint64_t v, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) out.push_back(kHex[(v >> (4 * i)) & 0xf]);
}

void put_field(std::string& out, std::string_view key, std::uint64_t v) {
  out.push_back(' ');
  out.append(key);
  out.push_back('=');
  put_number(out, v);
}

void put_error(std::string& out, ErrorCode code) {
  out.append(" error=");
  if (const std::string_view n = name(code); !n.empty()) {
    out.append(n);
  } else {
    out.append("0x");
    put_hex(out, static_cast<std::uint32_t>(code), 8);
  }
}

void put_quoted(std::string& out, std::string_view key, std::string_view bytes) {
  out.push_back(' ');
  out.append(key);
  out.append("=\"");
  for (char c : bytes.substr(0, kMaxQuoted)) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20 || u >= 0x7f) {
      out.append("\\x");
      put_hex(out, u, 2);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  if (bytes.size() > kMaxQuoted) out.append("...");
}

// " flags=END_STREAM|END_HEADERS" for the flags set in `fl` among those the type defines, nothing if none.
void put_flags(std::string& out, FrameType type, std::uint8_t fl) {
  struct Named {
    std::uint8_t bit;
    std::string_view name;
  };
  static constexpr Named kData[] = {{flags::end_stream, "END_STREAM"}, {flags::padded, "PADDED"}};
  static constexpr Named kHeaders[] = {{flags::end_stream, "END_STREAM"},
                                       {flags::end_headers, "END_HEADERS"},
                                       {flags::padded, "PADDED"},
                                       {flags::priority, "PRIORITY"}};
  static constexpr Named kPush[] = {{flags::end_headers, "END_HEADERS"}, {flags::padded, "PADDED"}};
  static constexpr Named kContinuation[] = {{flags::end_headers, "END_HEADERS"}};
  std::span<const Named> names;
  switch (type) {
    case FrameType::data:
      names = kData;
      break;
    case FrameType::headers:
      names = kHeaders;
      break;
    case FrameType::push_promise:
      names = kPush;
      break;
    case FrameType::continuation:
      names = kContinuation;
      break;
    default:
      return;
  }
  bool first = true;
  for (const Named& n : names) {
    if ((fl & n.bit) == 0) continue;
    out.append(first ? " flags=" : "|");
    out.append(n.name);
    first = false;
  }
}

void put_start(std::string& out, const FrameHeader& h) {
  out.append(name(h.type));
  put_field(out, "stream", h.stream_id);
}

void put_priority(std::string& out, const PriorityFields& p) {
  put_field(out, "depends_on", p.dependency);
  put_field(out, "weight", p.weight + 1u);
  if (p.exclusive) out.append(" exclusive");
}

void put_padding(std::string& out, const std::optional<std::uint8_t>& padding) {
  if (padding) put_field(out, "padding", *padding);
}

// A frame that carries flags and bytes: "<TYPE> stream=N flags=... len=N".
void put_flagged(std::string& out, const FrameHeader& h) {
  put_start(out, h);
  put_flags(out, h.type, h.flags);
  put_field(out, "len", h.length);
}

void trace(std::string& out, const Data& f) {
  put_flagged(out, header_of(f));
  put_padding(out, f.padding);
}

void trace(std::string& out, const Headers& f) {
  put_flagged(out, header_of(f));
  if (f.priority) put_priority(out, *f.priority);
  put_padding(out, f.padding);
}

void trace(std::string& out, const Priority& f) {
  put_start(out, header_of(f));
  put_priority(out, f.priority);
}

void trace(std::string& out, const RstStream& f) {
  put_start(out, header_of(f));
  put_error(out, f.error);
}

void trace(std::string& out, const SettingsFrame& f) {
  put_start(out, header_of(f));
  if (f.ack) {
    out.append(" ACK");
    return;
  }
  for (const Setting& s : f.settings) {
    out.push_back(' ');
    if (const std::string_view n = name(s.id); !n.empty()) {
      out.append(n);
    } else {
      out.append("0x");
      put_hex(out, static_cast<std::uint16_t>(s.id), 4);
    }
    out.push_back('=');
    put_number(out, s.value);
  }
}

void trace(std::string& out, const PushPromise& f) {
  const FrameHeader h = header_of(f);
  put_start(out, h);
  put_field(out, "promised_stream", f.promised_stream_id);
  put_flags(out, h.type, h.flags);
  put_field(out, "len", h.length);
  put_padding(out, f.padding);
}

void trace(std::string& out, const Ping& f) {
  put_start(out, header_of(f));
  if (f.ack) out.append(" ACK");
  out.append(" opaque=");
  for (std::uint8_t b : f.opaque) put_hex(out, b, 2);
}

void trace(std::string& out, const Goaway& f) {
  out.append("GOAWAY");
  put_field(out, "last_stream", f.last_stream_id);
  put_error(out, f.error);
  if (!f.debug_data.empty()) put_quoted(out, "debug", f.debug_data);
}

void trace(std::string& out, const WindowUpdate& f) {
  put_start(out, header_of(f));
  put_field(out, "increment", f.increment);
}

void trace(std::string& out, const Continuation& f) {
  put_flagged(out, header_of(f));
}

void trace(std::string& out, const PriorityUpdate& f) {
  put_start(out, header_of(f));
  put_field(out, "prioritized_stream", f.prioritized_stream_id);
  put_quoted(out, "value", f.field_value);
}

void trace(std::string& out, const Unknown& f) {
  out.append("UNKNOWN type=0x");
  put_hex(out, f.type, 2);
  put_field(out, "stream", f.stream_id);
  out.append(" flags=0x");
  put_hex(out, f.flags, 2);
  put_field(out, "len", f.payload.size());
}

}  // namespace

void append_trace(std::string& out, const Frame& frame) {
  std::visit([&](const auto& f) { trace(out, f); }, frame);
}

std::string trace_line(const Frame& frame) {
  std::string out;
  append_trace(out, frame);
  return out;
}

}  // namespace endhost::http2
