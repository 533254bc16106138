// The fields HPACK carries: FieldView borrows its strings, HeaderField owns them. never_indexed is the
// §6.2.3 flag: an intermediary re-encoding the field must keep it out of every table (§7.1.3).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace endhost::http2::hpack {

struct FieldView {
  std::string_view name;
  std::string_view value;
  bool never_indexed = false;
  friend bool operator==(const FieldView&, const FieldView&) = default;
};

struct HeaderField {
  std::string name;
  std::string value;
  bool never_indexed = false;
  friend bool operator==(const HeaderField&, const HeaderField&) = default;
  FieldView view() const noexcept { return {name, value, never_indexed}; }
};

// A field's size as the dynamic table (§4.1) and SETTINGS_MAX_HEADER_LIST_SIZE (RFC 9113 §6.5.2) count it.
inline constexpr std::size_t kEntryOverhead = 32;
constexpr std::size_t field_size(std::string_view name, std::string_view value) noexcept {
  return name.size() + value.size() + kEntryOverhead;
}

}  // namespace endhost::http2::hpack
