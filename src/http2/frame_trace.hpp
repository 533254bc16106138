// Where an HTTP/2 connection's --trace (and fetch's -v) lines go: one decoded line per frame, in the
// nghttp -v manner of frame/trace.hpp with a field block's decoded fields added.
#pragma once

#include <string_view>

namespace endhost::http2 {

class FrameTrace {
 public:
  virtual ~FrameTrace() = default;
  // `from_client`: C: (the client sent it) or S: (the server did), whichever side is tracing.
  virtual void frame(bool from_client, std::string_view line) = 0;
};

}  // namespace endhost::http2
