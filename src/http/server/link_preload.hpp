// The objects a response asks the client to preload (`Link: </style.css>; rel=preload`, RFC 8288 §3 and the
// W3C Preload spec), as paths of this server: what HTTP/2 server push promises (RFC 9113 §8.4), as h2o and
// nginx's http2_push_preload do. Sans-I/O: field values in, paths out.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace endhost::web {

// What a relative or absolute target is resolved against: the request's scheme, authority and path.
struct LinkBase {
  std::string_view scheme;     // "http" or "https"
  std::string_view authority;  // host[:port], compared case-insensitively
  std::string_view path;       // the request's path ("/a/b.html"): "c.css" is "/a/c.css"
};

// Appends to `out` the paths of the link-values in `value` (one Link field value, comma-separated) whose rel
// includes "preload" and which carry no `nopush` parameter, resolved against `base`; only same-origin
// targets (a path, or an absolute URI of the base's scheme and authority), never one with whitespace or
// control characters. Stops once `out` holds `limit` paths. Malformed link-values are skipped.
void append_preload_paths(std::string_view value, const LinkBase& base, std::vector<std::string>& out,
                          std::size_t limit);

}  // namespace endhost::web
