#include "http/server/mime.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace endhost::web {

namespace {

struct Entry {
  std::string_view ext;  // lower case, sorted
  MimeType mime;
};

constexpr MimeType kOctets{"application/octet-stream", false};

// Sorted by extension for binary search; the test checks the order.
constexpr std::array kTable = {
    Entry{"3gp", {"video/3gpp", false}},
    Entry{"7z", {"application/x-7z-compressed", false}},
    Entry{"aac", {"audio/aac", false}},
    Entry{"apng", {"image/apng", false}},
    Entry{"atom", {"application/atom+xml", true}},
    Entry{"avi", {"video/x-msvideo", false}},
    Entry{"avif", {"image/avif", false}},
    Entry{"bin", {"application/octet-stream", false}},
    Entry{"bmp", {"image/bmp", true}},
    Entry{"br", {"application/x-brotli", false}},
    Entry{"bz2", {"application/x-bzip2", false}},
    Entry{"c", {"text/plain; charset=utf-8", true}},
    Entry{"cc", {"text/plain; charset=utf-8", true}},
    Entry{"cpp", {"text/plain; charset=utf-8", true}},
    Entry{"css", {"text/css; charset=utf-8", true}},
    Entry{"csv", {"text/csv; charset=utf-8", true}},
    Entry{"deb", {"application/vnd.debian.binary-package", false}},
    Entry{"doc", {"application/msword", true}},
    Entry{"docx", {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", false}},
    Entry{"eot", {"application/vnd.ms-fontobject", true}},
    Entry{"epub", {"application/epub+zip", false}},
    Entry{"flac", {"audio/flac", false}},
    Entry{"gif", {"image/gif", false}},
    Entry{"gz", {"application/gzip", false}},
    Entry{"h", {"text/plain; charset=utf-8", true}},
    Entry{"hpp", {"text/plain; charset=utf-8", true}},
    Entry{"htm", {"text/html; charset=utf-8", true}},
    Entry{"html", {"text/html; charset=utf-8", true}},
    Entry{"ico", {"image/vnd.microsoft.icon", true}},
    Entry{"ics", {"text/calendar; charset=utf-8", true}},
    Entry{"iso", {"application/x-iso9660-image", false}},
    Entry{"jar", {"application/java-archive", false}},
    Entry{"jpeg", {"image/jpeg", false}},
    Entry{"jpg", {"image/jpeg", false}},
    Entry{"js", {"text/javascript; charset=utf-8", true}},
    Entry{"json", {"application/json", true}},
    Entry{"jsonld", {"application/ld+json", true}},
    Entry{"m4a", {"audio/mp4", false}},
    Entry{"m4v", {"video/mp4", false}},
    Entry{"map", {"application/json", true}},
    Entry{"md", {"text/markdown; charset=utf-8", true}},
    Entry{"mjs", {"text/javascript; charset=utf-8", true}},
    Entry{"mkv", {"video/x-matroska", false}},
    Entry{"mov", {"video/quicktime", false}},
    Entry{"mp3", {"audio/mpeg", false}},
    Entry{"mp4", {"video/mp4", false}},
    Entry{"mpeg", {"video/mpeg", false}},
    Entry{"mpg", {"video/mpeg", false}},
    Entry{"odp", {"application/vnd.oasis.opendocument.presentation", false}},
    Entry{"ods", {"application/vnd.oasis.opendocument.spreadsheet", false}},
    Entry{"odt", {"application/vnd.oasis.opendocument.text", false}},
    Entry{"oga", {"audio/ogg", false}},
    Entry{"ogg", {"audio/ogg", false}},
    Entry{"ogv", {"video/ogg", false}},
    Entry{"opus", {"audio/opus", false}},
    Entry{"otf", {"font/otf", true}},
    Entry{"pdf", {"application/pdf", false}},
    Entry{"png", {"image/png", false}},
    Entry{"ppt", {"application/vnd.ms-powerpoint", true}},
    Entry{"pptx", {"application/vnd.openxmlformats-officedocument.presentationml.presentation", false}},
    Entry{"py", {"text/plain; charset=utf-8", true}},
    Entry{"rar", {"application/vnd.rar", false}},
    Entry{"rss", {"application/rss+xml", true}},
    Entry{"rtf", {"application/rtf", true}},
    Entry{"sh", {"text/plain; charset=utf-8", true}},
    Entry{"svg", {"image/svg+xml", true}},
    Entry{"svgz", {"image/svg+xml", false}},
    Entry{"tar", {"application/x-tar", true}},
    Entry{"tgz", {"application/gzip", false}},
    Entry{"tif", {"image/tiff", false}},
    Entry{"tiff", {"image/tiff", false}},
    Entry{"toml", {"application/toml", true}},
    Entry{"ttf", {"font/ttf", true}},
    Entry{"txt", {"text/plain; charset=utf-8", true}},
    Entry{"vcf", {"text/vcard; charset=utf-8", true}},
    Entry{"wasm", {"application/wasm", true}},
    Entry{"wav", {"audio/wav", false}},
    Entry{"weba", {"audio/webm", false}},
    Entry{"webm", {"video/webm", false}},
    Entry{"webmanifest", {"application/manifest+json", true}},
    Entry{"webp", {"image/webp", false}},
    Entry{"woff", {"font/woff", false}},
    Entry{"woff2", {"font/woff2", false}},
    Entry{"xhtml", {"application/xhtml+xml", true}},
    Entry{"xls", {"application/vnd.ms-excel", true}},
    Entry{"xlsx", {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", false}},
    Entry{"xml", {"application/xml", true}},
    Entry{"xz", {"application/x-xz", false}},
    Entry{"yaml", {"application/yaml", true}},
    Entry{"yml", {"application/yaml", true}},
    Entry{"zip", {"application/zip", false}},
    Entry{"zst", {"application/zstd", false}},
};

constexpr bool sorted() {
  for (std::size_t i = 1; i < kTable.size(); ++i)
    if (!(kTable[i - 1].ext < kTable[i].ext)) return false;
  return true;
}
static_assert(sorted(), "kTable must be sorted by extension");

// Extensions of up to 8 bytes packed into an integer (first byte most significant, so integer order is the
// table's order): the lookup is a binary search over integers instead of string comparisons.
constexpr std::uint64_t pack(std::string_view ext) {
  std::uint64_t k = 0;
  for (std::size_t i = 0; i < 8; ++i) k = k << 8 | (i < ext.size() ? static_cast<unsigned char>(ext[i]) : 0u);
  return k;
}

constexpr std::array<std::uint64_t, kTable.size()> make_keys() {
  std::array<std::uint64_t, kTable.size()> keys{};
  for (std::size_t i = 0; i < kTable.size(); ++i)
    keys[i] = kTable[i].ext.size() <= 8 ? pack(kTable[i].ext) : 0;
  return keys;
}
constexpr auto kKeys = make_keys();

}  // namespace

MimeType mime_type_for(std::string_view filename) noexcept {
  // One backwards scan: the extension is what follows the last '.' of the last segment, at most 16 bytes.
  char lower[16];
  std::size_t n = 0;
  std::size_t i = filename.size();
  for (;;) {
    if (i == 0) return kOctets;
    const char c = filename[--i];
    if (c == '.') break;
    if (c == '/' || n == sizeof lower) return kOctets;
    lower[sizeof lower - 1 - n++] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  if (n == 0) return kOctets;
  const std::string_view key(lower + sizeof lower - n, n);
  if (key.size() <= 8) {
    const std::uint64_t k = pack(key);
    std::size_t lo = 0, hi = kKeys.size();
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      // Long extensions have key 0 and sit among the others by string order; compare them as strings.
      const bool less = kKeys[mid] != 0 ? kKeys[mid] < k : kTable[mid].ext < key;
      if (less)
        lo = mid + 1;
      else
        hi = mid;
    }
    if (lo < kTable.size() && kTable[lo].ext == key) return kTable[lo].mime;
    return kOctets;
  }
  const auto it = std::lower_bound(kTable.begin(), kTable.end(), key,
                                   [](const Entry& e, std::string_view k) { return e.ext < k; });
  if (it == kTable.end() || it->ext != key) return kOctets;
  return it->mime;
}

}  // namespace endhost::web
