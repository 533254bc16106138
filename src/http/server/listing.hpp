// The HTML index of a directory that has no index.html (what nginx's autoindex shows): names as links,
// directories first, then files with their sizes and modification times. Names are HTML-escaped in the text
// and percent-encoded in the links, so a file called `<script>` or `a b#c` is shown and linked as itself.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace endhost::web {

struct ListingEntry {
  std::string name;
  bool is_dir = false;
  std::uint64_t size = 0;
  std::time_t mtime = 0;
};

// `url_path` is the decoded path of the directory as the client asked for it, with its trailing slash ("/"
// for the root). Sorts `entries`. `truncated` adds a note that the listing was cut at the server's limit.
void append_listing(std::string& out, std::string_view url_path, std::vector<ListingEntry>& entries,
                    bool truncated);

}  // namespace endhost::web
