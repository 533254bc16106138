// The HTML of `endhost fetch --page` comes from any server: no crash, at most max_links links, none empty
// or repeated, and each one resolved against the base URL without a crash (what resolves is a http(s) URL).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/client/page_links.hpp"
#include "http/url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const endhost::http::Url base = *endhost::http::parse_url("http://example.com/dir/page.html?x=1");
  const std::size_t max_links = 1 + data[0] % 64;
  std::string_view html(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::vector<std::string> links = endhost::http::page_links(html, max_links);
  if (links.size() > max_links) __builtin_trap();
  for (std::size_t i = 0; i < links.size(); ++i) {
    if (links[i].empty()) __builtin_trap();
    if (std::find(links.begin() + static_cast<std::ptrdiff_t>(i) + 1, links.end(), links[i]) != links.end())
      __builtin_trap();
    auto url = endhost::http::resolve_url(base, links[i]);
    if (url && url->scheme != "http" && url->scheme != "https") __builtin_trap();
  }
  return 0;
}
