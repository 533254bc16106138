#include "http/cache/vary.hpp"

#include <algorithm>
#include <cctype>

namespace endhost::http::cache {

namespace {

template <class FieldRange>
VarySpec parse(const FieldRange& fields) {
  VarySpec spec;
  for (const auto& f : fields) {
    if (!iequals(f.name, "vary")) continue;
    ListReader list(f.value);
    while (auto element = list.next()) {
      if (*element == "*") {
        spec.star = true;
        continue;
      }
      std::string name(*element);
      for (char& c : name)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (std::find(spec.names.begin(), spec.names.end(), name) != spec.names.end()) continue;
      if (spec.names.size() >= max_vary_fields)
        spec.star = true;
      else
        spec.names.push_back(std::move(name));
    }
  }
  return spec;
}

}  // namespace

VarySpec parse_vary(FieldsView response_fields) {
  return parse(response_fields);
}

VarySpec parse_vary(const Fields& response_fields) {
  return parse(response_fields);
}

void detail::append_normalized(std::string& out, std::string_view value, bool& first) {
  // §4.1: combining field lines and removing whitespace where the syntax allows both mean the same request.
  ListReader list(value);
  while (auto element = list.next()) {
    if (!first) out += ',';
    first = false;
    out += *element;
  }
}

void detail::collect_languages(LanguageList& list, std::string_view value) {
  ListReader reader(value);
  while (auto element = reader.next()) {
    if (list.size == list.members.size()) {
      list.overflow = true;
      return;
    }
    list.members[list.size++] = *element;
  }
}

namespace {

char lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths.
int parse_weight(std::string_view q) noexcept {
  if (q.empty() || (q[0] != '0' && q[0] != '1')) return -1;
  int value = (q[0] - '0') * 1000;
  if (q.size() == 1) return value;
  if (q[1] != '.' || q.size() > 5) return -1;
  int scale = 100;
  for (char c : q.substr(2)) {
    if (c < '0' || c > '9') return -1;
    value += (c - '0') * scale;
    scale /= 10;
  }
  return value > 1000 ? -1 : value;
}

struct Language {
  std::string_view range;
  int weight = 1000;
};

bool range_less(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i)
    if (lower(a[i]) != lower(b[i])) return lower(a[i]) < lower(b[i]);
  return a.size() < b.size();
}

// One Accept-Language member: a language range with an optional weight. false when it is neither.
bool parse_language(std::string_view member, Language& l) noexcept {
  const auto semi = member.find(';');
  l.range = trim(member.substr(0, semi));
  if (l.range.empty()) return false;
  for (char c : l.range)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '*')) return false;
  if (semi != std::string_view::npos) {
    // Only a weight is defined (§12.5.4): "q=0.5", with optional whitespace around ';'.
    std::string_view param = trim(member.substr(semi + 1));
    if (param.size() < 2 || lower(param[0]) != 'q' || param[1] != '=') return false;
    l.weight = parse_weight(param.substr(2));
    if (l.weight < 0) return false;
  }
  return true;
}

}  // namespace

bool detail::top_language_matches(const LanguageList& list, std::string_view content_language) noexcept {
  const std::string_view tag = trim(content_language);
  if (tag.empty()) return false;
  for (char c : tag)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) return false;  // one tag, not a list
  if (list.overflow || list.size == 0) return false;
  Language top;
  bool tie = false;
  for (std::size_t i = 0; i < list.size; ++i) {
    Language l;
    if (!parse_language(list.members[i], l)) return false;
    if (i == 0 || l.weight > top.weight) {
      top = l;
      tie = false;
    } else if (l.weight == top.weight) {
      tie = true;
    }
  }
  // One range the client prefers to every other, and not "*" (which says nothing about which language).
  if (tie || top.weight == 0 || top.range == "*") return false;
  // RFC 4647 §3.3.1 basic filtering: the range is the tag, or a prefix of it ending at a '-'.
  if (iequals(top.range, tag)) return true;
  return tag.size() > top.range.size() && tag[top.range.size()] == '-' &&
         iequals(tag.substr(0, top.range.size()), top.range);
}

bool detail::append_languages(std::string& out, const LanguageList& list) {
  std::array<Language, 16> langs;
  for (std::size_t i = 0; i < list.size; ++i)
    if (!parse_language(list.members[i], langs[i])) return false;
  std::sort(langs.begin(), langs.begin() + static_cast<std::ptrdiff_t>(list.size),
            [](const Language& a, const Language& b) {
              if (a.weight != b.weight) return a.weight > b.weight;
              return range_less(a.range, b.range);
            });
  for (std::size_t i = 0; i < list.size; ++i) {
    if (i > 0) out += ',';
    for (char c : langs[i].range) out += lower(c);
    if (langs[i].weight != 1000) {
      out += ";q=0.";
      const int w = langs[i].weight;
      out += static_cast<char>('0' + w / 100);
      out += static_cast<char>('0' + w / 10 % 10);
      out += static_cast<char>('0' + w % 10);
    }
  }
  return true;
}

}  // namespace endhost::http::cache
