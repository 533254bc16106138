#include "http/cache/surrogate_control.hpp"

#include "http/chars.hpp"
#include "http/field_value.hpp"

namespace endhost::http::cache {

namespace {

using chars::is_tchar;

// One surrogate-directive (Edge Architecture §3.1): name [ "=" value ] [ ";" device-token ], with no
// whitespace inside: `max-age =100` is not a max-age, as for Cache-Control tokens.
struct Directive {
  std::string_view name;
  std::optional<std::string_view> arg;
  std::string_view target;
};

std::optional<Directive> split_directive(std::string_view e) {
  Directive d;
  std::size_t i = 0;
  while (i < e.size() && is_tchar(e[i])) ++i;
  if (i == 0) return std::nullopt;
  d.name = e.substr(0, i);
  if (i < e.size() && e[i] == '=') {
    const std::size_t start = ++i;
    if (i < e.size() && e[i] == '"') {
      for (++i; i < e.size() && e[i] != '"'; ++i)
        if (e[i] == '\\') ++i;
      if (i >= e.size()) return std::nullopt;  // unterminated quoted-string
      ++i;
    } else {
      while (i < e.size() && is_tchar(e[i])) ++i;
    }
    if (i == start) return std::nullopt;
    d.arg = e.substr(start, i - start);
  }
  if (i < e.size()) {
    if (e[i] != ';') return std::nullopt;
    d.target = chars::trim(e.substr(i + 1));
    if (!chars::is_token(d.target)) return std::nullopt;
  }
  return d;
}

struct Applied {
  std::optional<Duration> max_age;
  std::optional<Duration> extension;
  bool no_store = false;
  bool any() const noexcept { return max_age || no_store; }
};

// max-age = delta-seconds [ "+" freshness-extension ]
void set_max_age(Applied& a, std::string_view arg) {
  if (a.max_age) return;  // the first occurrence wins, as for Cache-Control
  const std::size_t plus = arg.find('+');
  const auto lifetime = parse_delta_seconds(arg.substr(0, plus));
  if (!lifetime) return;
  std::optional<Duration> extension;
  if (plus != std::string_view::npos) {
    extension = parse_delta_seconds(arg.substr(plus + 1));
    if (!extension) return;
  }
  a.max_age = lifetime;
  a.extension = extension;
}

}  // namespace

std::string surrogate_capability(std::string_view device_token) {
  std::string out(device_token);
  out += "=\"Surrogate/1.0\"";
  return out;
}

std::optional<CacheControl> parse_surrogate_control(std::string_view value, std::string_view device_token) {
  Applied mine;     // aimed at device_token
  Applied general;  // aimed at every surrogate
  ListReader list(value);
  while (auto element = list.next()) {
    const auto d = split_directive(*element);
    if (!d) continue;
    Applied* into = &general;
    if (!d->target.empty()) {
      if (!iequals(d->target, device_token)) continue;  // for another surrogate
      into = &mine;
    }
    if (iequals(d->name, "max-age")) {
      if (d->arg) set_max_age(*into, *d->arg);
    } else if (iequals(d->name, "no-store")) {
      if (!d->arg) into->no_store = true;
    }
    // content="ESI/1.0" asks for processing we do not do; no-store-remote is for the surrogates far from
    // the origin, and a reverse proxy is the one beside it; extensions are ignored.
  }
  const Applied& a = mine.any() ? mine : general;
  if (!a.any()) return std::nullopt;
  CacheControl cc;
  cc.max_age = a.max_age;
  cc.stale_if_error = a.extension;
  cc.no_store = a.no_store;
  return cc;
}

}  // namespace endhost::http::cache
