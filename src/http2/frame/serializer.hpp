// The frame serializer: appends frames to a caller-owned std::string (reserve it once per connection and
// reuse it: appending to a warm buffer does not allocate). Writes what RFC 9113 §6 says to send: undefined
// flags and the reserved bits as 0, padding as zero octets.
//
// Preconditions the caller keeps (the codec does not check them): the payload fits the peer's
// SETTINGS_MAX_FRAME_SIZE (§4.2; header_of(frame).length says how long it is), stream ids fit 31 bits and sit
// on the stream their type requires (§6), a field block too big for one frame is split into HEADERS and
// CONTINUATION by the caller.
//
// Zero-copy DATA: append_data_header() writes just the 9 octets of an unpadded DATA frame; the caller sends
// its payload on its own right after (from a file, say), without copying it into `out`.
#pragma once

#include <cstdint>
#include <string>

#include "http2/frame/frame_header.hpp"
#include "http2/frame/frames.hpp"

namespace endhost::http2 {

// The 9-octet header alone (§4.1).
void append_frame_header(std::string& out, const FrameHeader& header);
// The header of an unpadded DATA frame carrying `length` octets that the caller writes next (§6.1).
void append_data_header(std::string& out, std::uint32_t stream_id, std::uint32_t length, bool end_stream);

// Header and payload of one frame.
void append_frame(std::string& out, const Frame& frame);
void append_frame(std::string& out, const Data& f);
void append_frame(std::string& out, const Headers& f);
void append_frame(std::string& out, const Priority& f);
void append_frame(std::string& out, const RstStream& f);
void append_frame(std::string& out, const SettingsFrame& f);
void append_frame(std::string& out, const PushPromise& f);
void append_frame(std::string& out, const Ping& f);
void append_frame(std::string& out, const Goaway& f);
void append_frame(std::string& out, const WindowUpdate& f);
void append_frame(std::string& out, const Continuation& f);
void append_frame(std::string& out, const PriorityUpdate& f);
void append_frame(std::string& out, const Unknown& f);

}  // namespace endhost::http2
