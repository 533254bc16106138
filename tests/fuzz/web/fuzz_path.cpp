// Request path resolution: whatever the input, the result is a relative path with no "." or ".." segment,
// no empty segment, no NUL and no leading slash — nothing that could leave the document root.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/server/url_path.hpp"

using namespace endhost::web;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view target(reinterpret_cast<const char*>(data), size);
  const TargetParts parts = split_target(target);
  if (parts.path.size() + (parts.has_query ? parts.query.size() + 1 : 0) != target.size()) std::abort();
  const AbsoluteParts abs = split_absolute(target);
  (void)abs;
  std::string out;
  auto info = resolve_path(parts.path, out, 1024);
  if (!info) return 0;
  if (out.size() > 1024 + 1) std::abort();
  if (!out.empty() && (out.front() == '/' || out.back() == '/')) std::abort();
  if (out.find('\0') != std::string::npos) std::abort();
  std::string_view rest = out;
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view seg = rest.substr(0, slash);
    if (seg.empty() || seg == "." || seg == "..") std::abort();
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  std::string encoded;
  append_path_encoded(encoded, out);
  std::string decoded;
  if (!percent_decode(encoded, decoded) || decoded != out) std::abort();
  return 0;
}
