// A cookie jar by RFC 6265: Set-Cookie parsed with its attributes (§5.2: Expires, Max-Age, Domain, Path,
// Secure, HttpOnly, and SameSite from RFC 6265bis), stored by the rules of §5.3 (domain and path matching,
// replacement, expiry), and turned into the Cookie header of later requests (§5.4). Jars are read and
// written in the Netscape cookie-file format that curl uses (-b / -c), so the two interoperate.
//
// Limits: at most max_cookies cookies, max_per_domain per domain and max_cookie_bytes per name+value (the
// minimums §6.1 asks implementations to support); beyond them the oldest cookies are evicted. Times are
// seconds since the Unix epoch, passed in: the jar has no clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "http/url.hpp"

namespace endhost::http {

enum class SameSite : std::uint8_t { unset, strict, lax, none };

struct Cookie {
  std::string name;
  std::string value;
  std::string domain;  // lower-case, no leading dot
  std::string path;
  bool host_only = true;  // no Domain attribute: only the exact host gets it back (§5.3 step 6)
  bool secure = false;
  bool http_only = false;
  SameSite same_site = SameSite::unset;
  std::optional<std::int64_t> expires;  // nullopt: a session cookie (§5.3 step 3)
  std::int64_t creation = 0;
  std::uint64_t order = 0;  // creation order within the same second, for §5.4 step 2

  friend bool operator==(const Cookie&, const Cookie&) = default;
};

class CookieJar {
 public:
  static constexpr std::size_t max_cookies = 3000;
  static constexpr std::size_t max_per_domain = 50;
  static constexpr std::size_t max_cookie_bytes = 4096;

  // §5.2 and §5.3: stores (or deletes, when it is already expired) the cookie of one Set-Cookie value
  // received in a response to `url`. Returns false when the cookie was ignored, with the reason in `why`.
  bool set(std::string_view set_cookie, const Url& url, std::int64_t now, std::string* why = nullptr);

  // §5.4: the Cookie header value for a request to `url` ("" when no cookie applies).
  std::string header_for(const Url& url, std::int64_t now) const;

  // The Netscape cookie-file format (curl's -b/-c files). Loading skips comments and malformed lines;
  // `#HttpOnly_` prefixes mark HttpOnly cookies; expiry 0 means a session cookie.
  void load_netscape(std::string_view text, std::int64_t now);
  std::string save_netscape(std::int64_t now) const;

  const std::vector<Cookie>& cookies() const { return cookies_; }
  void remove_expired(std::int64_t now);

 private:
  void evict();
  std::vector<Cookie> cookies_;
  std::uint64_t next_order_ = 0;
};

// §5.1.3: whether `host` domain-matches `domain` (both lower-case).
bool domain_match(std::string_view host, std::string_view domain) noexcept;
// §5.1.4: whether a request path path-matches a cookie path.
bool path_match(std::string_view request_path, std::string_view cookie_path) noexcept;
// §5.1.4: the default path of a request URI's path.
std::string default_cookie_path(std::string_view uri_path);
// §5.1.1: the lenient cookie-date algorithm (it accepts what real servers send in Expires).
std::optional<std::int64_t> parse_cookie_date(std::string_view text) noexcept;

}  // namespace endhost::http
