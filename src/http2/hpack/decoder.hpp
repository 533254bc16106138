// Decoder: turns complete HPACK header blocks (RFC 7541 §3, §6) into fields, keeping the dynamic table in
// step with the peer's encoder. One per connection; blocks must be decoded in the order they arrived.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/expected.hpp"
#include "http2/hpack/dynamic_table.hpp"
#include "http2/hpack/error.hpp"
#include "http2/hpack/field.hpp"

namespace endhost::http2::hpack {

struct DecoderLimits {
  // The SETTINGS_HEADER_TABLE_SIZE we advertise (RFC 9113 §6.5.2): the most a size update may ask for.
  std::uint32_t header_table_size = 4096;
  // The SETTINGS_MAX_HEADER_LIST_SIZE we advertise: name + value + 32 summed over a block's fields. Twice
  // HTTP/1's 32 KiB head limit, since every field counts 32 more here.
  std::uint32_t max_header_list_size = 64 * 1024;
};

class Decoder {
 public:
  explicit Decoder(DecoderLimits limits = {});

  // Our SETTINGS_HEADER_TABLE_SIZE changed; call when the peer has acknowledged the SETTINGS frame. Below
  // the table's current maximum, the peer's next block must start with a size update (§4.2).
  void set_header_table_size(std::uint32_t size) noexcept;
  void set_max_header_list_size(std::uint32_t size) noexcept { limits_.max_header_list_size = size; }
  const DecoderLimits& limits() const noexcept { return limits_; }

  // Decodes one complete block (the HEADERS or PUSH_PROMISE fragment and its CONTINUATIONs), calling
  // `on_field(const FieldView&)` for each field in order. The views are valid only during the call.
  //
  // header_list_too_large: the fields past the limit were not delivered, but the rest of the block was
  // still decoded into the table (no field is copied for that, so a block that repeats a large entry costs
  // only its own length): the connection may answer the stream with 431 or RST_STREAM and go on. Any other
  // error leaves the decoder failed (every later call returns failed): close with COMPRESSION_ERROR.
  template <class OnField>
  requires std::is_invocable_v<OnField&, const FieldView&> Expected<void, DecodeError> decode(
      std::string_view block, OnField&& on_field) {
    return decode_block(block, &on_field, [](void* f, const FieldView& field) {
      (*static_cast<std::remove_reference_t<OnField>*>(f))(field);
    });
  }

  // The same, appending owned copies to `out` (the caller's; on an error it holds the fields delivered).
  Expected<void, DecodeError> decode(std::string_view block, std::vector<HeaderField>& out);

  const DynamicTable& table() const noexcept { return table_; }
  bool failed() const noexcept { return failed_; }

 private:
  using Sink = void (*)(void*, const FieldView&);
  Expected<void, DecodeError> decode_block(std::string_view block, void* context, Sink sink);
  Expected<void, DecodeError> decode_one(std::string_view block, std::size_t& pos, bool& at_start);
  Expected<TableEntry, DecodeError> lookup(std::uint32_t index) const noexcept;
  void emit(std::string_view name, std::string_view value, bool never_indexed);

  DecoderLimits limits_;
  DynamicTable table_;
  // Our setting went below the table's maximum: the next block must open with an update to at most
  // required_max_ (the smallest setting since).
  bool update_required_ = false;
  std::uint32_t required_max_ = 0;
  bool failed_ = false;
  // Per block: where fields go, the list size so far, and whether the limit was passed.
  void* context_ = nullptr;
  Sink sink_ = nullptr;
  std::uint64_t list_size_ = 0;
  bool too_large_ = false;
  // Huffman-decoded strings live here until the field is delivered.
  std::string name_scratch_;
  std::string value_scratch_;
};

}  // namespace endhost::http2::hpack
