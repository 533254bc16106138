#include "mail/dkim/tag_list.hpp"

namespace endhost::mail::dkim {

namespace {

bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}
bool is_alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
// VALCHAR (§3.2): the printable ASCII characters but ';'.
bool is_valchar(char c) {
  return (c >= 0x21 && c <= 0x3a) || (c >= 0x3c && c <= 0x7e);
}

// Skips FWS from `i`: WSP, or CRLF followed by WSP (RFC 5322 §3.2.2 as DKIM uses it). False for a CR or LF
// that does not fold.
bool skip_fws(std::string_view t, std::size_t& i) {
  while (i < t.size()) {
    if (is_wsp(t[i])) {
      ++i;
    } else if (t[i] == '\r' || t[i] == '\n') {
      std::size_t j = i;
      if (t[j] == '\r') {
        ++j;
        if (j >= t.size() || t[j] != '\n') return false;
      }
      ++j;  // past LF (a bare LF is accepted: messages read with LF line ends)
      if (j >= t.size() || !is_wsp(t[j])) return false;
      i = j;
    } else {
      break;
    }
  }
  return true;
}

std::string at(std::size_t i) {
  return " at offset " + std::to_string(i);
}

}  // namespace

Expected<std::vector<Tag>, std::string> parse_tag_list(std::string_view t) {
  std::vector<Tag> tags;
  std::size_t i = 0;
  while (true) {
    if (!skip_fws(t, i)) return Unexpected("a line break that does not fold" + at(i));
    if (i >= t.size()) {
      // An empty list, or a trailing ';' (allowed by the grammar's [ ";" ]).
      break;
    }
    const std::size_t name_start = i;
    if (!is_alpha(t[i])) return Unexpected("a tag name must begin with a letter" + at(i));
    while (i < t.size() && (is_alpha(t[i]) || is_digit(t[i]) || t[i] == '_')) ++i;
    const std::string_view name = t.substr(name_start, i - name_start);
    if (!skip_fws(t, i)) return Unexpected("a line break that does not fold" + at(i));
    if (i >= t.size() || t[i] != '=') return Unexpected("tag " + std::string(name) + " has no '='" + at(i));
    ++i;
    if (!skip_fws(t, i)) return Unexpected("a line break that does not fold" + at(i));
    const std::size_t value_start = i;
    std::size_t value_end = i;
    while (i < t.size() && t[i] != ';') {
      if (is_valchar(t[i])) {
        ++i;
        value_end = i;
      } else if (is_wsp(t[i]) || t[i] == '\r' || t[i] == '\n') {
        if (!skip_fws(t, i)) return Unexpected("a line break that does not fold" + at(i));
      } else {
        return Unexpected("tag " + std::string(name) + " has a character outside VALCHAR" + at(i));
      }
    }
    for (const Tag& seen : tags)
      if (seen.name == name) return Unexpected("tag " + std::string(name) + " appears twice");
    if (tags.size() == kMaxTags) return Unexpected("more than " + std::to_string(kMaxTags) + " tags");
    tags.push_back(Tag{name, t.substr(value_start, value_end - value_start)});
    if (i >= t.size()) break;
    ++i;  // ';'
  }
  return tags;
}

std::optional<std::string_view> find_tag(const std::vector<Tag>& tags, std::string_view name) {
  for (const Tag& tag : tags)
    if (tag.name == name) return tag.value;
  return std::nullopt;
}

std::string strip_fws(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out += c;
  return out;
}

}  // namespace endhost::mail::dkim
