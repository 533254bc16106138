// The cache's object file header from arbitrary bytes (a corrupted or planted file in the cache directory):
// decoding must fail cleanly, never crash or allocate without bound.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/cache/object_file.hpp"

using namespace endhost::http::cache;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto h = decode_fixed_header(in);
  if (!h) return 0;
  const std::string_view rest = in.substr(object_fixed_header);
  auto meta = decode_object_meta(*h, rest.substr(0, h->meta_size));
  if (meta) {
    // What decodes must encode back to the same bytes.
    const std::string again = encode_object_header(*meta, h->body_size);
    if (again != in.substr(0, again.size())) __builtin_trap();
  }
  return 0;
}
