#include "dns/compression.hpp"

namespace endhost::dns {

namespace {

// Does the (possibly compressed) name written at `at` equal `name`? The message was produced by our own
// writer, so its pointers are known to be valid and backwards.
bool equal_at(std::span<const std::uint8_t> msg, std::size_t at, NameView name) {
  const std::uint8_t* p = name.data();
  while (true) {
    while ((msg[at] & 0xC0) == 0xC0) at = static_cast<std::size_t>(msg[at] & 0x3F) << 8 | msg[at + 1];
    std::uint8_t len = msg[at];
    if (len != *p) return false;
    if (len == 0) return true;
    for (std::size_t i = 1; i <= len; ++i) {
      if (ascii_lower(msg[at + i]) != ascii_lower(p[i])) return false;
    }
    at += 1 + len;
    p += 1 + len;
  }
}

}  // namespace

int CompressionTable::find(std::span<const std::uint8_t> message, NameView name) const {
  for (std::size_t i = 0; i < count_; ++i) {
    const Entry& e = entries_[i];
    if (e.wire_size == name.size() && equal_at(message, e.offset, name)) return e.offset;
  }
  return -1;
}

}  // namespace endhost::dns
