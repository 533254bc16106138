// What an HTTP/2 connection hands its session to send: frame bytes, with the payloads of DATA frames that
// come from files left out as extents so the session can sendfile(2) them between the bytes (zero copy).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace endhost::http2 {

struct Output {
  // `length` bytes of `stream`'s file body go right after bytes[0, at) and before bytes[at, ...). A
  // stream's extents come in body order, so the session keeps one read offset per stream.
  struct Extent {
    std::size_t at = 0;
    std::uint32_t stream = 0;
    std::uint32_t length = 0;
  };
  std::string bytes;
  std::vector<Extent> extents;

  bool empty() const noexcept { return bytes.empty() && extents.empty(); }
  std::size_t size() const noexcept {
    std::size_t n = bytes.size();
    for (const Extent& e : extents) n += e.length;
    return n;
  }
  void clear() noexcept {
    bytes.clear();
    extents.clear();
  }
};

}  // namespace endhost::http2
