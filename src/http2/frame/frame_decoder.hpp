// decode_frame: turns one complete frame (its header and payload) into a Frame value, enforcing the rules
// RFC 9113 §6 (and RFC 9218 §7.1) set for each type on its own: which stream it may be on, its length, its
// padding, and the values of its fields. Rules that need the frames before it (CONTINUATION order, §6.10)
// or the size we advertised (§4.2) are FrameReader's. Stateless; byte fields are views into `payload`.
#pragma once

#include <string_view>

#include "core/expected.hpp"
#include "http2/frame/frame_error.hpp"
#include "http2/frame/frame_header.hpp"
#include "http2/frame/frames.hpp"

namespace endhost::http2 {

// `payload` must be exactly header.length bytes.
Expected<Frame, FrameError> decode_frame(const FrameHeader& header, std::string_view payload);

}  // namespace endhost::http2
