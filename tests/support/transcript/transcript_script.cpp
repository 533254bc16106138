#include "transcript_script.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace endhost::test {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Expected<std::string, std::string> unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '{' && text.substr(i, 2) == "{{") {
      const std::size_t close = text.find("}}", i + 2);
      const std::size_t star = text.find('*', i + 2);
      if (close == std::string_view::npos || star == std::string_view::npos || star > close) {
        return Unexpected(std::string("{{ without N*TEXT}}"));
      }
      std::size_t count = 0;
      const auto [end, ec] = std::from_chars(text.data() + i + 2, text.data() + star, count);
      if (ec != std::errc() || end != text.data() + star)
        return Unexpected(std::string("bad count in {{N*TEXT}}"));
      auto piece = unescape(text.substr(star + 1, close - star - 1));
      if (!piece) return piece;
      for (std::size_t k = 0; k < count; ++k) out += *piece;
      i = close + 1;
      continue;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i == text.size()) return Unexpected(std::string("a lone \\ at the end"));
    switch (text[i]) {
      case 'r':
        out += '\r';
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case '\\':
        out += '\\';
        break;
      case 'x': {
        const int hi = i + 1 < text.size() ? hex_digit(text[i + 1]) : -1;
        const int lo = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
        if (hi < 0 || lo < 0) return Unexpected(std::string("\\x needs two hex digits"));
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        break;
      }
      default:
        return Unexpected("unknown escape \\" + std::string(1, text[i]));
    }
  }
  return out;
}

}  // namespace

Expected<TranscriptScript, std::string> parse_transcript(std::string_view text, std::string name) {
  TranscriptScript script;
  script.name = std::move(name);
  std::string eol = "\r\n";
  int number = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // the file's own line ends
    if (line.empty() || line[0] == '#') continue;
    auto fail = [&](const std::string& what) -> Expected<TranscriptScript, std::string> {
      return Unexpected(script.name + ":" + std::to_string(number) + ": " + what);
    };
    TranscriptStep step;
    step.line = number;
    step.source = std::string(line);
    if (line[0] == '!') {
      std::string_view directive = line.substr(1);
      while (!directive.empty() && directive[0] == ' ') directive.remove_prefix(1);
      if (directive == "eol crlf") {
        eol = "\r\n";
      } else if (directive == "eol lf") {
        eol = "\n";
      } else if (directive == "eol none") {
        eol.clear();
      } else if (directive == "datagram") {
        script.datagram = true;
        eol.clear();
      } else if (directive == "whole reads") {
        script.whole_reads = true;
      } else if (directive == "eof") {
        step.kind = TranscriptStep::Kind::Eof;
        script.steps.push_back(std::move(step));
      } else if (directive == "closed") {
        step.kind = TranscriptStep::Kind::Closed;
        script.steps.push_back(std::move(step));
      } else if (directive.substr(0, 8) == "advance ") {
        long ms = 0;
        const std::string_view n = directive.substr(8);
        const auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), ms);
        if (ec != std::errc() || p != n.data() + n.size() || ms < 0)
          return fail("`! advance` takes milliseconds");
        step.kind = TranscriptStep::Kind::Advance;
        step.delay = std::chrono::milliseconds(ms);
        script.steps.push_back(std::move(step));
      } else {
        return fail("unknown directive `" + std::string(directive) + "`");
      }
      continue;
    }
    if (line.substr(0, 2) == "N:") {
      auto note = unescape(line.size() > 3 ? line.substr(3) : std::string_view());
      if (!note) return fail(note.error());
      step.kind = TranscriptStep::Kind::Note;
      step.bytes = std::move(*note);
      script.notes = true;
      script.steps.push_back(std::move(step));
      continue;
    }
    if (line.size() < 2 || (line[0] != 'C' && line[0] != 'S') || (line[1] != ':' && line[1] != '<')) {
      return fail("expected `C:`, `C<`, `S:`, `S<`, `N:`, `!` or `#`");
    }
    std::string_view body = line.substr(2);
    if (!body.empty() && body[0] == ' ') body.remove_prefix(1);
    auto bytes = unescape(body);
    if (!bytes) return fail(bytes.error());
    step.kind = line[0] == 'C' ? TranscriptStep::Kind::Client : TranscriptStep::Kind::Server;
    step.bytes = std::move(*bytes);
    if (line[1] == ':') step.bytes += eol;
    script.steps.push_back(std::move(step));
  }
  return script;
}

Expected<TranscriptScript, std::string> load_transcript(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unexpected("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  const std::size_t slash = path.find_last_of('/');
  return parse_transcript(text.str(), slash == std::string::npos ? path : path.substr(slash + 1));
}

std::string visible(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (u < 0x20 || u >= 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace endhost::test
