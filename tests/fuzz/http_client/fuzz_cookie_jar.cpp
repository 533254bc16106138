// Set-Cookie values come from any server: each input line is one, received for one of a few URLs at a
// moving time. No crash, the jar's limits hold (count, per domain, bytes), what it stores is normalised, and
// its Netscape file (curl's -c) reads back to the same file.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "http/client/cookie_jar.hpp"
#include "http/url.hpp"

namespace {

bool lower_case(std::string_view s) {
  for (char c : s)
    if (c >= 'A' && c <= 'Z') return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using endhost::http::CookieJar;
  static const endhost::http::Url urls[] = {
      *endhost::http::parse_url("http://www.example.com/a/b/c?q"),
      *endhost::http::parse_url("https://Example.COM:8443/"),
      *endhost::http::parse_url("http://127.0.0.1/x"),
      *endhost::http::parse_url("http://sub.www.example.com/a/"),
  };
  std::string_view input(reinterpret_cast<const char*>(data), size);
  CookieJar jar;
  std::int64_t now = 1'700'000'000;
  std::size_t line_number = 0;
  while (!input.empty()) {
    const std::size_t end = input.find('\n');
    const std::string_view line = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    const endhost::http::Url& url = urls[line_number++ % std::size(urls)];
    std::string why;
    if (!jar.set(line, url, now, &why) && why.empty()) __builtin_trap();  // an ignored cookie says why
    (void)endhost::http::parse_cookie_date(line);
    (void)jar.header_for(url, now);
    now += 61;
  }
  if (jar.cookies().size() > CookieJar::max_cookies) __builtin_trap();
  std::map<std::string, std::size_t> per_domain;
  for (const endhost::http::Cookie& c : jar.cookies()) {
    if (++per_domain[c.domain] > CookieJar::max_per_domain) __builtin_trap();
    if (c.name.size() + c.value.size() > CookieJar::max_cookie_bytes) __builtin_trap();
    if (!lower_case(c.domain) || (!c.domain.empty() && c.domain.front() == '.')) __builtin_trap();
  }
  const std::string saved = jar.save_netscape(now);
  CookieJar again;
  again.load_netscape(saved, now);
  if (again.save_netscape(now) != saved) __builtin_trap();
  return 0;
}
