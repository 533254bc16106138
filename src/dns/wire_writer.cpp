#include "dns/wire_writer.hpp"

#include <cstring>

namespace endhost::dns {

void WireWriter::u8(std::uint8_t v) {
  if (room(1)) buf_[pos_++] = v;
}

void WireWriter::u16(std::uint16_t v) {
  if (!room(2)) return;
  buf_[pos_++] = static_cast<std::uint8_t>(v >> 8);
  buf_[pos_++] = static_cast<std::uint8_t>(v);
}

void WireWriter::u32(std::uint32_t v) {
  if (!room(4)) return;
  buf_[pos_++] = static_cast<std::uint8_t>(v >> 24);
  buf_[pos_++] = static_cast<std::uint8_t>(v >> 16);
  buf_[pos_++] = static_cast<std::uint8_t>(v >> 8);
  buf_[pos_++] = static_cast<std::uint8_t>(v);
}

void WireWriter::bytes(std::span<const std::uint8_t> b) {
  if (b.empty() || !room(b.size())) return;
  std::memcpy(buf_.data() + pos_, b.data(), b.size());
  pos_ += b.size();
}

void WireWriter::patch_u16(std::size_t at, std::uint16_t v) {
  if (at + 2 > pos_) return;
  buf_[at] = static_cast<std::uint8_t>(v >> 8);
  buf_[at + 1] = static_cast<std::uint8_t>(v);
}

void WireWriter::name(NameView name, CompressionTable* table) {
  if (!table) {
    bytes(name.wire());
    return;
  }
  // Find the longest suffix already in the message; labels before it are written out and remembered.
  NameView suffix = name;
  int target = -1;
  while (!suffix.is_root()) {
    target = table->find(buf_.first(pos_), suffix);
    if (target >= 0) break;
    suffix = suffix.parent();
  }
  std::size_t prefix = name.size() - suffix.size();
  std::size_t need = prefix + (target >= 0 ? 2 : 1);
  if (!room(need)) return;
  for (std::size_t i = 0; i < prefix; i += 1 + name.data()[i]) table->add(pos_ + i, name.size() - i);
  std::memcpy(buf_.data() + pos_, name.data(), prefix);
  pos_ += prefix;
  if (target >= 0) {
    buf_[pos_++] = static_cast<std::uint8_t>(0xC0 | (target >> 8));
    buf_[pos_++] = static_cast<std::uint8_t>(target);
  } else {
    buf_[pos_++] = 0;
  }
}

}  // namespace endhost::dns
