#include "mail/message/quoted_printable.hpp"

namespace endhost::mail::message {

namespace {

constexpr std::string_view kHex = "0123456789ABCDEF";
constexpr std::size_t kMaxLine = 76;  // RFC 2045 §6.7 rule 5, the "=" of a soft break included

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// One input line (no line end) encoded, with soft breaks.
void encode_line(std::string& out, std::string_view line) {
  std::size_t column = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    const bool last = i + 1 == line.size();
    const bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
    const std::size_t width = literal ? 1 : 3;
    // Room for this and, unless it ends the line, a soft break's "=".
    if (column + width > (last ? kMaxLine : kMaxLine - 1)) {
      out += "=\r\n";
      column = 0;
    }
    if (literal) {
      out += static_cast<char>(c);
    } else {
      out += '=';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
    column += width;
  }
}

}  // namespace

std::string qp_encode(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8 + 4);
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find_first_of("\r\n", start);
    if (end == text.npos) end = text.size();
    encode_line(out, text.substr(start, end - start));
    out += "\r\n";
    if (end < text.size() && text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') ++end;
    start = end + 1;
  }
  return out;
}

std::string qp_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    const bool has_end = end != text.npos;
    if (!has_end) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (line.ends_with('\r')) line.remove_suffix(1);
    // Rule 3: trailing whitespace was added in transport.
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    bool soft = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] != '=') {
        out += line[i];
        continue;
      }
      if (i + 1 == line.size()) {
        soft = true;
        break;
      }
      const int hi = i + 2 < line.size() ? hex_value(line[i + 1]) : -1;
      const int lo = i + 2 < line.size() ? hex_value(line[i + 2]) : -1;
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi << 4 | lo);
        i += 2;
      } else {
        out += '=';
      }
    }
    if (!has_end) break;
    if (!soft) out += "\r\n";
    start = end + 1;
  }
  return out;
}

}  // namespace endhost::mail::message
