#include "dns/wire_reader.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

namespace endhost::dns {

Result<std::uint8_t> WireReader::u8() {
  if (remaining() < 1) return fail(Errc::truncated, "message ends inside a field", pos_);
  return msg_[pos_++];
}

Result<std::uint16_t> WireReader::u16() {
  if (remaining() < 2) return fail(Errc::truncated, "message ends inside a field", pos_);
  auto v = static_cast<std::uint16_t>(msg_[pos_] << 8 | msg_[pos_ + 1]);
  pos_ += 2;
  return v;
}

Result<std::uint32_t> WireReader::u32() {
  if (remaining() < 4) return fail(Errc::truncated, "message ends inside a field", pos_);
  std::uint32_t v = static_cast<std::uint32_t>(msg_[pos_]) << 24 |
                    static_cast<std::uint32_t>(msg_[pos_ + 1]) << 16 |
                    static_cast<std::uint32_t>(msg_[pos_ + 2]) << 8 | msg_[pos_ + 3];
  pos_ += 4;
  return v;
}

Result<std::span<const std::uint8_t>> WireReader::bytes(std::size_t n) {
  if (remaining() < n) return fail(Errc::truncated, "message ends inside a field", pos_);
  auto s = msg_.subspan(pos_, n);
  pos_ += n;
  return s;
}

Result<void> WireReader::skip(std::size_t n) {
  if (remaining() < n) return fail(Errc::truncated, "message ends inside a field", pos_);
  pos_ += n;
  return {};
}

namespace {

// Shared by name() and skip_name(): `sink` receives each label including its length octet.
template <class Sink>
Result<void> walk_name(std::span<const std::uint8_t> msg, std::size_t& cursor, bool allow_compression,
                       Sink&& sink) {
  std::size_t pos = cursor;
  std::size_t limit = std::numeric_limits<std::size_t>::max();  // pointer targets must stay below this
  bool jumped = false;
  std::size_t total = 0;
  while (true) {
    if (pos >= msg.size()) return fail(Errc::truncated, "message ends inside a name", pos);
    std::uint8_t len = msg[pos];
    if ((len & 0xC0) == 0xC0) {
      if (!allow_compression)
        return fail(Errc::bad_pointer, "compression pointer where none is allowed", pos);
      if (pos + 1 >= msg.size())
        return fail(Errc::truncated, "message ends inside a compression pointer", pos);
      std::size_t target = static_cast<std::size_t>(len & 0x3F) << 8 | msg[pos + 1];
      if (target >= std::min(limit, pos))
        return fail(Errc::bad_pointer, "compression pointer does not point backwards", pos);
      if (target < kHeaderSize) return fail(Errc::bad_pointer, "compression pointer into the header", pos);
      if (!jumped) cursor = pos + 2;
      jumped = true;
      limit = target;
      pos = target;
      continue;
    }
    if (len & 0xC0) return fail(Errc::bad_label_type, "extended label type", pos);
    if (total + 1 + len > kMaxNameWireSize)
      return fail(Errc::name_too_long, "name longer than 255 octets", pos);
    if (len == 0) {
      sink(msg.subspan(pos, 1));
      if (!jumped) cursor = pos + 1;
      return {};
    }
    if (pos + 1 + len > msg.size()) return fail(Errc::truncated, "message ends inside a label", pos);
    sink(msg.subspan(pos, 1 + len));
    total += 1 + len;
    pos += 1 + len;
  }
}

}  // namespace

Result<void> WireReader::name(Name& out, bool allow_compression) {
  std::size_t n = 0;
  auto r = walk_name(msg_, pos_, allow_compression, [&](std::span<const std::uint8_t> label) {
    std::memcpy(out.buf_.data() + n, label.data(), label.size());
    n += label.size();
  });
  if (r) out.size_ = static_cast<std::uint8_t>(n);
  return r;
}

Result<void> WireReader::skip_name() {
  return walk_name(msg_, pos_, true, [](std::span<const std::uint8_t>) {});
}

}  // namespace endhost::dns
