#include "http/client/cookie_jar.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

#include "http/chars.hpp"
#include "http/fields.hpp"

namespace endhost::http {

namespace {

using chars::lower;
using chars::trim;

bool is_ip_literal(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return true;
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
  });
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

bool domain_match(std::string_view host, std::string_view domain) noexcept {
  if (host == domain) return true;
  // §5.1.3: domain is a suffix of host, the char before it is '.', and host is a name, not an IP address.
  return host.size() > domain.size() && host.substr(host.size() - domain.size()) == domain &&
         host[host.size() - domain.size() - 1] == '.' && !is_ip_literal(host);
}

bool path_match(std::string_view request_path, std::string_view cookie_path) noexcept {
  if (request_path == cookie_path) return true;
  if (request_path.substr(0, cookie_path.size()) != cookie_path) return false;
  return (!cookie_path.empty() && cookie_path.back() == '/') ||
         (request_path.size() > cookie_path.size() && request_path[cookie_path.size()] == '/');
}

std::string default_cookie_path(std::string_view uri_path) {
  if (uri_path.empty() || uri_path.front() != '/') return "/";
  const auto last = uri_path.rfind('/');
  if (last == 0) return "/";
  return std::string(uri_path.substr(0, last));
}

std::optional<std::int64_t> parse_cookie_date(std::string_view text) noexcept {
  // §5.1.1: split on delimiters, then find time, day-of-month, month and year tokens in any order.
  auto delimiter = [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == 0x09 || (u >= 0x20 && u <= 0x2f) || (u >= 0x3b && u <= 0x40) || (u >= 0x5b && u <= 0x60) ||
           (u >= 0x7b && u <= 0x7e);
  };
  static constexpr std::array<std::string_view, 12> months{"jan", "feb", "mar", "apr", "may", "jun",
                                                           "jul", "aug", "sep", "oct", "nov", "dec"};
  std::optional<int> hour, minute, second, day, month, year;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && delimiter(text[i])) ++i;
    std::size_t j = i;
    while (j < text.size() && !delimiter(text[j])) ++j;
    const std::string_view token = text.substr(i, j - i);
    i = j;
    if (token.empty()) continue;
    auto digits = [](std::string_view t, std::size_t min, std::size_t max, int& out) -> std::size_t {
      std::size_t n = 0;
      int v = 0;
      while (n < t.size() && n < max && std::isdigit(static_cast<unsigned char>(t[n])))
        v = v * 10 + (t[n++] - '0');
      if (n < min) return 0;
      out = v;
      return n;
    };
    if (!hour) {
      // time = hms-time ( non-digit *OCTET ): 1*2DIGIT ":" 1*2DIGIT ":" 1*2DIGIT
      int h = 0, m = 0, s = 0;
      std::size_t a = digits(token, 1, 2, h);
      if (a && a < token.size() && token[a] == ':') {
        std::size_t b = digits(token.substr(a + 1), 1, 2, m);
        if (b && a + 1 + b < token.size() && token[a + 1 + b] == ':') {
          std::size_t c = digits(token.substr(a + 2 + b), 1, 2, s);
          const std::size_t end = a + 2 + b + c;
          if (c && (end == token.size() || !std::isdigit(static_cast<unsigned char>(token[end])))) {
            hour = h, minute = m, second = s;
            continue;
          }
        }
      }
    }
    int v = 0;
    if (!day) {
      std::size_t n = digits(token, 1, 2, v);
      if (n && (n == token.size() || !std::isdigit(static_cast<unsigned char>(token[n])))) {
        day = v;
        continue;
      }
    }
    if (!month && token.size() >= 3) {
      const std::string m = lower(token.substr(0, 3));
      auto it = std::find(months.begin(), months.end(), m);
      if (it != months.end()) {
        month = static_cast<int>(it - months.begin()) + 1;
        continue;
      }
    }
    if (!year) {
      std::size_t n = digits(token, 2, 4, v);
      if (n && (n == token.size() || !std::isdigit(static_cast<unsigned char>(token[n])))) {
        year = v;
        continue;
      }
    }
  }
  if (!hour || !day || !month || !year) return std::nullopt;
  if (*year >= 70 && *year <= 99) *year += 1900;
  if (*year >= 0 && *year <= 69) *year += 2000;
  if (*day < 1 || *day > 31 || *year < 1601 || *hour > 23 || *minute > 59 || *second > 59)
    return std::nullopt;
  return days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day)) * 86400 +
         *hour * 3600 + *minute * 60 + *second;
}

