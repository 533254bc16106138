#include "mail/message/mime.hpp"

#include "mail/message/base64.hpp"
#include "mail/message/encoded_words.hpp"
#include "mail/message/quoted_printable.hpp"

namespace endhost::mail::message {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && lower(a) == lower(b);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// The next line of `text` from `pos` (without its LF or CRLF); pos moves past it. Both line ends are
// accepted when reading: stored mail often has LF only.
std::string_view next_line(std::string_view text, std::size_t& pos) {
  const std::size_t start = pos;
  std::size_t end = text.find('\n', start);
  if (end == text.npos) {
    pos = text.size();
    return text.substr(start);
  }
  pos = end + 1;
  std::string_view line = text.substr(start, end - start);
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

// RFC 5322 §2.2: fields up to the first empty line; the body after it.
Expected<std::pair<std::vector<HeaderField>, std::string_view>, std::string> split_header(
    std::string_view text, const MimeLimits& limits) {
  std::vector<HeaderField> fields;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t line_start = pos;
    const std::string_view line = next_line(text, pos);
    if (line.empty()) return std::pair{std::move(fields), text.substr(pos)};
    if (line.front() == ' ' || line.front() == '\t') {
      if (fields.empty()) return Unexpected(std::string("the header starts with a continuation line"));
      fields.back().value += line;  // §2.2.3: unfolding removes the CRLF only
      continue;
    }
    const auto colon = line.find(':');
    if (colon == line.npos || colon == 0) {
      // Not a field: a message without a header (RFC 2046 §5.1.1 allows a part with none) starts its body
      // here.
      if (fields.empty()) return std::pair{std::move(fields), text.substr(line_start)};
      return Unexpected("a header line without a colon: '" + std::string(line.substr(0, 60)) + "'");
    }
    if (fields.size() >= limits.max_header_fields) return Unexpected(std::string("too many header fields"));
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    fields.push_back(HeaderField{std::string(name), std::string(value)});
  }
  return std::pair{std::move(fields), std::string_view()};
}

// RFC 2045 §5.1 tokens and quoted strings, with RFC 822 comments skipped.
class ValueReader {
 public:
  explicit ValueReader(std::string_view s) : s_(s) {}
  void skip_space() {
    for (;;) {
      while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n')) ++i_;
      if (i_ < s_.size() && s_[i_] == '(') {
        int depth = 0;
        while (i_ < s_.size()) {
          const char c = s_[i_++];
          if (c == '\\') {
            ++i_;
          } else if (c == '(') {
            ++depth;
          } else if (c == ')' && --depth == 0) {
            break;
          }
        }
        continue;
      }
      return;
    }
  }
  bool eat(char c) {
    skip_space();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool done() {
    skip_space();
    return i_ >= s_.size();
  }
  std::optional<std::string> token() {
    skip_space();
    static constexpr std::string_view kTspecials = "()<>@,;:\\\"/[]?=";
    const std::size_t start = i_;
    while (i_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[i_]);
      if (c <= 0x20 || c == 0x7F || kTspecials.find(static_cast<char>(c)) != kTspecials.npos) break;
      ++i_;
    }
    if (i_ == start) return std::nullopt;
    return std::string(s_.substr(start, i_ - start));
  }
  std::optional<std::string> value() {
    skip_space();
    if (i_ < s_.size() && s_[i_] == '"') {
      std::string out;
      ++i_;
      while (i_ < s_.size() && s_[i_] != '"') {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
        out += s_[i_++];
      }
      if (i_ >= s_.size()) return std::nullopt;
      ++i_;
      return out;
    }
    return token();
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

std::map<std::string, std::string> parse_params(ValueReader& r) {
  std::map<std::string, std::string> params;
  while (r.eat(';')) {
    auto name = r.token();
    if (!name) break;
    if (!r.eat('=')) break;
    auto value = r.value();
    if (!value) break;
    params.emplace(lower(*name), std::move(*value));
  }
  return params;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

Expected<MimePart, std::string> parse_part(std::string_view text, const MimeLimits& limits, std::size_t depth,
                                           std::size_t& parts);

// RFC 2046 §5.1.1: delimiter lines "--boundary" (trailing whitespace allowed), the last "--boundary--".
// The CRLF before a delimiter belongs to it. Returns the parts' texts and whether the close was found.
std::pair<std::vector<std::string_view>, bool> split_multipart(std::string_view body,
                                                               std::string_view boundary) {
  std::vector<std::string_view> out;
  const std::string dash = "--" + std::string(boundary);
  std::size_t pos = 0;
  std::optional<std::size_t> part_start;  // where the current part's text begins
  while (pos < body.size()) {
    const std::size_t line_start = pos;
    std::string_view line = next_line(body, pos);
    if (!line.starts_with(dash)) continue;
    std::string_view rest = line.substr(dash.size());
    const bool close = rest.starts_with("--");
    if (close) rest.remove_prefix(2);
    if (!trim(rest).empty()) continue;  // "--boundaryX" is not this boundary
    if (part_start) {
      // The part ends before the line end that precedes the delimiter.
      std::size_t end = line_start;
      if (end > *part_start && body[end - 1] == '\n') --end;
      if (end > *part_start && body[end - 1] == '\r') --end;
      out.push_back(body.substr(*part_start, end - *part_start));
    }
    if (close) return {std::move(out), true};
    part_start = pos;
  }
  if (part_start) out.push_back(body.substr(*part_start));
  return {std::move(out), false};
}

Expected<MimePart, std::string> parse_part(std::string_view text, const MimeLimits& limits, std::size_t depth,
                                           std::size_t& parts) {
  if (++parts > limits.max_parts) return Unexpected(std::string("too many MIME parts"));
  auto split = split_header(text, limits);
  if (!split) return Unexpected(split.error());
  MimePart part;
  part.headers = std::move(split->first);
  part.body = std::string(split->second);
  if (auto ct = part.header("Content-Type")) {
    if (auto parsed = parse_content_type(*ct)) part.content_type = std::move(*parsed);
  }
  if (auto cte = part.header("Content-Transfer-Encoding")) part.transfer_encoding = lower(trim(*cte));
  if (!part.is_multipart()) return part;
  const std::string boundary = part.content_type.param("boundary");
  // RFC 2046 §5.1.1: 1 to 70 characters.
  if (boundary.empty() || boundary.size() > 70)
    return Unexpected(std::string("a multipart without a valid boundary"));
  if (depth + 1 > limits.max_depth) return Unexpected(std::string("multiparts nested too deeply"));
  auto [texts, closed] = split_multipart(split->second, boundary);
  part.truncated = !closed;
  for (const auto t : texts) {
    auto child = parse_part(t, limits, depth + 1, parts);
    if (!child) return Unexpected(child.error());
    part.parts.push_back(std::move(*child));
  }
  return part;
}

}  // namespace

std::string ContentType::param(const std::string& name) const {
  const auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

std::optional<ContentType> parse_content_type(std::string_view value) {
  ValueReader r(value);
  auto type = r.token();
  if (!type || !r.eat('/')) return std::nullopt;
  auto subtype = r.token();
  if (!subtype) return std::nullopt;
  ContentType ct;
  ct.type = lower(*type);
  ct.subtype = lower(*subtype);
  ct.params = parse_params(r);
  return ct;
}

std::optional<std::string> MimePart::header(std::string_view name) const {
  for (const auto& f : headers)
    if (iequal(f.name, name)) return f.value;
  return std::nullopt;
}

std::optional<std::string> MimePart::decoded_header(std::string_view name) const {
  auto v = header(name);
  if (!v) return v;
  return decode_header_text(*v);
}

std::string MimePart::decoded_body() const {
  if (transfer_encoding == "base64") return base64_decode_lenient(body);
  if (transfer_encoding == "quoted-printable") return qp_decode(body);
  return body;
}

std::string MimePart::filename() const {
  std::map<std::string, std::string> params;
  if (auto cd = header("Content-Disposition")) {
    ValueReader r(*cd);
    if (r.token()) params = parse_params(r);
  }
  auto pick = [&](const std::map<std::string, std::string>& p) -> std::optional<std::string> {
    if (auto it = p.find("filename*"); it != p.end()) {
      // RFC 2231 §4: charset'language'percent-encoded.
      const std::string& v = it->second;
      const auto q1 = v.find('\'');
      const auto q2 = q1 == std::string::npos ? q1 : v.find('\'', q1 + 1);
      if (q2 != std::string::npos) {
        std::string out;
        for (std::size_t i = q2 + 1; i < v.size(); ++i) {
          if (v[i] == '%' && i + 2 < v.size() && hex_value(v[i + 1]) >= 0 && hex_value(v[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(v[i + 1]) << 4 | hex_value(v[i + 2]));
            i += 2;
          } else {
            out += v[i];
          }
        }
        return out;
      }
    }
    if (auto it = p.find("filename"); it != p.end()) return decode_header_text(it->second);
    if (auto it = p.find("name"); it != p.end()) return decode_header_text(it->second);
    return std::nullopt;
  };
  if (auto f = pick(params)) return *f;
  if (auto f = pick(content_type.params)) return *f;
  return {};
}

Expected<MimePart, std::string> parse_message(std::string_view text, MimeLimits limits) {
  std::size_t parts = 0;
  return parse_part(text, limits, 0, parts);
}

}  // namespace endhost::mail::message
