#include "http/cache/cache_control.hpp"

#include <algorithm>
#include <cctype>

#include "http/chars.hpp"
#include "http/field_value.hpp"

namespace endhost::http::cache {

namespace {

using chars::lower;
using chars::trim;

// Sets a delta-seconds directive unless an earlier occurrence already did. `strict` marks a bad argument as
// invalid freshness (max-age, s-maxage); for the others a bad argument just drops the directive.
void set_delta(std::optional<Duration>& slot, std::optional<std::string_view> arg, CacheControl& cc,
               bool strict) {
  if (slot) return;
  std::optional<Duration> value = arg ? parse_delta_seconds(*arg) : std::nullopt;
  if (value)
    slot = value;
  else if (strict)
    cc.invalid_freshness = true;
}

// no-cache="a, b" / private="a, b": the argument is a quoted list of field names (§5.2.2.4, §5.2.2.7).
// Returns false when the list is unusable (too long, or not field names), so the caller can fall back to
// the unqualified directive.
bool set_field_list(std::vector<std::string>& out, std::string_view arg) {
  ListReader names(arg);
  while (auto name = names.next()) {
    for (char c : *name)
      if (!(std::isalnum(static_cast<unsigned char>(c)) ||
            std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos))
        return false;
    if (out.size() >= max_qualified_fields) return false;
    out.push_back(lower(*name));
  }
  return !out.empty();
}

}  // namespace

std::optional<Duration> parse_delta_seconds(std::string_view text) noexcept {
  if (text.empty()) return std::nullopt;
  long long value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    if (value < delta_seconds_infinity.count()) value = value * 10 + (c - '0');
  }
  return Duration(std::min<long long>(value, delta_seconds_infinity.count()));
}

bool CacheControl::empty() const noexcept {
  return *this == CacheControl{};
}

void add_cache_control(CacheControl& cc, std::string_view value) {
  ListReader list(value);
  while (auto element = list.next()) {
    std::string_view name = *element;
    std::optional<std::string_view> raw_arg;
    if (auto eq = element->find('='); eq != std::string_view::npos) {
      name = trim(element->substr(0, eq));
      raw_arg = trim(element->substr(eq + 1));
    }
    // §5.2: the argument may be a token or a quoted-string; both mean the same.
    std::string unquoted;
    std::optional<std::string_view> arg = raw_arg;
    if (raw_arg && !raw_arg->empty() && raw_arg->front() == '"') {
      unquoted = unquote(*raw_arg);
      arg = unquoted;
    }
    // Dispatch on length first: one compare for most directives.
    switch (name.size()) {
      case 6:
        if (iequals(name, "public")) cc.public_ = true;
        break;
      case 7:
        if (iequals(name, "max-age")) {
          set_delta(cc.max_age, arg, cc, true);
        } else if (iequals(name, "private")) {
          // Qualified private lets a shared cache store the rest of the response (§5.2.2.7).
          if (!arg || !set_field_list(cc.private_fields, *arg)) cc.private_ = true;
        }
        break;
      case 8:
        if (iequals(name, "no-cache")) {
          if (!arg || !set_field_list(cc.no_cache_fields, *arg)) cc.no_cache = true;
        } else if (iequals(name, "no-store")) {
          cc.no_store = true;
        } else if (iequals(name, "s-maxage")) {
          set_delta(cc.s_maxage, arg, cc, true);
        }
        break;
      case 9:
        if (iequals(name, "max-stale")) {
          // §5.2.1.2: without a value any staleness is accepted; with a bad value, none (ignore it).
          if (!arg)
            cc.max_stale_any = true;
          else
            set_delta(cc.max_stale, arg, cc, false);
        } else if (iequals(name, "min-fresh")) {
          set_delta(cc.min_fresh, arg, cc, false);
        } else if (iequals(name, "immutable")) {
          cc.immutable = true;
        }
        break;
      case 12:
        if (iequals(name, "no-transform")) cc.no_transform = true;
        break;
      case 14:
        if (iequals(name, "only-if-cached"))
          cc.only_if_cached = true;
        else if (iequals(name, "stale-if-error"))
          set_delta(cc.stale_if_error, arg, cc, false);
        break;
      case 15:
        if (iequals(name, "must-revalidate"))
          cc.must_revalidate = true;
        else if (iequals(name, "must-understand"))
          cc.must_understand = true;
        break;
      case 16:
        if (iequals(name, "proxy-revalidate")) cc.proxy_revalidate = true;
        break;
      case 22:
        if (iequals(name, "stale-while-revalidate")) set_delta(cc.stale_while_revalidate, arg, cc, false);
        break;
      default:
        break;  // §5.2.3: unknown extensions are ignored
    }
  }
}

CacheControl parse_cache_control(FieldsView fields) {
  CacheControl cc;
  for (const FieldView& f : fields)
    if (f.name.size() == 13 && iequals(f.name, "cache-control")) add_cache_control(cc, f.value);
  return cc;
}

CacheControl parse_cache_control(const Fields& fields) {
  CacheControl cc;
  for (const Field& f : fields)
    if (f.name.size() == 13 && iequals(f.name, "cache-control")) add_cache_control(cc, f.value);
  return cc;
}

}  // namespace endhost::http::cache
