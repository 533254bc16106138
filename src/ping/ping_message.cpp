#include "ping/ping_message.hpp"

#include <charconv>

namespace endhost::ping {

namespace {

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

template <class Int>
bool parse_int(std::string_view s, Int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::string format_message(const Message& m) {
  std::string out = m.kind == Kind::Ping ? "Ping " : "Heartbeat ";
  out += std::to_string(m.seq);
  out += ' ';
  std::int64_t secs = m.sent_unix_micros / 1'000'000;
  std::int64_t micros = m.sent_unix_micros % 1'000'000;
  out += std::to_string(secs);
  out += '.';
  std::string frac = std::to_string(micros);
  out.append(6 - frac.size(), '0');
  out += frac;
  return out;
}

Expected<Message, std::string> parse_message(std::string_view text) {
  if (text.size() > kMaxMessage) return Unexpected(std::string("message longer than 512 bytes"));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  auto sp1 = text.find(' ');
  auto sp2 = sp1 == std::string_view::npos ? sp1 : text.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || text.find(' ', sp2 + 1) != std::string_view::npos) {
    return Unexpected(std::string("expected three words: Ping <seq> <time>"));
  }
  Message m;
  auto word = text.substr(0, sp1);
  if (equals_ignore_case(word, "ping")) {
    m.kind = Kind::Ping;
  } else if (equals_ignore_case(word, "heartbeat")) {
    m.kind = Kind::Heartbeat;
  } else {
    return Unexpected("unknown message type '" + std::string(word) + "'");
  }
  if (!parse_int(text.substr(sp1 + 1, sp2 - sp1 - 1), m.seq)) {
    return Unexpected(std::string("the sequence number is not a non-negative integer"));
  }
  auto time = text.substr(sp2 + 1);
  auto dot = time.find('.');
  std::int64_t secs = 0;
  std::int64_t micros = 0;
  if (!parse_int(time.substr(0, dot), secs) || secs < 0 || secs > 100'000'000'000) {
    return Unexpected(std::string("the time is not Unix seconds"));
  }
  if (dot != std::string_view::npos) {
    auto frac = time.substr(dot + 1);
    if (frac.empty() || frac.size() > 9) return Unexpected(std::string("the time has a bad fraction"));
    std::int64_t f = 0;
    if (!parse_int(frac, f) || f < 0) return Unexpected(std::string("the time has a bad fraction"));
    // Scale to microseconds whatever the number of digits.
    for (std::size_t i = frac.size(); i < 6; ++i) f *= 10;
    for (std::size_t i = 6; i < frac.size(); ++i) f /= 10;
    micros = f;
  }
  m.sent_unix_micros = secs * 1'000'000 + micros;
  return m;
}

}  // namespace endhost::ping
