// HPACK's static table (RFC 7541 Appendix A): 61 fixed entries, indexes 1-61 of the index space (§2.3.3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace endhost::http2::hpack {

struct TableEntry {
  std::string_view name;
  std::string_view value;
};

inline constexpr std::size_t kStaticTableSize = 61;

// Entry `index`, 1 ≤ index ≤ kStaticTableSize.
TableEntry static_entry(std::size_t index) noexcept;

// The static table's best match for a field: the lowest index whose name and value both match (full), else
// the lowest whose name matches, else index 0.
struct StaticMatch {
  std::uint32_t index = 0;
  bool full = false;
};
StaticMatch find_static(std::string_view name, std::string_view value) noexcept;

}  // namespace endhost::http2::hpack
