// FrameReader: the incremental frame decoder. Feed it the bytes of a connection in chunks of any size (after
// the client preface, see preface.hpp); it yields one complete frame per call, or asks for more, or reports
// an error. It enforces, beyond decode_frame's per-type rules (RFC 9113 §6):
//  * §4.2: a payload longer than the SETTINGS_MAX_FRAME_SIZE we advertised is a FRAME_SIZE_ERROR connection
//    error, detected from the header alone, before the payload is read;
//  * §6.10: after HEADERS or PUSH_PROMISE without END_HEADERS only CONTINUATION frames on the same stream
//    may follow, and CONTINUATION may follow nothing else (PROTOCOL_ERROR connection errors).
//
// Memory: the reader holds at most one frame, 9 + max_frame_size() bytes (its buffer is reserved to the
// exact size of the frame being assembled, and only when a frame arrives split across calls). A frame that
// lies whole in `input` is decoded in place, without a copy.
//
// Lifetime: the views in a yielded frame (data, fragments, debug data, unknown payloads) point either into
// `input` or into the reader's buffer. They stay valid until the next call to next(), as long as the caller
// keeps the bytes of the `input` it passed unchanged. Copy what must outlive that.
//
// Errors: a connection error (FrameError::connection) is final: every later call returns it again. A stream
// error consumed its frame; reset that stream and call next() again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "http2/frame/frame_error.hpp"
#include "http2/frame/frame_header.hpp"
#include "http2/frame/frames.hpp"

namespace endhost::http2 {

class FrameReader {
 public:
  // `max_frame_size`: the SETTINGS_MAX_FRAME_SIZE we advertise, clamped to [2^14, 2^24-1] (§6.5.2).
  explicit FrameReader(std::uint32_t max_frame_size = kDefaultMaxFrameSize) noexcept;

  // A new limit for frames whose header has not been read yet: call it when the peer acknowledges the
  // SETTINGS that advertised it (§6.5.3). Clamped like the constructor's.
  void set_max_frame_size(std::uint32_t max_frame_size) noexcept;
  std::uint32_t max_frame_size() const noexcept { return max_frame_size_; }

  // Consumes bytes from the front of `input`, at most up to the end of one frame. Returns the frame when one
  // is complete; nullopt when all of `input` was consumed and the frame is still incomplete; or an error.
  Expected<std::optional<Frame>, FrameError> next(std::string_view& input);

  bool failed() const noexcept { return failure_.has_value(); }
  // Bytes of an incomplete frame held in the buffer.
  std::size_t buffered() const noexcept { return release_ ? 0 : buf_.size(); }
  // The memory the buffer holds: at most 9 + the largest max_frame_size() of a frame read in pieces.
  std::size_t buffer_capacity() const noexcept { return buf_.capacity(); }
  // The stream whose CONTINUATION frames must come next (§6.10), or 0.
  std::uint32_t expecting_continuation() const noexcept { return continuation_stream_; }

 private:
  Expected<void, FrameError> check_header(const FrameHeader& header) const noexcept;
  Expected<std::optional<Frame>, FrameError> finish(const FrameHeader& header, std::string_view payload);
  Unexpected<FrameError> fail(const FrameError& error) noexcept;

  std::vector<char> buf_;  // the frame being assembled: header, then payload; reserved exactly, never grown
  FrameHeader header_{};   // buf_'s header, once its 9 bytes are in
  std::optional<FrameError> failure_;
  std::uint32_t max_frame_size_;
  std::uint32_t continuation_stream_ = 0;
  bool release_ = false;  // buf_ holds the frame yielded last; clear it on the next call
};

}  // namespace endhost::http2
