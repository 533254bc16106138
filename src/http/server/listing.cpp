#include "http/server/listing.hpp"

#include <algorithm>

#include "http/date.hpp"
#include "http/server/response.hpp"
#include "http/server/url_path.hpp"

namespace endhost::web {

void append_listing(std::string& out, std::string_view url_path, std::vector<ListingEntry>& entries,
                    bool truncated) {
  std::sort(entries.begin(), entries.end(), [](const ListingEntry& a, const ListingEntry& b) {
    if (a.is_dir != b.is_dir) return a.is_dir;
    return a.name < b.name;
  });
  out += "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ";
  append_html_escaped(out, url_path);
  out += "</title></head>\n<body><h1>Index of ";
  append_html_escaped(out, url_path);
  out += "</h1>\n<table>\n<tr><th>Name</th><th>Size</th><th>Last modified</th></tr>\n";
  if (url_path != "/") out += "<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>\n";
  std::string href;
  for (const ListingEntry& e : entries) {
    // Relative links: "./" keeps a name with a colon ("a:b") from reading as a URI scheme (RFC 3986 §4.2).
    href = "./";
    append_path_encoded(href, e.name);
    if (e.is_dir) href += '/';
    out += "<tr><td><a href=\"";
    append_html_escaped(out, href);
    out += "\">";
    append_html_escaped(out, e.name);
    if (e.is_dir) out += '/';
    out += "</a></td><td>";
    if (e.is_dir)
      out += '-';
    else
      append_decimal(out, e.size);
    out += "</td><td>";
    const auto date = http::format_http_date(e.mtime);
    out.append(date.data(), date.size());
    out += "</td></tr>\n";
  }
  out += "</table>\n";
  if (truncated) out += "<p>This listing was cut short at the server's limit.</p>\n";
  out += "</body></html>\n";
}

}  // namespace endhost::web
