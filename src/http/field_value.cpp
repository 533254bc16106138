#include "http/field_value.hpp"

#include "http/chars.hpp"

namespace endhost::http {

std::optional<std::string_view> ListReader::next() noexcept {
  while (!rest_.empty()) {
    std::size_t i = 0;
    bool quoted = false;
    for (; i < rest_.size(); ++i) {
      const char c = rest_[i];
      if (quoted) {
        if (c == '\\' && i + 1 < rest_.size())
          ++i;
        else if (c == '"')
          quoted = false;
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        break;
      }
    }
    std::string_view element = rest_.substr(0, i);
    rest_ = i < rest_.size() ? rest_.substr(i + 1) : std::string_view{};
    while (!element.empty() && chars::is_ows(element.front())) element.remove_prefix(1);
    while (!element.empty() && chars::is_ows(element.back())) element.remove_suffix(1);
    if (!element.empty()) return element;
  }
  return std::nullopt;
}

bool list_contains_token(std::string_view value, std::string_view token) noexcept {
  ListReader list(value);
  while (auto element = list.next())
    if (iequals(*element, token)) return true;
  return false;
}

bool fields_contain_token(FieldsView fields, std::string_view name, std::string_view token) noexcept {
  for (const FieldView& f : fields)
    if (iequals(f.name, name) && list_contains_token(f.value, token)) return true;
  return false;
}

std::string unquote(std::string_view value) {
  if (value.size() < 2 || value.front() != '"' || value.back() != '"') return std::string(value);
  std::string out;
  value = value.substr(1, value.size() - 2);
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size()) ++i;
    out += value[i];
  }
  return out;
}

Expected<std::optional<std::uint64_t>, Errc> content_length(FieldsView fields) noexcept {
  std::optional<std::uint64_t> result;
  for (const FieldView& f : fields) {
    if (!iequals(f.name, "content-length")) continue;
    // Split on commas by hand, not with ListReader: an empty element here is an error, not something to skip,
    // because a front end that reads `5,` differently from us is exactly how smuggling starts.
    std::string_view rest = f.value;
    while (true) {
      const std::size_t comma = rest.find(',');
      std::string_view element = rest.substr(0, comma);
      while (!element.empty() && chars::is_ows(element.front())) element.remove_prefix(1);
      while (!element.empty() && chars::is_ows(element.back())) element.remove_suffix(1);
      if (element.empty() || element.size() > 18) return Unexpected(Errc::bad_content_length);
      std::uint64_t n = 0;
      for (char c : element) {
        if (!chars::is_digit(c)) return Unexpected(Errc::bad_content_length);
        n = n * 10 + static_cast<std::uint64_t>(c - '0');  // 18 digits cannot overflow 64 bits
      }
      if (result && *result != n) return Unexpected(Errc::bad_content_length);
      result = n;
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
  }
  return result;
}

TransferCodings transfer_codings(FieldsView fields) noexcept {
  TransferCodings tc;
  bool seen_chunked = false;
  for (const FieldView& f : fields) {
    if (!iequals(f.name, "transfer-encoding")) continue;
    tc.present = true;
    ListReader list(f.value);
    bool line_has_coding = false;
    while (auto coding = list.next()) {
      line_has_coding = true;
      if (seen_chunked) tc.chunked_not_last = true;
      // Only the bare token `chunked` counts: `chunked;x=1` or `"chunked"` is some other coding, so a
      // front end and we can never disagree about whether the body is chunked.
      const bool is_chunked = iequals(*coding, "chunked");
      if (is_chunked) {
        if (seen_chunked) tc.chunked_twice = true;
        seen_chunked = true;
      } else {
        tc.other_codings = true;
      }
      tc.chunked_final = is_chunked;
    }
    if (!line_has_coding) tc.empty = true;
  }
  return tc;
}

}  // namespace endhost::http