bool CookieJar::set(std::string_view header, const Url& url, std::int64_t now, std::string* why) {
  auto fail = [&](const char* reason) {
    if (why) *why = reason;
    return false;
  };
  // RFC 6265bis §5.6 step 1: a control character other than HTAB anywhere ignores the whole line.
  for (char ch : header)
    if ((static_cast<unsigned char>(ch) < 0x20 && ch != '\t') || ch == 0x7f)
      return fail("control character in the cookie");
  // §5.2: name-value-pair up to the first ';', attributes after.
  const auto semi = header.find(';');
  const std::string_view pair = header.substr(0, semi);
  std::string_view attrs = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
  const auto eq = pair.find('=');
  if (eq == std::string_view::npos) return fail("no '=' in the name-value pair");
  Cookie c;
  c.name = std::string(trim(pair.substr(0, eq)));
  c.value = std::string(trim(pair.substr(eq + 1)));
  if (c.name.empty()) return fail("empty cookie name");
  if (c.name.size() + c.value.size() > max_cookie_bytes) return fail("cookie larger than 4096 bytes");
  for (char ch : c.name + c.value)
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) return fail("control character in the cookie");

  std::optional<std::int64_t> max_age, expires;
  std::optional<std::string> domain_attr;
  std::optional<std::string> path_attr;
  while (!attrs.empty()) {
    const auto next = attrs.find(';');
    const std::string_view av = attrs.substr(0, next);
    attrs = next == std::string_view::npos ? std::string_view() : attrs.substr(next + 1);
    const auto aeq = av.find('=');
    const std::string name = lower(trim(av.substr(0, aeq)));
    const std::string_view value =
        aeq == std::string_view::npos ? std::string_view() : trim(av.substr(aeq + 1));
    if (name == "expires") {
      if (auto t = parse_cookie_date(value)) expires = t;  // §5.2.1: an unparsable date is ignored
    } else if (name == "max-age") {
      // §5.2.2: a leading '-' or digits only; a non-positive value means "expire now".
      std::string_view v = value;
      const bool negative = !v.empty() && v.front() == '-';
      if (negative) v.remove_prefix(1);
      if (v.empty() || !std::all_of(v.begin(), v.end(),
                                    [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }))
        continue;
      std::int64_t delta = 0;
      for (char ch : v) delta = std::min<std::int64_t>(delta * 10 + (ch - '0'), 400LL * 86400 * 365);
      max_age = negative || delta == 0 ? std::numeric_limits<std::int64_t>::min() : now + delta;
    } else if (name == "domain") {
      std::string_view d = value;
      if (!d.empty() && d.front() == '.') d.remove_prefix(1);  // §5.2.3
      if (!d.empty()) domain_attr = lower(d);
    } else if (name == "path") {
      // §5.2.4: a path not starting with '/' means the default path.
      path_attr =
          !value.empty() && value.front() == '/' ? std::string(value) : default_cookie_path(url.path());
    } else if (name == "secure") {
      c.secure = true;
    } else if (name == "httponly") {
      c.http_only = true;
    } else if (name == "samesite") {
      const std::string v = lower(value);
      c.same_site = v == "strict" ? SameSite::strict
                    : v == "lax"  ? SameSite::lax
                    : v == "none" ? SameSite::none
                                  : SameSite::unset;
    }
  }

  // §5.3 step 3: Max-Age wins over Expires.
  if (max_age)
    c.expires = *max_age;
  else if (expires)
    c.expires = *expires;
  // §5.3 steps 4-6: the domain.
  const std::string host = lower(url.host);
  if (domain_attr) {
    // A Domain that is a bare top-level name ("com") would let one site set cookies for all of them; without
    // the public suffix list we refuse at least every single-label domain.
    if (domain_attr->find('.') == std::string::npos && *domain_attr != host)
      return fail("Domain is a top-level name");
    if (!domain_match(host, *domain_attr)) return fail("Domain does not match the request host");
    c.domain = *domain_attr;
    c.host_only = false;
  } else {
    c.domain = host;
    c.host_only = true;
  }
  c.path = path_attr ? *path_attr : default_cookie_path(url.path());
  // The cookie file (curl's Netscape format) is tab-separated: a tab inside the Path would forge fields.
  if (c.path.find('\t') != std::string::npos) return fail("tab in the cookie's Path");
  // §5.3 step 8 (and 6265bis): only a secure channel may set a Secure cookie.
  if (c.secure && url.scheme != "https") return fail("Secure cookie from an insecure origin");
  c.creation = now;
  c.order = next_order_++;

  // §5.3 step 11: replace the cookie with the same name, domain and path (keeping its creation time).
  auto old = std::find_if(cookies_.begin(), cookies_.end(), [&](const Cookie& o) {
    return o.name == c.name && o.domain == c.domain && o.path == c.path;
  });
  if (old != cookies_.end()) {
    c.creation = old->creation;
    c.order = old->order;
    cookies_.erase(old);
  }
  if (c.expires && *c.expires <= now) return true;  // an expired cookie only deletes (§5.3 step 12)
  cookies_.push_back(std::move(c));
  evict();
  return true;
}

