#include "http/cache/validation.hpp"

#include "http/cache/hop_by_hop.hpp"
#include "http/date.hpp"
#include "http/field_value.hpp"

namespace endhost::http::cache {

namespace {

bool is_weak(std::string_view tag) noexcept {
  return tag.size() >= 2 && tag[0] == 'W' && tag[1] == '/';
}

// The opaque-tag, quotes included; "" when `tag` is not an entity-tag (RFC 9110 §8.8.3).
std::string_view opaque(std::string_view tag) noexcept {
  if (is_weak(tag)) tag.remove_prefix(2);
  if (tag.size() < 2 || tag.front() != '"' || tag.back() != '"') return {};
  return tag;
}

std::optional<Time> date_of(std::optional<std::string_view> value, Time now) {
  if (!value) return std::nullopt;
  auto t = parse_http_date(*value, to_time_t(now));
  if (!t) return std::nullopt;
  return from_time_t(*t);
}

}  // namespace

bool etag_strong_equal(std::string_view a, std::string_view b) noexcept {
  return !is_weak(a) && !is_weak(b) && !opaque(a).empty() && opaque(a) == opaque(b);
}

bool etag_weak_equal(std::string_view a, std::string_view b) noexcept {
  return !opaque(a).empty() && opaque(a) == opaque(b);
}

bool etag_list_matches(std::string_view list, std::string_view etag) noexcept {
  ListReader reader(list);
  while (auto element = reader.next()) {
    if (*element == "*") return true;
    if (etag_weak_equal(*element, etag)) return true;
  }
  return false;
}

bool add_validators(Fields& request, const Fields& stored) {
  // The client's own conditionals were about its copy, not ours (§4.3.1 says the cache sends its own).
  request.erase("if-none-match");
  request.erase("if-modified-since");
  request.erase("if-match");
  request.erase("if-unmodified-since");
  request.erase("if-range");
  bool any = false;
  if (auto etag = stored.get("etag"); etag && !opaque(*etag).empty()) {
    request.add("If-None-Match", *etag);
    any = true;
  }
  if (auto lm = stored.get("last-modified")) {
    request.add("If-Modified-Since", *lm);
    any = true;
  }
  return any;
}

bool not_modified_selects(const Fields& stored, FieldsView nm) {
  const auto stored_etag = stored.get("etag");
  if (auto etag = nm.get("etag")) {
    if (!stored_etag) return false;
    return is_weak(*etag) ? etag_weak_equal(*etag, *stored_etag) : etag_strong_equal(*etag, *stored_etag);
  }
  if (auto lm = nm.get("last-modified")) {
    auto stored_lm = stored.get("last-modified");
    if (!stored_lm) return false;
    auto a = parse_http_date(*lm), b = parse_http_date(*stored_lm);
    return a && b && *a == *b;
  }
  return true;
}

Fields freshen_fields(const Fields& stored, FieldsView nm) {
  const ConnectionOptions options(nm);
  // §3.2: everything but Content-Length and the fields the stored body depends upon: its coding, its range
  // and its digest (Content-MD5, RFC 1864) describe the stored bytes, which a 304 does not change.
  // Content-Type is metadata the origin may correct (a charset added), so it is updated.
  auto excluded = [&](std::string_view name) {
    return options.drop(name) || iequals(name, "content-length") || iequals(name, "content-encoding") ||
           iequals(name, "content-range") || iequals(name, "content-md5");
  };
  Fields out;
  // Stored fields the 304 does not replace keep their place; then the 304's lines, in its order.
  for (const Field& f : stored) {
    const bool replaced = !excluded(f.name) && nm.contains(f.name);
    if (!replaced) out.add(f.name, f.value);
  }
  for (const FieldView& f : nm)
    if (!excluded(f.name)) out.add(f.name, f.value);
  return out;
}

bool client_not_modified(FieldsView request, const Fields& stored, Time now) {
  // RFC 9110 §13.2.2: If-None-Match takes precedence; If-Modified-Since is ignored when it is present.
  std::optional<std::string_view> inm;
  for (const FieldView& f : request)
    if (iequals(f.name, "if-none-match")) {
      if (auto etag = stored.get("etag"); etag && etag_list_matches(f.value, *etag)) return true;
      inm = f.value;
    }
  if (inm) return false;
  auto ims = date_of(request.get("if-modified-since"), now);
  if (!ims) return false;  // RFC 9110 §13.1.3: an invalid date means the field is ignored
  // §4.3.2: compare with Last-Modified, else the Date of the stored response.
  auto validator = date_of(stored.get("last-modified"), now);
  if (!validator) validator = date_of(stored.get("date"), now);
  return validator && *validator <= *ims;
}

Fields not_modified_fields(const Fields& stored) {
  Fields out;
  for (const Field& f : stored) {
    if (iequals(f.name, "cache-control") || iequals(f.name, "content-location") || iequals(f.name, "date") ||
        iequals(f.name, "etag") || iequals(f.name, "expires") || iequals(f.name, "vary") ||
        iequals(f.name, "last-modified"))
      out.add(f.name, f.value);
  }
  return out;
}

}  // namespace endhost::http::cache
