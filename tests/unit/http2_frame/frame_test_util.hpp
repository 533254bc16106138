// Helpers shared by the frame codec tests: raw frame bytes, and reading a whole byte stream in given pieces
// into serialized copies (a frame's views die with the next read; its canonical bytes do not).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http2/frame/frame_reader.hpp"
#include "http2/frame/serializer.hpp"

namespace endhost::http2::test {

// A frame header and payload, written by hand rather than by the serializer under test.
inline std::string raw_frame(std::uint8_t type, std::uint8_t fl, std::uint32_t stream,
                             std::string_view payload) {
  std::string out;
  const auto n = static_cast<std::uint32_t>(payload.size());
  for (std::uint32_t v : {n >> 16, n >> 8, n}) out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(type));
  out.push_back(static_cast<char>(fl));
  for (std::uint32_t v : {stream >> 24, stream >> 16, stream >> 8, stream})
    out.push_back(static_cast<char>(v & 0xff));
  out.append(payload);
  return out;
}

inline std::string serialized(const Frame& f) {
  std::string out;
  append_frame(out, f);
  return out;
}

// What reading a stream gave: each frame re-serialized, or the error that stopped it.
struct ReadLog {
  std::vector<std::string> frames;
  std::vector<FrameError> stream_errors;
  std::optional<FrameError> connection_error;
  std::size_t pending = 0;  // bytes of an incomplete frame at the end
  friend bool operator==(const ReadLog&, const ReadLog&) = default;
};

// Feeds `wire` cut at each offset in `cuts` (ascending), like reads from a socket.
inline ReadLog read_all(std::string_view wire, const std::vector<std::size_t>& cuts = {},
                        std::uint32_t max_frame_size = kDefaultMaxFrameSize) {
  FrameReader reader(max_frame_size);
  ReadLog log;
  std::size_t start = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(wire.size());
  for (std::size_t end : ends) {
    // Each chunk lives in its own string, so views into a chunk die when it does (ASan would tell).
    const std::string chunk(wire.substr(start, end - start));
    start = end;
    std::string_view in = chunk;
    while (true) {
      auto r = reader.next(in);
      if (!r) {
        if (r.error().connection) {
          log.connection_error = r.error();
          return log;
        }
        log.stream_errors.push_back(r.error());
        continue;
      }
      if (!*r) break;
      log.frames.push_back(serialized(**r));
    }
  }
  log.pending = reader.buffered();
  return log;
}

// The first frame of `wire`, read whole. A frame whole in the input is decoded in place, so its views point
// into `wire` and outlive the reader.
inline Expected<std::optional<Frame>, FrameError> read_one(
    std::string_view wire, std::uint32_t max_frame_size = kDefaultMaxFrameSize) {
  FrameReader reader(max_frame_size);
  return reader.next(wire);
}

}  // namespace endhost::http2::test
