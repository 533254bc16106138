// Fuzz the chunked decoder on its own, fed in pieces whose size the first byte picks, and check that decoded
// data never exceeds what went in.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "http/chunked.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = data[0] % 16 + 1;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  endhost::http::ChunkedDecoder decoder;
  std::string buf;
  std::size_t decoded = 0;
  for (std::size_t fed = 0; fed < input.size();) {
    buf.append(input.substr(fed, piece));
    fed += std::min(piece, input.size() - fed);
    while (true) {
      auto step = decoder.decode(buf);
      if (!step) return 0;
      if (step->consumed > buf.size()) std::abort();
      decoded += step->data.size();
      buf.erase(0, step->consumed);
      if (step->done) return decoded <= input.size() ? 0 : (std::abort(), 0);
      if (step->consumed == 0) break;
    }
  }
  return 0;
}
