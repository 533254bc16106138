#include "http/cache/targeted.hpp"

#include <algorithm>

#include "http/cache/structured_field.hpp"
#include "http/cache/surrogate_control.hpp"
#include "http/cache/time.hpp"

namespace endhost::http::cache {

namespace {

std::optional<Duration> seconds(const SfItem& item) {
  if (item.kind != SfItem::Kind::integer || item.integer < 0) return std::nullopt;
  return Duration(std::min<std::int64_t>(item.integer, delta_seconds_infinity.count()));
}

bool flag(const SfItem& item) {
  return item.kind == SfItem::Kind::boolean && item.boolean;
}

template <class FieldRange>
std::optional<CacheControl> find_targeted(const FieldRange& fields, const std::vector<std::string>& names,
                                          std::string_view surrogate_token) {
  for (const std::string& name : names) {
    std::string combined;
    bool present = false;
    for (const auto& f : fields) {
      if (!iequals(f.name, name)) continue;
      if (present) combined += ", ";
      combined += f.value;
      present = true;
    }
    if (!present) continue;
    if (name != "surrogate-control") {
      if (auto cc = parse_targeted_cache_control(combined)) return cc;
      continue;
    }
    // Surrogate-Control predates Structured Fields: its own grammar, and directives aimed by device token.
    auto cc = parse_surrogate_control(combined, surrogate_token);
    if (!cc) continue;
    // Origins wrote it for CDNs that still honour Cache-Control's `private` (Fastly) and never share a
    // Set-Cookie (Varnish passes such responses): it sets how long a response is kept, not whose it is. So
    // `private` still forbids storing, `private="…"` still drops those fields, and a cookie is not kept for
    // the next client unless Cache-Control says `public`.
    const CacheControl plain = parse_cache_control(fields);
    cc->private_ = plain.private_;
    cc->private_fields = plain.private_fields;
    if (!plain.public_ && fields.contains("set-cookie") &&
        std::find(cc->private_fields.begin(), cc->private_fields.end(), "set-cookie") ==
            cc->private_fields.end())
      cc->private_fields.push_back("set-cookie");
    return cc;
  }
  return std::nullopt;
}

template <class FieldRange>
CacheControl choose(const FieldRange& fields, const std::vector<std::string>& names,
                    std::string_view surrogate_token, bool* targeted) {
  auto t = names.empty() ? std::nullopt : find_targeted(fields, names, surrogate_token);
  if (targeted) *targeted = t.has_value();
  return t ? std::move(*t) : parse_cache_control(fields);
}

}  // namespace

std::optional<CacheControl> parse_targeted_cache_control(std::string_view value) {
  auto members = parse_sf_dictionary(value);
  if (!members) return std::nullopt;
  CacheControl cc;
  for (const SfMember& m : *members) {
    const std::string& k = m.key;
    const SfItem& v = m.value;
    // §2.2: the directives of RFC 9111 §5.2.2 (and RFC 5861, RFC 8246), with Structured Field types.
    if (k == "max-age")
      cc.max_age = seconds(v);
    else if (k == "s-maxage")
      cc.s_maxage = seconds(v);
    else if (k == "stale-while-revalidate")
      cc.stale_while_revalidate = seconds(v);
    else if (k == "stale-if-error")
      cc.stale_if_error = seconds(v);
    else if (k == "no-cache")
      cc.no_cache = v.kind != SfItem::Kind::boolean || v.boolean;
    else if (k == "private")
      cc.private_ = v.kind != SfItem::Kind::boolean || v.boolean;
    else if (k == "no-store")
      cc.no_store = flag(v);
    else if (k == "public")
      cc.public_ = flag(v);
    else if (k == "must-revalidate")
      cc.must_revalidate = flag(v);
    else if (k == "proxy-revalidate")
      cc.proxy_revalidate = flag(v);
    else if (k == "must-understand")
      cc.must_understand = flag(v);
    else if (k == "no-transform")
      cc.no_transform = flag(v);
    else if (k == "immutable")
      cc.immutable = flag(v);
    // Anything else is an extension this cache does not know: ignored (RFC 9111 §5.2.3).
  }
  return cc;
}

std::optional<CacheControl> targeted_cache_control(const Fields& fields,
                                                   const std::vector<std::string>& names,
                                                   std::string_view surrogate_token) {
  return find_targeted(fields, names, surrogate_token);
}

std::optional<CacheControl> targeted_cache_control(FieldsView fields, const std::vector<std::string>& names,
                                                   std::string_view surrogate_token) {
  return find_targeted(fields, names, surrogate_token);
}

CacheControl response_cache_control(const Fields& fields, const std::vector<std::string>& names,
                                    std::string_view surrogate_token, bool* targeted) {
  return choose(fields, names, surrogate_token, targeted);
}

CacheControl response_cache_control(FieldsView fields, const std::vector<std::string>& names,
                                    std::string_view surrogate_token, bool* targeted) {
  return choose(fields, names, surrogate_token, targeted);
}

}  // namespace endhost::http::cache
