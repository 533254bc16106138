// Vary (RFC 9111 §4.1): the request fields a stored response depends on, and the secondary cache key made of
// the values those fields had in the request that fetched it. Two requests match when their normalised
// values are equal: field lines combined, whitespace around list commas removed (the transformations §4.1
// allows), and Accept-Language put in a canonical order and case; an absent field matches only an absent
// field.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "http/field_value.hpp"
#include "http/fields.hpp"

namespace endhost::http::cache {

// A Vary naming more fields than this is treated like "Vary: *": no real origin needs more, and the bound
// keeps the per-entry key small.
inline constexpr std::size_t max_vary_fields = 16;

struct VarySpec {
  bool star = false;               // "Vary: *" (or too many names): never matches (§4.1)
  std::vector<std::string> names;  // lower-case, duplicates removed, in first-seen order
  bool empty() const noexcept { return !star && names.empty(); }
  friend bool operator==(const VarySpec&, const VarySpec&) = default;
};

VarySpec parse_vary(FieldsView response_fields);
VarySpec parse_vary(const Fields& response_fields);

namespace detail {
void append_normalized(std::string& out, std::string_view value, bool& first);

// Accept-Language members gathered from every line, as views into the request (no allocation on a lookup).
struct LanguageList {
  std::array<std::string_view, 16> members;
  std::size_t size = 0;
  bool overflow = false;  // more members than fit: the plain normalisation is used instead
};
void collect_languages(LanguageList& list, std::string_view value);
// Appends the list in a canonical form: ranges lower-cased (RFC 4647 §2), weights written the same way
// ("q=1" and no weight are one), sorted by weight then range. false (nothing appended) when a member is not
// a language range with an optional weight: the caller falls back to the plain normalisation.
bool append_languages(std::string& out, const LanguageList& list);
// Whether the one range the list weights above all others (a tie, "*" or a bad member: no) matches the tag
// `content_language` by RFC 4647 §3.3.1 basic filtering ("de" matches "de" and "de-AT").
bool top_language_matches(const LanguageList& list, std::string_view content_language) noexcept;
}  // namespace detail

// The secondary key of a request for `spec`: "name:value\n" per nominated field, "\x01" for an absent one.
// Empty when the response has no Vary. `FieldRange` is Fields or FieldsView.
template <class FieldRange>
std::string secondary_key(const VarySpec& spec, const FieldRange& request_fields) {
  std::string key;
  for (const std::string& name : spec.names) {
    key += name;
    key += ':';
    bool present = false, first = true;
    if (name == "accept-language") {
      // §4.1 lets a cache normalise values it knows the semantics of: "en, de", "de, en" and "eN,De" are
      // one preference (equal weights), so they select one stored variant.
      detail::LanguageList langs;
      for (const auto& f : request_fields)
        if (iequals(f.name, name)) present = true, detail::collect_languages(langs, f.value);
      if (present && !langs.overflow && detail::append_languages(key, langs)) {
        key += '\n';
        continue;
      }
    }
    for (const auto& f : request_fields) {
      if (!iequals(f.name, name)) continue;
      present = true;
      detail::append_normalized(key, f.value, first);
    }
    if (!present) key += '\x01';
    key += '\n';
  }
  return key;
}

// The Accept-Language members of every line of a request, gathered once (views into the request).
template <class FieldRange>
detail::LanguageList request_languages(const FieldRange& request_fields) {
  detail::LanguageList langs;
  for (const auto& f : request_fields)
    if (iequals(f.name, "accept-language")) detail::collect_languages(langs, f.value);
  return langs;
}

// §4.1 with the semantics of Accept-Language (RFC 9110 §12.5.4), for a stored response that varies on it
// alone and whose secondary key does not match: it is still what the origin would send when it is in the one
// language this request prefers most, since the origin has that language and chose it for someone. So
// "fr;q=0.5, de" reuses the "de" response that "en, de" got. `FieldRange` is Fields or FieldsView.
template <class FieldRange>
bool language_selects(const FieldRange& request_fields, std::string_view content_language) {
  return detail::top_language_matches(request_languages(request_fields), content_language);
}

}  // namespace endhost::http::cache
