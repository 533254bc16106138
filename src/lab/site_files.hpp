// Writes each site's files under STATE/sites/<site>/ before the web servers start: literal text, generated
// GIF images, and pages with N referenced objects. Each file is written to a temporary name, fsync'd and
// renamed, and gets its configured modification time (the Last-Modified a server sends).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "lab/config.hpp"

namespace endhost::lab {

// What was written for one configured file: the file itself, and for a page its objects' URL paths.
struct WrittenFile {
  std::string path;  // URL path
  std::uint64_t bytes = 0;
  std::vector<std::string> objects;  // pages only
};

// Writes every file of `site` under `dir` (created, 0755; it may exist). Errors name the file and errno.
Expected<std::vector<WrittenFile>, std::string> write_site(const SiteConfig& site, const std::string& dir);

// The HTML of a page referencing `count` objects named page_object_name(1 … count), relative to the page.
std::string page_html(std::string_view title, std::uint32_t count);

}  // namespace endhost::lab