void CookieJar::evict() {
  // §5.3: remove excess cookies, per domain first, then overall, oldest first.
  auto oldest_first = [](const Cookie& a, const Cookie& b) { return a.order < b.order; };
  std::stable_sort(cookies_.begin(), cookies_.end(), oldest_first);
  for (std::size_t i = 0; i < cookies_.size();) {
    const std::string& domain = cookies_[i].domain;
    const auto n = static_cast<std::size_t>(
        std::count_if(cookies_.begin(), cookies_.end(), [&](const Cookie& c) { return c.domain == domain; }));
    if (n > max_per_domain)
      cookies_.erase(cookies_.begin() + static_cast<std::ptrdiff_t>(i));
    else
      ++i;
  }
  if (cookies_.size() > max_cookies)
    cookies_.erase(cookies_.begin(),
                   cookies_.begin() + static_cast<std::ptrdiff_t>(cookies_.size() - max_cookies));
}

void CookieJar::remove_expired(std::int64_t now) {
  std::erase_if(cookies_, [&](const Cookie& c) { return c.expires && *c.expires <= now; });
}

std::string CookieJar::header_for(const Url& url, std::int64_t now) const {
  const std::string host = lower(url.host);
  const std::string_view path = url.path();
  std::vector<const Cookie*> matching;
  for (const Cookie& c : cookies_) {
    if (c.expires && *c.expires <= now) continue;
    if (c.host_only ? host != c.domain : !domain_match(host, c.domain)) continue;
    if (!path_match(path, c.path)) continue;
    if (c.secure && url.scheme != "https") continue;
    matching.push_back(&c);
  }
  // §5.4 step 2: longer paths first, then earlier creation.
  std::stable_sort(matching.begin(), matching.end(), [](const Cookie* a, const Cookie* b) {
    if (a->path.size() != b->path.size()) return a->path.size() > b->path.size();
    return a->order < b->order;
  });
  std::string out;
  for (const Cookie* c : matching) {
    if (!out.empty()) out += "; ";
    out += c->name;
    out += '=';
    out += c->value;
  }
  return out;
}

void CookieJar::load_netscape(std::string_view text, std::int64_t now) {
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    Cookie c;
    if (line.substr(0, 10) == "#HttpOnly_") {
      c.http_only = true;
      line.remove_prefix(10);
    } else if (line.empty() || line.front() == '#') {
      continue;
    }
    std::array<std::string_view, 7> f;
    std::size_t n = 0;
    while (n < 7) {
      const auto tab = line.find('\t');
      f[n++] = line.substr(0, tab);
      if (tab == std::string_view::npos) break;
      line.remove_prefix(tab + 1);
    }
    if (n < 6) continue;
    std::string_view domain = f[0];
    c.host_only = f[1] != "TRUE";
    if (!domain.empty() && domain.front() == '.') {
      domain.remove_prefix(1);
      c.host_only = false;
    }
    c.domain = lower(domain);
    c.path = std::string(f[2]);
    c.secure = f[3] == "TRUE";
    std::int64_t expires = 0;
    for (char ch : f[4]) {
      if (!std::isdigit(static_cast<unsigned char>(ch))) break;
      expires = expires * 10 + (ch - '0');
    }
    if (expires != 0) c.expires = expires;
    c.name = std::string(f[5]);
    c.value = n == 7 ? std::string(f[6]) : std::string();
    if (c.domain.empty() || c.name.empty() || c.path.empty()) continue;
    if (c.expires && *c.expires <= now) continue;
    c.creation = now;
    c.order = next_order_++;
    std::erase_if(cookies_, [&](const Cookie& o) {
      return o.name == c.name && o.domain == c.domain && o.path == c.path;
    });
    cookies_.push_back(std::move(c));
  }
  evict();
}

std::string CookieJar::save_netscape(std::int64_t now) const {
  std::string out =
      "# Netscape HTTP Cookie File\n"
      "# https://curl.se/docs/http-cookies.html\n"
      "# This file was generated by endhost fetch. Edit at your own risk.\n\n";
  for (const Cookie& c : cookies_) {
    if (c.expires && *c.expires <= now) continue;
    if (c.http_only) out += "#HttpOnly_";
    if (!c.host_only) out += '.';
    out += c.domain;
    out += c.host_only ? "\tFALSE\t" : "\tTRUE\t";
    out += c.path;
    out += c.secure ? "\tTRUE\t" : "\tFALSE\t";
    out += std::to_string(c.expires.value_or(0));
    out += '\t';
    out += c.name;
    out += '\t';
    out += c.value;
    out += '\n';
  }
  return out;
}

}  // namespace endhost::http
