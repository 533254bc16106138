#include "http/head_scan.hpp"

#include <cstdint>
#include <cstring>

#include "http/chars.hpp"

namespace endhost::http::detail {

Expected<std::size_t, Errc> BlockScanner::scan(std::string_view buf, const BlockScanLimits& limits) noexcept {
  const char* const base = buf.data();
  while (pos < buf.size()) {
    const void* hit = std::memchr(base + pos, '\n', buf.size() - pos);
    if (hit == nullptr) {
      pos = buf.size();
      break;
    }
    const std::size_t lf = static_cast<std::size_t>(static_cast<const char*>(hit) - base);
    pos = lf + 1;
    // RFC 9112 §2.2 lets a recipient accept a bare LF as a line end. We do not: a front end that splits lines
    // differently from us is how request smuggling works (docs/internals/http.md).
    if (lf == line_start || base[lf - 1] != '\r') return Unexpected(Errc::bare_lf);
    const std::size_t line_length = lf - 1 - line_start;
    if (in_first_line) {
      if (line_length == 0 && limits.skip_leading_empty_lines) {
        // RFC 9112 §2.2: a server SHOULD ignore empty lines before the request-line.
        line_start = first_line = pos;
        continue;
      }
      if (line_length > limits.max_first_line) return Unexpected(Errc::start_line_too_long);
      if (line_length == 0) return Unexpected(Errc::bad_request_line);
      in_first_line = false;
    } else if (line_length == 0) {
      if (pos > limits.max_total) return Unexpected(limits.total_error);
      return pos;
    }
    if (pos > limits.max_total) return Unexpected(limits.total_error);
    line_start = pos;
  }
  // Incomplete: fail now if no completion could fit the limits, rather than buffering up to them again.
  if (in_first_line) {
    std::size_t partial = buf.size() - line_start;
    if (partial > 0 && buf.back() == '\r') --partial;
    if (partial > limits.max_first_line) return Unexpected(Errc::start_line_too_long);
  }
  if (buf.size() >= limits.max_total) return Unexpected(limits.total_error);
  return std::size_t{0};
}

namespace {

// Skips bytes allowed in a field value and returns the first other one (the line's CR at the latest). Values
// are most of a head's bytes, so eight at a time are checked for a CTL or DEL first (SWAR "has less than"
// and "has zero"); a word with a suspect byte, such as an HTAB, falls back to the exact table.
const char* skip_value_bytes(const char* p, const char* end) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101, highs = 0x8080808080808080;
  while (end - p >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    const std::uint64_t ctl = (w - ones * 0x20) & ~w & highs;
    const std::uint64_t x = w ^ (ones * 0x7f);
    const std::uint64_t del = (x - ones) & ~x & highs;
    if ((ctl | del) != 0) break;
    p += 8;
  }
  while (chars::field_value[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

}  // namespace

Expected<std::size_t, Errc> parse_field_lines(std::string_view block, FieldView* out, std::size_t capacity,
                                              Errc too_many) noexcept {
  const char* p = block.data();
  const char* const end = p + block.size();
  std::size_t count = 0;
  while (true) {
    if (p[0] == '\r') return count;  // the empty line; scan_block guaranteed CRLF
    // A line that starts with whitespace is obs-fold, or whitespace before the first field: RFC 9112 §5.2 and
    // §2.2 allow rejecting both, and a folded line is a classic way to hide a field from one of two parsers.
    if (chars::is_ows(p[0])) return Unexpected(Errc::obs_fold);
    const char* name_begin = p;
    while (chars::is_tchar(*p)) ++p;
    if (*p != ':') {
      // RFC 9112 §5.1: no whitespace is allowed between the field name and colon; a server MUST reject it.
      if (chars::is_ows(*p)) return Unexpected(Errc::space_before_colon);
      return Unexpected(Errc::bad_field_name);
    }
    if (p == name_begin) return Unexpected(Errc::bad_field_name);
    const std::string_view name(name_begin, static_cast<std::size_t>(p - name_begin));
    ++p;
    while (chars::is_ows(*p)) ++p;
    const char* value_begin = p;
    p = skip_value_bytes(p, end);
    if (*p != '\r' || p + 1 >= end || p[1] != '\n')
      return Unexpected(*p == '\r' ? Errc::bare_cr : Errc::bad_field_value);
    const char* value_end = p;
    while (value_end > value_begin && chars::is_ows(value_end[-1])) --value_end;
    if (count == capacity) return Unexpected(too_many);
    out[count++] =
        FieldView{name, std::string_view(value_begin, static_cast<std::size_t>(value_end - value_begin))};
    p += 2;
  }
}

bool valid_host(std::string_view host, bool require_port) noexcept {
  std::string_view name = host;
  std::string_view port;
  bool has_port = false;
  if (!host.empty() && host.front() == '[') {  // IP-literal (RFC 3986 §3.2.2)
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : host.substr(1, close - 1))
      if (!(chars::hex_value(c) >= 0 || c == ':' || c == '.' || c == 'v' || c == 'V')) return false;
    const std::string_view rest = host.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    has_port = !rest.empty();
    if (has_port) port = rest.substr(1);
  } else {
    const std::size_t colon = host.find(':');
    name = host.substr(0, colon);
    for (std::size_t i = 0; i < name.size(); ++i) {
      const char c = name[i];
      if (!chars::host[static_cast<unsigned char>(c)] || c == '[' || c == ']' || c == ':') return false;
      // RFC 3986 §3.2.2 lets a reg-name carry pct-encoded octets; a name that decodes to CR, LF or any byte
      // outside a host name ("localhost%0d%0aX-Injected:1") would be one thing to us and another to the
      // next hop, so only encoded letters, digits, '-', '.', '_' and '~' pass.
      if (c == '%') {
        if (i + 2 >= name.size()) return false;
        const int hi = chars::hex_value(name[i + 1]), lo = chars::hex_value(name[i + 2]);
        if (hi < 0 || lo < 0) return false;
        const char d = static_cast<char>(hi * 16 + lo);
        const bool plain = (d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') || chars::is_digit(d) ||
                           d == '-' || d == '.' || d == '_' || d == '~';
        if (!plain) return false;
        i += 2;
      }
    }
    has_port = colon != std::string_view::npos;
    if (has_port) port = host.substr(colon + 1);
  }
  // port = *DIGIT (RFC 3986 §3.2.3) may be empty in Host, but CONNECT needs a real one (RFC 9112 §3.2.3).
  if (require_port && (name.empty() || !has_port || port.empty())) return false;
  if (port.size() > 5) return false;
  for (char c : port)
    if (!chars::is_digit(c)) return false;
  return true;
}

}  // namespace endhost::http::detail
