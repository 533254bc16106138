// The --trace line of a frame, in the spirit of `nghttp -v`: the type's name, then stream and fields as
// key=value, one line per frame without the newline. Examples (docs/internals/http2.md lists them all):
//   HEADERS stream=1 flags=END_STREAM|END_HEADERS len=32
//   DATA stream=1 len=16384
//   SETTINGS stream=0 MAX_CONCURRENT_STREAMS=100 INITIAL_WINDOW_SIZE=65535
//   GOAWAY last_stream=3 error=PROTOCOL_ERROR
// `len` is the payload length on the wire (padding included). Byte strings (GOAWAY debug data,
// PRIORITY_UPDATE values) are quoted with non-printable octets as \xNN and cut after 64 octets. A field
// block's decoded fields are the connection's to print (HPACK state lives there).
#pragma once

#include <string>

#include "http2/frame/frames.hpp"

namespace endhost::http2 {

void append_trace(std::string& out, const Frame& frame);
std::string trace_line(const Frame& frame);

}  // namespace endhost::http2
