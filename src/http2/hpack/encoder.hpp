// Encoder: turns field lists into HPACK header blocks (RFC 7541 §6), deciding per field what to index (see
// docs/internals/http2.md, "HPACK"). One per connection; blocks must be sent in the order they were encoded.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "http2/hpack/dynamic_table.hpp"
#include "http2/hpack/field.hpp"

namespace endhost::http2::hpack {

struct EncoderOptions {
  // The largest dynamic table we keep, whatever the peer's SETTINGS_HEADER_TABLE_SIZE allows (§4.2: an
  // encoder may use less than the decoder's limit).
  std::uint32_t max_table_size = 4096;
  // Huffman-code a string when that is strictly shorter (§5.2).
  bool huffman = true;
};

class Encoder {
 public:
  explicit Encoder(EncoderOptions options = {});

  // The peer's SETTINGS_HEADER_TABLE_SIZE (initially 4096). The next block opens with the size updates
  // this calls for: the smallest size since the last block, then the final one (§4.2).
  void set_peer_header_table_size(std::uint32_t size) noexcept;

  // Appends one complete header block for `fields`, in order, to `out`. Names must already be lowercase
  // (RFC 9113 §8.2.1); values are sent as given.
  void encode(std::span<const FieldView> fields, std::string& out);
  void encode(std::span<const HeaderField> fields, std::string& out);

  const DynamicTable& table() const noexcept { return table_; }

 private:
  void begin_block(std::string& out);
  void encode_field(const FieldView& field, std::string& out);
  bool worth_indexing(const FieldView& field) const noexcept;

  EncoderOptions options_;
  DynamicTable table_;
  // Size updates owed at the start of the next block.
  bool update_pending_ = false;
  std::uint32_t pending_min_ = 0;
  std::uint32_t pending_final_ = 0;
};

// Whether the encoder sends a field as never indexed (§6.2.3) on its own: authorization and
// proxy-authorization always, cookie values under 20 bytes (easily guessed, §7.1.3), and any field the
// caller marked never_indexed.
bool is_sensitive(const FieldView& field) noexcept;

}  // namespace endhost::http2::hpack
