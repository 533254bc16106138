// The objects a browser fetches after a base HTML page: img src, script src, and link href for
// stylesheets and icons. A tolerant tag scanner, not an HTML parser: it skips comments and the raw text of
// script and style elements, and reads attributes quoted or not. For `endhost fetch --page`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace endhost::http {

// The referenced URLs as written in the page (relative or absolute), in document order, without
// duplicates, at most `max_links`.
std::vector<std::string> page_links(std::string_view html, std::size_t max_links = 1000);

}  // namespace endhost::http
