#include "http2/hpack/encoder.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "http2/hpack/integer.hpp"
#include "http2/hpack/static_table.hpp"
#include "http2/hpack/string_literal.hpp"

namespace endhost::http2::hpack {
namespace {

constexpr std::uint32_t kDefaultTableSize = 4096;  // SETTINGS_HEADER_TABLE_SIZE's initial value

// Fields whose values rarely repeat on a connection: indexing them only pushes out entries that would.
// set-cookie is also a secret of the response it rides on.
constexpr std::array<std::string_view, 9> kNotIndexed = {
    ":path",         "age",           "content-length", "content-range", "etag", "if-modified-since",
    "if-none-match", "last-modified", "set-cookie",
};

bool never_indexed_name(std::string_view name) noexcept {
  return std::find(kNotIndexed.begin(), kNotIndexed.end(), name) != kNotIndexed.end();
}

// A literal without indexing whose name is a static entry's (§6.2.2 with an indexed name) is a function of
// that index, the value and the Huffman option alone, neither table's state: a response's content-length,
// etag and last-modified come out the same for every response of one file. The thread keeps the last
// bytes of each such name (slot: the static index mod 32, which the names of kNotIndexed do not share),
// so a repeated value is copied rather than Huffman-coded again. Not set-cookie (a secret), nor long values.
struct CachedLiteral {
  std::uint32_t index = 0;
  bool huffman = false;
  std::string value;
  std::string bytes;
};
constexpr std::size_t kCachedLiteralMax = 128;

CachedLiteral& cached_literal(std::uint32_t index) {
  thread_local std::array<CachedLiteral, 32> cache;
  return cache[index % cache.size()];
}

}  // namespace

bool is_sensitive(const FieldView& field) noexcept {
  if (field.never_indexed) return true;
  if (field.name == "authorization" || field.name == "proxy-authorization") return true;
  return field.name == "cookie" && field.value.size() < 20;
}

Encoder::Encoder(EncoderOptions options) : options_(options), table_(kDefaultTableSize) {
  set_peer_header_table_size(kDefaultTableSize);
}

void Encoder::set_peer_header_table_size(std::uint32_t size) noexcept {
  const std::uint32_t target = std::min(size, options_.max_table_size);
  if (!update_pending_) pending_min_ = table_.max_size();
  pending_min_ = std::min(pending_min_, target);
  pending_final_ = target;
  update_pending_ = pending_min_ != table_.max_size() || pending_final_ != table_.max_size();
}

void Encoder::encode(std::span<const FieldView> fields, std::string& out) {
  begin_block(out);
  for (const FieldView& f : fields) encode_field(f, out);
}

void Encoder::encode(std::span<const HeaderField> fields, std::string& out) {
  begin_block(out);
  for (const HeaderField& f : fields) encode_field(f.view(), out);
}

// §4.2, §6.3: the size updates go first in the block.
void Encoder::begin_block(std::string& out) {
  if (!update_pending_) return;
  update_pending_ = false;
  if (pending_min_ < table_.max_size() && pending_min_ != pending_final_) {
    encode_integer(out, 0x20, 5, pending_min_);
    table_.set_max_size(pending_min_);
  }
  if (pending_final_ != table_.max_size()) {
    encode_integer(out, 0x20, 5, pending_final_);
    table_.set_max_size(pending_final_);
  }
}

bool Encoder::worth_indexing(const FieldView& field) const noexcept {
  if (never_indexed_name(field.name)) return false;
  // An entry over three quarters of the table would evict nearly everything for one field.
  return field_size(field.name, field.value) * 4 <= std::size_t{table_.max_size()} * 3;
}

void Encoder::encode_field(const FieldView& field, std::string& out) {
  const bool sensitive = is_sensitive(field);

  const StaticMatch fixed = find_static(field.name, field.value);
  std::uint32_t name_index = fixed.index;
  if (fixed.full && !sensitive) {  // §6.1
    encode_integer(out, 0x80, 7, fixed.index);
    return;
  }
  // No entry of these names is ever inserted, so the dynamic table has nothing to offer either.
  if (!sensitive && fixed.index != 0 && field.value.size() <= kCachedLiteralMax &&
      field.name != "set-cookie" && never_indexed_name(field.name)) {
    CachedLiteral& c = cached_literal(fixed.index);
    if (c.index != fixed.index || c.huffman != options_.huffman || c.value != field.value) {
      c.index = fixed.index;
      c.huffman = options_.huffman;
      c.value.assign(field.value);
      c.bytes.clear();
      encode_integer(c.bytes, 0x00, 4, fixed.index);
      encode_string(c.bytes, field.value, options_.huffman);
    }
    out += c.bytes;
    return;
  }
  // The dynamic table, newest first: a linear scan of at most max_size / 32 entries.
  for (std::size_t i = 0; i < table_.count(); ++i) {
    const TableEntry e = table_.entry(i);
    if (e.name != field.name) continue;
    const auto index = static_cast<std::uint32_t>(kStaticTableSize + 1 + i);
    if (e.value == field.value && !sensitive) {
      encode_integer(out, 0x80, 7, index);
      return;
    }
    if (name_index == 0) name_index = index;
    if (sensitive) break;
  }

  if (sensitive) {  // §6.2.3: no table, here or at any intermediary
    encode_integer(out, 0x10, 4, name_index);
  } else if (worth_indexing(field)) {  // §6.2.1
    encode_integer(out, 0x40, 6, name_index);
  } else {  // §6.2.2
    encode_integer(out, 0x00, 4, name_index);
  }
  if (name_index == 0) encode_string(out, field.name, options_.huffman);
  encode_string(out, field.value, options_.huffman);
  if (!sensitive && worth_indexing(field)) table_.insert(field.name, field.value);
}

}  // namespace endhost::http2::hpack
