// Absolute http(s) URLs (RFC 3986, RFC 9110 §4.2) as the client, the proxy and the cache use them: parsing
// with normalisation of the parts RFC 9110 §4.2.3 calls equivalent (scheme and host case, default port,
// empty path), and reference resolution (RFC 3986 §5.2) for redirects, Location and page links. Pure
// functions; no name resolution.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace endhost::http {

struct Url {
  std::string scheme;      // "http" or "https", lower-case
  std::string userinfo;    // as written (still percent-encoded), without the '@'
  std::string host;        // lower-case; an IPv6 literal without its brackets
  std::uint16_t port = 0;  // the explicit port, or the scheme's default
  std::string path_query;  // "/…[?…]", never empty, fragment removed

  bool default_port() const noexcept { return port == (scheme == "https" ? 443 : 80); }
  // host[:port]: brackets around IPv6, the port only when it is not the default (the Host field value).
  std::string authority() const;
  // host:port always, for CONNECT and for keying connection pools.
  std::string host_port() const;
  // scheme://authority (RFC 6454 origin serialisation, used to compare origins).
  std::string origin() const;
  // scheme://authority/path?query, without userinfo: the normalised target URI.
  std::string to_string() const;
  // The path without the query.
  std::string_view path() const;

  friend bool operator==(const Url&, const Url&) = default;
};

// Which bytes a URL's path and query may hold.
enum class UrlChars : std::uint8_t {
  strict,   // RFC 3986's set only: what we write and what `endhost fetch` is given
  as_sent,  // also '"', '<', '>', '\\', '^', '`', '{', '|', '}', which browsers send unencoded in a
            // request-target (the proxy forwards them as received); never controls, spaces or non-ASCII
};

// Parses an absolute http or https URL. Errors are sentences for a human ("'ftp://x' is not an http URL").
// Bytes outside the chosen set (spaces, controls) are refused rather than guessed at; the host is always
// checked strictly.
Expected<Url, std::string> parse_url(std::string_view text, UrlChars chars = UrlChars::strict);

// Resolves `reference` (absolute, network-path "//h/p", absolute-path, relative path or query) against
// `base` (RFC 3986 §5.2, dot segments removed per §5.2.4). A fragment is dropped.
Expected<Url, std::string> resolve_url(const Url& base, std::string_view reference);

// RFC 3986 §5.2.4: removes "." and ".." segments from an absolute path.
std::string remove_dot_segments(std::string_view path);

}  // namespace endhost::http
