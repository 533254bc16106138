// Bounds-checked reading of a DNS message. The reader borrows the whole message (compression pointers are
// offsets from its start) and a cursor; every read either succeeds or returns an Error and leaves the cursor
// unspecified. No allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/error.hpp"
#include "dns/name.hpp"

namespace endhost::dns {

class WireReader {
 public:
  // `message` must outlive the reader and every span it returns.
  explicit WireReader(std::span<const std::uint8_t> message, std::size_t position = 0)
      : msg_(message), pos_(position) {}

  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return pos_ <= msg_.size() ? msg_.size() - pos_ : 0; }
  bool at_end() const { return pos_ >= msg_.size(); }
  std::span<const std::uint8_t> message() const { return msg_; }

  Result<std::uint8_t> u8();
  Result<std::uint16_t> u16();
  Result<std::uint32_t> u32();
  Result<std::span<const std::uint8_t>> bytes(std::size_t n);
  Result<void> skip(std::size_t n);

  // Reads a possibly compressed name into `out` (RFC 1035 §4.1.4) and leaves the cursor after the name's
  // last octet in place (after the first pointer, if any). Rules that make hostile input safe:
  //  - each pointer must point strictly before the previous pointer's target (the first one before itself),
  //    so targets strictly decrease and no loop is possible;
  //  - pointers into the 12-octet header are refused;
  //  - label types 0b01/0b10 are refused (RFC 6891 §5), labels are ≤ 63 and the name ≤ 255 octets.
  // With allow_compression == false any pointer is an error (RDATA of unknown types, RFC 3597 §4).
  Result<void> name(Name& out, bool allow_compression = true);
  // Skips a name, with the same checks, without copying it.
  Result<void> skip_name();

 private:
  std::span<const std::uint8_t> msg_;
  std::size_t pos_;
};

}  // namespace endhost::dns
