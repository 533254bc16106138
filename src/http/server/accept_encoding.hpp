// Content negotiation of content codings (RFC 9110 §12.5.3): which of the codings the server can send
// (precompressed br, zstd and gzip siblings, and on-the-fly gzip) the client accepts. q=0 refuses a coding;
// "*" covers codings not listed. Without an Accept-Encoding field the server sends identity only: that is
// what every deployed server does, though §12.5.3 would allow any coding.
#pragma once

#include <cstdint>
#include <string_view>

#include "http/fields.hpp"

namespace endhost::web {

enum class Coding : std::uint8_t { identity, br, zstd, gzip };

struct AcceptedCodings {
  bool br = false;
  bool zstd = false;
  bool gzip = false;
  bool any() const noexcept { return br || zstd || gzip; }
};

AcceptedCodings accepted_codings(http::FieldsView fields) noexcept;

// The Content-Encoding token of a coding, and the file suffix of its precompressed sibling.
std::string_view coding_token(Coding c) noexcept;
std::string_view coding_suffix(Coding c) noexcept;

}  // namespace endhost::web
