// ErrorCode: the 32-bit error codes of RST_STREAM and GOAWAY (RFC 9113 §7). A received code may be any
// value (§7: unknown codes MUST NOT trigger special behaviour), so the enum holds every uint32_t; name()
// knows the registered ones.
#pragma once

#include <cstdint>
#include <string_view>

namespace endhost::http2 {

enum class ErrorCode : std::uint32_t {
  no_error = 0x0,
  protocol_error = 0x1,
  internal_error = 0x2,
  flow_control_error = 0x3,
  settings_timeout = 0x4,
  stream_closed = 0x5,
  frame_size_error = 0x6,
  refused_stream = 0x7,
  cancel = 0x8,
  compression_error = 0x9,
  connect_error = 0xa,
  enhance_your_calm = 0xb,
  inadequate_security = 0xc,
  http_1_1_required = 0xd,
};

// The RFC's name ("PROTOCOL_ERROR"), or an empty view for a code §7 does not register.
std::string_view name(ErrorCode code) noexcept;

}  // namespace endhost::http2
