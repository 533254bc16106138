#include "http2/hpack/decoder.hpp"

#include "http2/hpack/integer.hpp"
#include "http2/hpack/static_table.hpp"
#include "http2/hpack/string_literal.hpp"

namespace endhost::http2::hpack {

Decoder::Decoder(DecoderLimits limits) : limits_(limits), table_(limits.header_table_size) {}

void Decoder::set_header_table_size(std::uint32_t size) noexcept {
  limits_.header_table_size = size;
  if (!update_required_) required_max_ = table_.max_size();
  if (size < required_max_) {
    update_required_ = true;
    required_max_ = size;
  }
}

Expected<void, DecodeError> Decoder::decode(std::string_view block, std::vector<HeaderField>& out) {
  return decode(block, [&out](const FieldView& f) {
    out.push_back({std::string(f.name), std::string(f.value), f.never_indexed});
  });
}

Expected<void, DecodeError> Decoder::decode_block(std::string_view block, void* context, Sink sink) {
  if (failed_) return Unexpected(DecodeError::failed);
  context_ = context;
  sink_ = sink;
  list_size_ = 0;
  too_large_ = false;
  bool at_start = true;
  std::size_t pos = 0;
  // §4.2: after our setting shrank, the block must open with a size update that obeys it.
  if (update_required_ && (block.empty() || (static_cast<std::uint8_t>(block[0]) & 0xe0) != 0x20)) {
    failed_ = true;
    return Unexpected(DecodeError::missing_table_size_update);
  }
  while (pos < block.size()) {
    if (auto r = decode_one(block, pos, at_start); !r) {
      failed_ = true;
      return r;
    }
  }
  if (too_large_) return Unexpected(DecodeError::header_list_too_large);
  return {};
}

// One representation (§6), by its first bits: 1 indexed; 01 literal with incremental indexing; 001 table
// size update; 0001 literal never indexed; 0000 literal without indexing.
Expected<void, DecodeError> Decoder::decode_one(std::string_view block, std::size_t& pos, bool& at_start) {
  const auto first = static_cast<std::uint8_t>(block[pos]);

  if (first & 0x80) {  // §6.1 indexed header field
    auto index = decode_integer(block, pos, 7);
    if (!index) return Unexpected(index.error());
    auto entry = lookup(*index);
    if (!entry) return Unexpected(entry.error());
    at_start = false;
    emit(entry->name, entry->value, false);
    return {};
  }

  if ((first & 0xe0) == 0x20) {  // §6.3 dynamic table size update
    auto size = decode_integer(block, pos, 5);
    if (!size) return Unexpected(size.error());
    // §4.2: only at the start of a block, and never above the SETTINGS_HEADER_TABLE_SIZE we sent.
    if (!at_start || *size > limits_.header_table_size) return Unexpected(DecodeError::bad_table_size_update);
    // After several changes of our setting the first update must signal the smallest (§4.2).
    if (update_required_ && *size > required_max_) return Unexpected(DecodeError::missing_table_size_update);
    table_.set_max_size(*size);
    update_required_ = false;
    return {};
  }

  // §6.2: a literal; the prefix holds the name's index, 0 for a literal name.
  const bool indexing = (first & 0xc0) == 0x40;
  const bool never_indexed = (first & 0xf0) == 0x10;
  auto name_index = decode_integer(block, pos, indexing ? 6 : 4);
  if (!name_index) return Unexpected(name_index.error());
  at_start = false;
  std::string_view name;
  if (*name_index == 0) {
    auto literal = decode_string(block, pos, name_scratch_);
    if (!literal) return Unexpected(literal.error());
    name = *literal;
  } else {
    auto entry = lookup(*name_index);
    if (!entry) return Unexpected(entry.error());
    name = entry->name;
  }
  auto value = decode_string(block, pos, value_scratch_);
  if (!value) return Unexpected(value.error());
  emit(name, *value, never_indexed);
  if (indexing) table_.insert(name, *value);  // copes with a name that points into the table (§4.4)
  return {};
}

// §2.3.3: 1..61 the static table, then the dynamic table newest first; 0 and anything past it are errors.
Expected<TableEntry, DecodeError> Decoder::lookup(std::uint32_t index) const noexcept {
  if (index == 0) return Unexpected(DecodeError::bad_index);
  if (index <= kStaticTableSize) return static_entry(index);
  const std::size_t dynamic = index - kStaticTableSize - 1;
  if (dynamic >= table_.count()) return Unexpected(DecodeError::bad_index);
  return table_.entry(dynamic);
}

// RFC 9113 §6.5.2: past the limit nothing more is delivered (or copied); decoding goes on for the table.
void Decoder::emit(std::string_view name, std::string_view value, bool never_indexed) {
  if (too_large_) return;
  list_size_ += field_size(name, value);
  if (list_size_ > limits_.max_header_list_size) {
    too_large_ = true;
    return;
  }
  sink_(context_, FieldView{name, value, never_indexed});
}

}  // namespace endhost::http2::hpack
