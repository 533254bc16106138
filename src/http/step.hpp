// The results of one parser call, shared by every parser in src/http. A call either consumes a complete head
// or nothing (HeadStep), or consumes some body framing and yields a view of body bytes (BodyStep).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace endhost::http {

enum class Progress : std::uint8_t { need_more, complete };

// need_more: nothing consumed; call again with the same bytes plus more. complete: the head is the first
// `consumed` bytes of the buffer (keep them while you use the head's views).
struct HeadStep {
  Progress progress = Progress::need_more;
  std::size_t consumed = 0;
  friend bool operator==(const HeadStep&, const HeadStep&) = default;
};

// Drop `consumed` bytes from the front of the buffer; `data` (possibly empty) is body content inside them.
struct BodyStep {
  std::size_t consumed = 0;
  std::string_view data;
  bool done = false;  // the body is complete (for chunked: after the trailer section)
};

}  // namespace endhost::http
