// Feeds arbitrary bytes to LineReader in fuzzer-chosen pieces: no crash, no line longer than the limit, and
// the buffer never holds more than the limit plus one read.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/line_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t limit = 1 + data[0] % 64;
  const std::size_t piece = 1 + data[1] % 32;
  std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);
  endhost::core::LineReader reader(limit);
  for (std::size_t at = 0; at < input.size(); at += piece) {
    reader.feed(input.substr(at, piece));
    std::string_view line;
    endhost::core::LineReader::Status s;
    // Drain until NeedMore: after TooLong the reader resynchronises on the next line end.
    while ((s = reader.next(line)) != endhost::core::LineReader::Status::NeedMore) {
      if (s == endhost::core::LineReader::Status::Line && line.size() > limit) __builtin_trap();
    }
    if (reader.buffered() > limit + 1 + piece) __builtin_trap();
  }
  (void)reader.take_rest();
  return 0;
}
