// Vary (RFC 9111 §4.1): the request fields a stored response depends on, and the secondary cache key made of
// the values those fields had in the request that fetched it. Two requests match when their normalised
// values are equal: field lines combined, whitespace around list commas removed (the transformations §4.1
// allows); an absent field matches only an absent field.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "http/field_value.hpp"
#include "http/fields.hpp"

namespace endhost::http::cache {

// A Vary naming more fields than this is treated like "Vary: *": no real origin needs more, and the bound
// keeps the per-entry key small.
inline constexpr std::size_t max_vary_fields = 16;

struct VarySpec {
  bool star = false;               // "Vary: *" (or too many names): never matches (§4.1)
  std::vector<std::string> names;  // lower-case, duplicates removed, in first-seen order
  bool empty() const noexcept { return !star && names.empty(); }
  friend bool operator==(const VarySpec&, const VarySpec&) = default;
};

VarySpec parse_vary(FieldsView response_fields);
VarySpec parse_vary(const Fields& response_fields);

namespace detail {
void append_normalized(std::string& out, std::string_view value, bool& first);
}

// The secondary key of a request for `spec`: "name:value\n" per nominated field, "\x01" for an absent one.
// Empty when the response has no Vary. `FieldRange` is Fields or FieldsView.
template <class FieldRange>
std::string secondary_key(const VarySpec& spec, const FieldRange& request_fields) {
  std::string key;
  for (const std::string& name : spec.names) {
    key += name;
    key += ':';
    bool present = false, first = true;
    for (const auto& f : request_fields) {
      if (!iequals(f.name, name)) continue;
      present = true;
      detail::append_normalized(key, f.value, first);
    }
    if (!present) key += '\x01';
    key += '\n';
  }
  return key;
}

}  // namespace endhost::http::cache
