// Limits: the hard bounds every HTTP/1 parse obeys (STYLE.md practice 4). One struct, passed by value to a
// parser when it is built; a parser never grows past these, whatever the peer sends.
#pragma once

#include <cstddef>
#include <cstdint>

namespace endhost::http {

struct Limits {
  // Request-line (or status-line) length without CRLF. Longer → 414 URI Too Long (RFC 9112 §3; nginx's
  // large_client_header_buffers default is the same 8 KiB).
  std::size_t max_start_line = 8 * 1024;
  // Whole head: start-line, every field line and the empty line. Longer → 431 (RFC 6585 §5).
  std::size_t max_head_bytes = 32 * 1024;
  // Field lines in one head. More → 431. Also the size of the field array a parser allocates once.
  std::size_t max_fields = 100;
  // Decoded body bytes (Content-Length or the sum of chunk sizes). More → 413 Content Too Large.
  std::uint64_t max_body_size = 1024 * 1024;
  // Bytes of chunk extensions (RFC 9112 §7.1.1) summed over one message: they carry nothing we use, so a
  // small total stops a peer from making us parse megabytes of them (cf. CVE-2024-22019 in Node.js).
  std::size_t max_chunk_ext_bytes = 4 * 1024;
  // Trailer section (RFC 9112 §7.1.2) of a chunked body: bytes including the final empty line, and lines.
  std::size_t max_trailer_bytes = 8 * 1024;
  std::size_t max_trailer_fields = 32;

  // Defaults for a client or proxy reading responses: the same head limits, but no body cap (a proxy streams
  // bodies of any size; a cache sets its own object limit).
  static constexpr Limits for_responses() {
    Limits l;
    l.max_body_size = UINT64_MAX;
    return l;
  }
};

}  // namespace endhost::http
