// The on-disk form of one stored response: a fixed header (magic, body size, metadata size, a checksum of
// the metadata), the metadata (cache key, Vary key, exchange times, status, fields), then the body bytes.
// A file is complete exactly when its size is header + metadata + body: anything else is a torn write and
// is never served. Encoding and decoding are pure, so they are unit-tested and fuzzed without files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "http/cache/time.hpp"
#include "http/fields.hpp"
#include "http/status.hpp"

namespace endhost::http::cache {

// Everything about a stored response but its body.
struct ObjectMeta {
  std::string key;      // primary cache key: the normalised target URI
  std::string variant;  // secondary key: the request's values of the Vary fields ("" without Vary)
  Time request_time;
  Time response_time;
  Status status = Status::ok;
  std::string reason;
  Fields fields;  // as stored: hop-by-hop removed, Content-Length set to the body size

  friend bool operator==(const ObjectMeta&, const ObjectMeta&) = default;
};

inline constexpr std::size_t object_fixed_header = 24;   // magic 8, body size 8, meta size 4, meta checksum 4
inline constexpr std::size_t object_max_meta = 1 << 20;  // a header block larger than this is corrupt
inline constexpr std::size_t object_body_size_offset = 8;

struct ObjectHeader {
  std::uint64_t body_size = 0;
  std::uint32_t meta_size = 0;
  std::uint32_t meta_checksum = 0;
  std::uint64_t header_size() const noexcept { return object_fixed_header + meta_size; }
};

// The fixed header and the metadata, ready to be written at the start of the file.
std::string encode_object_header(const ObjectMeta& meta, std::uint64_t body_size);

// The fixed header from the first object_fixed_header bytes. Errors say what is wrong, for the log.
Expected<ObjectHeader, std::string> decode_fixed_header(std::string_view bytes);
// The metadata block (after the fixed header), checked against the header's checksum.
Expected<ObjectMeta, std::string> decode_object_meta(const ObjectHeader& header, std::string_view meta_bytes);

// 64-bit FNV-1a: file names and ghost keys. Stable across runs and builds, unlike std::hash.
std::uint64_t fnv1a64(std::string_view data, std::uint64_t seed = 0xcbf29ce484222325ULL) noexcept;

}  // namespace endhost::http::cache
