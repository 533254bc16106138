// FrameError: why the codec refused received bytes, in the terms RFC 9113 §5.4 gives the connection to act
// on: a connection error (§5.4.1: send GOAWAY with `code`, then close) or a stream error (§5.4.2: send
// RST_STREAM with `code` on `stream_id`; the connection goes on). `reason` is a short static English text
// for logs and GOAWAY debug data.
#pragma once

#include <cstdint>
#include <string_view>

#include "http2/frame/error_code.hpp"

namespace endhost::http2 {

struct FrameError {
  ErrorCode code = ErrorCode::protocol_error;
  std::uint32_t stream_id = 0;  // the stream to reset (stream errors); the frame's stream (connection errors)
  bool connection = true;       // true: connection error (§5.4.1); false: stream error (§5.4.2)
  std::string_view reason;      // a string literal: valid for the program's life

  friend bool operator==(const FrameError&, const FrameError&) = default;
};

constexpr FrameError connection_error(ErrorCode code, std::string_view reason,
                                      std::uint32_t stream_id = 0) noexcept {
  return FrameError{code, stream_id, true, reason};
}

constexpr FrameError stream_error(ErrorCode code, std::uint32_t stream_id, std::string_view reason) noexcept {
  return FrameError{code, stream_id, false, reason};
}

}  // namespace endhost::http2
