#include "http/cache/object_file.hpp"

#include <cstring>

namespace endhost::http::cache {

namespace {

constexpr std::string_view kMagic = "EHCOBJ01";

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void put_str(std::string& out, std::string_view s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out += s;
}

std::uint32_t fnv1a32(std::string_view data) {
  std::uint32_t h = 0x811c9dc5u;
  for (unsigned char c : data) h = (h ^ c) * 0x01000193u;
  return h;
}

// Reads little-endian integers and length-prefixed strings, failing on any overrun.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool u32(std::uint32_t& v) {
    if (in_.size() < 4) return false;
    v = 0;
    for (int i = 0; i < 4; ++i)
      v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in_[i])) << (8 * i);
    in_.remove_prefix(4);
    return true;
  }
  bool u64(std::uint64_t& v) {
    if (in_.size() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i)
      v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in_[i])) << (8 * i);
    in_.remove_prefix(8);
    return true;
  }
  bool str(std::string& s) {
    std::uint32_t n = 0;
    if (!u32(n) || in_.size() < n) return false;
    s.assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace

std::uint64_t fnv1a64(std::string_view data, std::uint64_t seed) noexcept {
  std::uint64_t h = seed;
  for (unsigned char c : data) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

std::string encode_object_header(const ObjectMeta& meta, std::uint64_t body_size) {
  std::string m;
  put_str(m, meta.key);
  put_str(m, meta.variant);
  put_u64(m, static_cast<std::uint64_t>(meta.request_time.time_since_epoch().count()));
  put_u64(m, static_cast<std::uint64_t>(meta.response_time.time_since_epoch().count()));
  put_u32(m, to_int(meta.status));
  put_str(m, meta.reason);
  put_u32(m, static_cast<std::uint32_t>(meta.fields.size()));
  for (const Field& f : meta.fields) {
    put_str(m, f.name);
    put_str(m, f.value);
  }
  std::string out;
  out.reserve(object_fixed_header + m.size());
  out += kMagic;
  put_u64(out, body_size);
  put_u32(out, static_cast<std::uint32_t>(m.size()));
  put_u32(out, fnv1a32(m));
  out += m;
  return out;
}

Expected<ObjectHeader, std::string> decode_fixed_header(std::string_view bytes) {
  if (bytes.size() < object_fixed_header) return Unexpected(std::string("shorter than the fixed header"));
  if (bytes.substr(0, kMagic.size()) != kMagic)
    return Unexpected(std::string("not a cache object (bad magic)"));
  Reader r(bytes.substr(kMagic.size(), object_fixed_header - kMagic.size()));
  ObjectHeader h;
  r.u64(h.body_size);
  r.u32(h.meta_size);
  r.u32(h.meta_checksum);
  if (h.meta_size > object_max_meta) return Unexpected(std::string("metadata block too large"));
  return h;
}

Expected<ObjectMeta, std::string> decode_object_meta(const ObjectHeader& header, std::string_view bytes) {
  if (bytes.size() != header.meta_size) return Unexpected(std::string("metadata block truncated"));
  if (fnv1a32(bytes) != header.meta_checksum) return Unexpected(std::string("metadata checksum mismatch"));
  Reader r(bytes);
  ObjectMeta meta;
  std::uint64_t request_time = 0, response_time = 0;
  std::uint32_t status = 0, count = 0;
  if (!r.str(meta.key) || !r.str(meta.variant) || !r.u64(request_time) || !r.u64(response_time) ||
      !r.u32(status) || !r.str(meta.reason) || !r.u32(count))
    return Unexpected(std::string("metadata block malformed"));
  // 100..999, as the response parser keeps them (RFC 9110 §15: 600..999 are treated as 5xx, and may be
  // stored with explicit freshness like one).
  if (status < 100 || status > 999) return Unexpected(std::string("bad status in metadata"));
  meta.request_time = Time(Duration(static_cast<std::int64_t>(request_time)));
  meta.response_time = Time(Duration(static_cast<std::int64_t>(response_time)));
  meta.status = static_cast<Status>(status);
  for (std::uint32_t i = 0; i < count; ++i) {
    std::string name, value;
    if (!r.str(name) || !r.str(value)) return Unexpected(std::string("metadata fields malformed"));
    meta.fields.add(name, value);
  }
  if (!r.done()) return Unexpected(std::string("metadata block has trailing bytes"));
  return meta;
}

}  // namespace endhost::http::cache
