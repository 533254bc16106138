#include "http/server/conditional.hpp"

#include "http/date.hpp"
#include "http/field_value.hpp"
#include "http/server/etag.hpp"

namespace endhost::web {

namespace {

enum class ListMatch { absent, match, no_match };

// Walks every line of an If-Match / If-None-Match list (a list may span several lines, RFC 9110 §5.3).
// Elements that are not entity-tags are skipped: a malformed tag matches nothing.
template <class Compare>
ListMatch match_list(http::FieldsView fields, std::string_view name, const Validators& v, Compare cmp) {
  bool present = false;
  EntityTag current;
  bool have_tag = false;
  for (const http::FieldView& f : fields) {
    if (!http::iequals(f.name, name)) continue;
    if (!present) have_tag = !v.etag.empty() && parse_entity_tag(v.etag, current);
    present = true;
    http::ListReader list(f.value);
    while (auto element = list.next()) {
      // "*" matches any current representation (§13.1.1, §13.1.2).
      if (*element == "*") {
        if (v.exists) return ListMatch::match;
        continue;
      }
      EntityTag tag;
      if (have_tag && v.exists && parse_entity_tag(*element, tag) && cmp(tag, current))
        return ListMatch::match;
    }
  }
  return present ? ListMatch::no_match : ListMatch::absent;
}

// One HTTP-date, or nullopt when the field is absent, repeated, or not a date (§13.1.3, §13.1.4: such a field
// is ignored).
std::optional<std::time_t> single_date(http::FieldsView fields, std::string_view name) {
  if (fields.count(name) != 1) return std::nullopt;
  return http::parse_http_date(*fields.get(name));
}

bool is_get_or_head(http::Method m) {
  return m == http::Method::get || m == http::Method::head;
}

// Whether any field could be a precondition ("If-…"): most requests have none, and then there is nothing
// to evaluate.
bool has_preconditions(http::FieldsView fields) {
  for (const http::FieldView& f : fields) {
    const std::string_view n = f.name;
    if (n.size() >= 8 && (n[0] | 0x20) == 'i' && (n[1] | 0x20) == 'f' && n[2] == '-') return true;
  }
  return false;
}

}  // namespace

ConditionalResult evaluate_conditionals(http::Method method, http::FieldsView fields, const Validators& v,
                                        std::time_t now) {
  ConditionalResult r;
  if (!has_preconditions(fields)) return r;
  // Step 1: If-Match, strong comparison (§13.1.1).
  const ListMatch if_match = match_list(fields, "if-match", v, strong_match);
  if (if_match == ListMatch::no_match) {
    r.outcome = Precondition::precondition_failed;
    return r;
  }
  // Step 2: If-Unmodified-Since, only without If-Match (§13.1.4).
  if (if_match == ListMatch::absent) {
    if (auto since = single_date(fields, "if-unmodified-since")) {
      if (!v.exists || !v.last_modified || *v.last_modified > *since) {
        r.outcome = Precondition::precondition_failed;
        return r;
      }
    }
  }
  // Step 3: If-None-Match, weak comparison (§13.1.2).
  const ListMatch if_none_match = match_list(fields, "if-none-match", v, weak_match);
  if (if_none_match == ListMatch::match) {
    r.outcome = is_get_or_head(method) ? Precondition::not_modified : Precondition::precondition_failed;
    return r;
  }
  // Step 4: If-Modified-Since, only without If-None-Match, only for GET and HEAD (§13.1.3).
  if (if_none_match == ListMatch::absent && is_get_or_head(method) && v.exists && v.last_modified) {
    if (auto since = single_date(fields, "if-modified-since")) {
      if (*since <= now && *v.last_modified <= *since) {
        r.outcome = Precondition::not_modified;
        return r;
      }
    }
  }
  // Step 5: If-Range (§13.1.5), for a GET with Range. A date must equal Last-Modified exactly; an entity-tag
  // must match strongly (a weak tag never does). Anything else means: send the whole representation.
  if (method == http::Method::get && fields.contains("range")) {
    if (auto if_range = fields.get("if-range")) {
      bool ok = false;
      EntityTag want, current;
      if (parse_entity_tag(*if_range, want)) {
        ok = !v.etag.empty() && parse_entity_tag(v.etag, current) && strong_match(want, current);
      } else if (auto date = http::parse_http_date(*if_range)) {
        ok = v.last_modified && *v.last_modified == *date;
      }
      r.range_allowed = ok && fields.count("if-range") == 1;
    }
  }
  return r;
}

}  // namespace endhost::web
