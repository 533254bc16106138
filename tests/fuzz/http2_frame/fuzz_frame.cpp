// Fuzz the frame reader as a connection drives it: the first byte picks the size of the pieces the rest
// arrives in (and the second the advertised SETTINGS_MAX_FRAME_SIZE). Every frame read is traced and
// re-serialized; the re-serialized stream, read again in one piece, must give the same frames. The reader's
// buffer must never exceed one frame.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "http2/frame/frame_reader.hpp"
#include "http2/frame/serializer.hpp"
#include "http2/frame/trace.hpp"

namespace {

using endhost::http2::Frame;
using endhost::http2::FrameReader;
using endhost::http2::kFrameHeaderSize;

void check(bool ok) {
  if (!ok) std::abort();
}

// Reads `wire` in pieces of `piece` bytes (0: all at once); returns each frame re-serialized.
std::vector<std::string> read(std::string_view wire, std::size_t piece, std::uint32_t max_frame_size) {
  FrameReader reader(max_frame_size);
  std::vector<std::string> frames;
  std::string trace;
  std::size_t at = 0;
  do {
    const std::size_t n = piece == 0 ? wire.size() : std::min(piece, wire.size() - at);
    const std::string chunk(wire.substr(at, n));  // its own allocation: ASan sees views that outlive it
    at += n;
    std::string_view in = chunk;
    while (true) {
      auto r = reader.next(in);
      check(reader.buffered() <= kFrameHeaderSize + reader.max_frame_size());
      check(reader.buffer_capacity() <= kFrameHeaderSize + reader.max_frame_size());
      if (!r) {
        check(!r.error().reason.empty());
        if (r.error().connection) return frames;
        continue;
      }
      if (!*r) {
        check(in.empty());
        break;
      }
      trace.clear();
      endhost::http2::append_trace(trace, **r);
      check(!trace.empty());
      std::string bytes;
      endhost::http2::append_frame(bytes, **r);
      check(bytes.size() == kFrameHeaderSize + endhost::http2::header_of(**r).length);
      frames.push_back(std::move(bytes));
    }
  } while (at < wire.size());
  return frames;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t piece = data[0] % 32;  // 0: the whole input at once
  const std::uint32_t max_frame_size = data[1] % 2 == 0 ? 16384 : 16384 + data[1] * 64u;
  const std::string_view wire(reinterpret_cast<const char*>(data + 2), size - 2);
  const std::vector<std::string> frames = read(wire, piece, max_frame_size);

  std::string again;
  for (const std::string& f : frames) again += f;
  check(read(again, 0, max_frame_size) == frames);
  return 0;
}
