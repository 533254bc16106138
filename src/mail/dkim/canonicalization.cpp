#include "mail/dkim/canonicalization.hpp"

namespace endhost::mail::dkim {

namespace {

bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}
// ftext (RFC 5322 §3.6.8): printable US-ASCII but ':'.
bool is_ftext(char c) {
  return c >= 33 && c <= 126 && c != ':';
}

// The end of the line starting at `i`: the index just past its CRLF, or the message's end.
std::size_t line_end(std::string_view m, std::size_t i) {
  const std::size_t lf = m.find('\n', i);
  return lf == std::string_view::npos ? m.size() : lf + 1;
}

}  // namespace

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

Expected<SplitMessage, std::string> split_message(std::string_view m) {
  SplitMessage out;
  std::size_t i = 0;
  while (i < m.size()) {
    // The empty line ends the header section (RFC 5322 §2.1).
    if (m.substr(i, 2) == "\r\n" || m[i] == '\n') {
      i += m[i] == '\n' ? 1 : 2;
      out.body = m.substr(i);
      return out;
    }
    if (is_wsp(m[i])) return Unexpected(std::string("a header continuation line with no field before it"));
    std::size_t colon = i;
    while (colon < m.size() && is_ftext(m[colon])) ++colon;
    if (colon == i || colon >= m.size() || m[colon] != ':') {
      // WSP before the colon is obsolete syntax (RFC 5322 §4.5.8) that some software still writes.
      std::size_t j = colon;
      while (j < m.size() && is_wsp(m[j])) ++j;
      if (colon == i || j >= m.size() || m[j] != ':')
        return Unexpected("a header line that is not a field at offset " + std::to_string(i));
    }
    std::size_t end = line_end(m, i);
    while (end < m.size() && is_wsp(m[end])) end = line_end(m, end);
    if (out.headers.size() == kMaxHeaderFields)
      return Unexpected("more than " + std::to_string(kMaxHeaderFields) + " header fields");
    HeaderField f;
    f.name = m.substr(i, colon - i);
    while (!f.name.empty() && is_wsp(f.name.back())) f.name.remove_suffix(1);
    f.raw = m.substr(i, end - i);
    const std::size_t value_start = m.find(':', colon) + 1;
    std::size_t value_end = end;
    if (value_end > value_start && m[value_end - 1] == '\n') --value_end;
    if (value_end > value_start && m[value_end - 1] == '\r') --value_end;
    f.value = m.substr(value_start, value_end - value_start);
    out.headers.push_back(f);
    i = end;
  }
  return out;  // headers only, no body
}

std::string canonicalize_header(Canon canon, const HeaderField& field) {
  if (canon == Canon::Simple) {
    std::string raw(field.raw);
    if (raw.empty() || raw.back() != '\n') raw += "\r\n";
    return raw;
  }
  std::string out = ascii_lower(field.name);
  out += ':';
  bool pending_space = false, started = false;
  for (char c : field.value) {
    if (c == '\r' || c == '\n') continue;  // unfold (§3.4.2)
    if (is_wsp(c)) {
      pending_space = true;
      continue;
    }
    // WSP right after the colon is deleted, so a space is only ever put between two value characters.
    if (pending_space && started) out += ' ';
    pending_space = false;
    started = true;
    out += c;
  }
  out += "\r\n";
  return out;
}

std::string canonicalize_header(Canon canon, std::string_view raw_field) {
  auto split = split_message(raw_field);
  if (!split || split->headers.empty()) return std::string(raw_field);
  return canonicalize_header(canon, split->headers.front());
}

std::string canonicalize_body(Canon canon, std::string_view body) {
  std::string out;
  out.reserve(body.size() + 2);
  std::size_t i = 0;
  while (i < body.size()) {
    std::size_t end = body.find('\n', i);
    const bool terminated = end != std::string_view::npos;
    std::string_view line = body.substr(i, terminated ? end - i : std::string_view::npos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    i = terminated ? end + 1 : body.size();
    if (canon == Canon::Simple) {
      out += line;
    } else {
      bool pending_space = false;
      for (char c : line) {
        if (is_wsp(c)) {
          pending_space = true;
          continue;
        }
        if (pending_space) out += ' ';
        pending_space = false;
        out += c;
      }
      // WSP at the line's end is dropped: pending_space is simply not written.
    }
    out += "\r\n";
  }
  // Empty lines at the end of the body are ignored (§3.4.3, §3.4.4).
  while (out.size() >= 4 && out.compare(out.size() - 4, 4, "\r\n\r\n") == 0) out.resize(out.size() - 2);
  if (out == "\r\n") out.clear();
  if (canon == Canon::Simple && out.empty()) out = "\r\n";
  return out;
}

std::string normalize_line_ends(std::string_view m) {
  std::string out;
  out.reserve(m.size() + m.size() / 32);
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (m[i] == '\n' && (i == 0 || m[i - 1] != '\r')) out += '\r';
    out += m[i];
  }
  return out;
}

}  // namespace endhost::mail::dkim
