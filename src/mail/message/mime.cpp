#include "mail/message/mime.hpp"

#include <algorithm>
#include <cstring>

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
  // Broken but common: `name==?utf-8?b?...?=` (an encoded word not in quotes, RFC 2231 §5 misapplied).
  // Dovecot takes it up to the next ';' or blank; so do we.
  std::optional<std::string> raw_encoded_word() {
    skip_space();
    if (i_ >= s_.size() || s_[i_] != '=') return std::nullopt;
    const std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ';' && s_[i_] != ' ' && s_[i_] != '\t' && s_[i_] != '\r' &&
           s_[i_] != '\n')
      ++i_;
    return std::string(s_.substr(start, i_ - start));
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

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// One line of [pos, end): `content_end` before its CRLF or LF, `next` after it. Both line ends are accepted
// when reading: stored mail often has LF only. A CR not before an LF is content.
struct Line {
  std::size_t start = 0;
  std::size_t content_end = 0;
  std::size_t next = 0;
  bool empty() const { return content_end == start; }
};

Line line_at(std::string_view text, std::size_t pos, std::size_t end) {
  Line l{pos, end, end};
  const void* lf = pos < end ? std::memchr(text.data() + pos, '\n', end - pos) : nullptr;
  if (lf != nullptr) {
    const auto at = static_cast<std::size_t>(static_cast<const char*>(lf) - text.data());
    l.next = at + 1;
    l.content_end = at > pos && text[at - 1] == '\r' ? at - 1 : at;
  }
  return l;
}

// The single pass of parse_structure(). Every part that has begun but whose end is not known yet is on
// `open_`, the outermost first; only the innermost can still be in its header. A delimiter line of an open
// multipart ends every part inside it; its end is the line end before the delimiter (RFC 2046 §5.1.1).
class StructureParser {
 public:
  StructureParser(std::string_view text, const StructureOptions& options) : text_(text), o_(options) {}

  PartStructure run() {
    PartStructure root;
    start_part(root, 0, 0, false);
    std::size_t pos = 0;
    while (pos < text_.size()) {
      const Line line = line_at(text_, pos, text_.size());
      const bool has_lf = line.next > line.content_end && text_[line.next - 1] == '\n';
      lf_after_ = lf_ + (has_lf ? 1 : 0);
      bare_after_ = bare_ + (has_lf && !(line.next >= 2 && text_[line.next - 2] == '\r') ? 1 : 0);
      process(line);
      lf_ = lf_after_;
      bare_ = bare_after_;
      pos = line.next;
    }
    while (!open_.empty()) {
      finish_at_end(open_.back());
      open_.pop_back();
    }
    return root;
  }

 private:
  struct Open {
    PartStructure* part = nullptr;
    std::size_t depth = 0;
    bool in_header = true;
    bool in_field = false;         // the header's last line belongs to a recorded field
    bool digest_default = false;   // a part of a multipart/digest: message/rfc822 unless it says otherwise
    std::size_t lf_at_body = 0;    // LFs before the body
    std::size_t bare_at_body = 0;  // bare LFs before the body
    std::string boundary;          // an opened multipart's, until its close delimiter
    bool opened = false;           // its boundary was taken into use
    bool closed = false;           // its close delimiter came: the rest is epilogue
    bool digest = false;           // it is a multipart/digest
  };

  void start_part(PartStructure& part, std::size_t at, std::size_t depth, bool digest_default) {
    part.header = {at, 0};
    part.body = {at, 0};
    Open o;
    o.part = &part;
    o.depth = depth;
    o.digest_default = digest_default;
    open_.push_back(std::move(o));
  }

  void process(const Line& line) {
    const std::string_view content = text_.substr(line.start, line.content_end - line.start);
    if (content.size() >= 2 && content[0] == '-' && content[1] == '-') {
      // The innermost open multipart first: its boundary may have an outer one as a prefix.
      for (std::size_t level = open_.size(); level-- > 0;) {
        const Open& m = open_[level];
        if (m.boundary.empty() || m.closed) continue;
        if (auto close = delimiter_kind(content, m.boundary)) {
          delimiter(level, line, *close);
          return;
        }
      }
    }
    if (open_.back().in_header) header_line(line);
  }

  // nullopt when `content` is not a delimiter of `boundary`; else whether it is the close delimiter.
  std::optional<bool> delimiter_kind(std::string_view content, std::string_view boundary) const {
    if (content.size() < boundary.size() + 2 || content.compare(2, boundary.size(), boundary) != 0)
      return std::nullopt;
    std::string_view rest = content.substr(boundary.size() + 2);
    const bool close = rest.starts_with("--");
    if (o_.boundary_prefix_match) return close;
    if (close) rest.remove_prefix(2);
    if (!trim(rest).empty()) return std::nullopt;  // strict: "--boundaryX" is not this boundary
    return close;
  }

  void delimiter(std::size_t level, const Line& line, bool close) {
    // The line end before the delimiter is taken from the innermost part only. When that part has no body
    // (the delimiter came in its header, or right after it), it comes off its header, and the parts around
    // it end at the delimiter line itself (Dovecot's sizes).
    bool innermost = true;
    bool strip_outer = true;
    while (open_.size() > level + 1) {
      Open& o = open_.back();
      if (innermost) {
        strip_outer = !(o.in_header || o.part->body.offset >= line.start);
        finish_at_delimiter(o, line, true);
        innermost = false;
      } else {
        finish_at_delimiter(o, line, strip_outer);
      }
      open_.pop_back();
    }
    Open& m = open_[level];
    if (close) {
      m.closed = true;
      return;
    }
    PartStructure& multipart = *m.part;
    if (parts_ >= o_.max_parts) {
      multipart.defects |= kTooManyParts;
      return;
    }
    ++parts_;
    const bool digest = m.digest;
    const std::size_t depth = m.depth + 1;
    multipart.parts.emplace_back();
    start_part(multipart.parts.back(), line.next, depth, digest);
  }

  // RFC 5322 §2.2: fields up to the first empty line, the body after it.
  void header_line(const Line& line) {
    Open& o = open_.back();
    PartStructure& part = *o.part;
    const std::size_t header_start = part.header.offset;
    if (line.empty()) {
      end_header(o, line.next, line.next, lf_after_, bare_after_);
      return;
    }
    if (is_blank(text_[line.start])) {
      if (o.in_field) {
        FieldRange& f = part.fields.back();
        f.whole.size = line.next - f.whole.offset;
        f.value.size = line.content_end - f.value.offset;
      } else if (line.start == header_start) {
        part.defects |= kLeadingContinuation;
      }
      return;
    }
    o.in_field = false;
    const std::string_view content = text_.substr(line.start, line.content_end - line.start);
    const std::size_t colon = content.find(':');
    if (colon == content.npos || colon == 0) {
      if (line.start == header_start && o_.headerless_first_line) {
        // No header at all (RFC 2046 §5.1.1 allows a part with none): the body starts with this line, and
        // whatever that opens (a delimiter, a message's header) reads it again.
        PartStructure* const before = open_.back().part;
        end_header(o, line.start, line.start, lf_, bare_);
        if (open_.back().part != before) header_line(line);
        return;
      }
      part.defects |= kLineWithoutColon;
      return;
    }
    if (part.fields.size() >= o_.max_header_fields || fields_ >= o_.max_total_fields) {
      part.defects |= kTooManyFields;
      return;
    }
    std::size_t name_size = colon;
    while (name_size > 0 && is_blank(content[name_size - 1])) --name_size;
    std::size_t value_start = colon + 1;
    while (value_start < content.size() && is_blank(content[value_start])) ++value_start;
    FieldRange f;
    f.whole = {line.start, line.next - line.start};
    f.name_size = name_size;
    f.value = {line.start + value_start, content.size() - value_start};
    part.fields.push_back(f);
    ++fields_;
    o.in_field = true;
  }

  // What the fields say the part is (RFC 2045 §5, RFC 2046 §5.1.5 for digests).
  void classify(Open& o) {
    PartStructure& part = *o.part;
    if (o.digest_default) part.content_type = ContentType{"message", "rfc822", {}};
    if (const FieldRange* ct = part.field(text_, "Content-Type")) {
      if (auto parsed = parse_content_type(unfold(ct->value.in(text_)))) {
        part.content_type = std::move(*parsed);
        part.content_type_given = true;
      }
    }
    if (const FieldRange* cte = part.field(text_, "Content-Transfer-Encoding")) {
      const std::string value = unfold(cte->value.in(text_));
      ValueReader r(value);
      if (auto token = r.token()) part.transfer_encoding = lower(*token);
    }
    const ContentType& ct = part.content_type;
    if (ct.type == "multipart") {
      part.kind = PartKind::Multipart;
    } else if (o_.encapsulated && ct.type == "message" &&
               (ct.subtype == "rfc822" || ct.subtype == "global")) {
      part.kind = PartKind::Message;
    }
  }

  void end_header(Open& o, std::size_t header_end, std::size_t body_start, std::size_t lf, std::size_t bare) {
    PartStructure& part = *o.part;
    part.header.size = header_end - part.header.offset;
    part.body = {body_start, 0};
    o.in_header = false;
    o.lf_at_body = lf;
    o.bare_at_body = bare;
    classify(o);
    if (part.kind == PartKind::Multipart) {
      const std::string boundary = part.content_type.param("boundary");
      if (boundary.empty() || boundary.size() > o_.max_boundary) {
        part.defects |= kBadBoundary;
      } else if (o.depth + 1 > o_.max_depth) {
        part.defects |= kTooDeep;
      } else {
        o.boundary = boundary;
        o.opened = true;
        o.digest = part.content_type.subtype == "digest";
      }
    } else if (part.kind == PartKind::Message) {
      if (o.depth + 1 > o_.max_depth) {
        part.defects |= kTooDeep;
      } else if (parts_ >= o_.max_parts) {
        part.defects |= kTooManyParts;
      } else {
        ++parts_;
        const std::size_t depth = o.depth + 1;
        part.parts.emplace_back();
        start_part(part.parts.back(), body_start, depth, false);  // `o` may move: not used after this
      }
    }
  }

  // The part ends at the delimiter line; with `strip`, before the line end that precedes it (which belongs to
  // the delimiter, RFC 2046 §5.1.1).
  void finish_at_delimiter(Open& o, const Line& line, bool strip) {
    PartStructure& part = *o.part;
    if (o.in_header || part.body.offset >= line.start) {
      std::size_t e = line.start;
      if (strip && e > part.header.offset && text_[e - 1] == '\n') --e;
      if (strip && e > part.header.offset && text_[e - 1] == '\r') --e;
      if (!part.fields.empty() && part.fields.back().whole.end() > e)
        part.fields.back().whole.size = e - part.fields.back().whole.offset;
      if (o.in_header) {
        end_header_only(o, e);
      } else {
        part.header.size = e - part.header.offset;
        part.body = {e, 0};
      }
    } else if (strip) {
      const std::size_t b = part.body.offset;
      std::size_t e = line.start - 1;  // the LF before a line start
      const bool crlf = e > b && text_[e - 1] == '\r';
      if (crlf) --e;
      part.body.size = e - b;
      part.body_lines = lf_ - o.lf_at_body - 1;
      const bool lf_was_bare = !(line.start >= 2 && text_[line.start - 2] == '\r');
      part.body_bare_lf = bare_ - o.bare_at_body - (lf_was_bare ? 1 : 0);
    } else {
      part.body.size = line.start - part.body.offset;
      part.body_lines = lf_ - o.lf_at_body;
      part.body_bare_lf = bare_ - o.bare_at_body;
    }
    part.truncated = o.opened && !o.closed;
  }

  void finish_at_end(Open& o) {
    PartStructure& part = *o.part;
    if (o.in_header) {
      end_header_only(o, text_.size());
      return;
    }
    part.body.size = text_.size() - part.body.offset;
    part.body_lines = lf_ - o.lf_at_body;
    part.body_bare_lf = bare_ - o.bare_at_body;
    part.truncated = o.opened && !o.closed;
  }

  // A header that no empty line ended: there is no body.
  void end_header_only(Open& o, std::size_t header_end) {
    PartStructure& part = *o.part;
    part.header.size = header_end - part.header.offset;
    part.body = {header_end, 0};
    o.in_header = false;
    classify(o);
  }

  std::string_view text_;
  const StructureOptions& o_;
  std::vector<Open> open_;
  std::size_t parts_ = 1;     // parts created, the top one included
  std::size_t fields_ = 0;    // fields recorded in all parts
  std::size_t lf_ = 0;        // LFs before the line being read
  std::size_t bare_ = 0;      // bare LFs before it
  std::size_t lf_after_ = 0;  // the same after it
  std::size_t bare_after_ = 0;
};

// parse_message()'s errors, for the first part (in order) with a defect.
std::optional<std::string> first_defect(const PartStructure& part) {
  const std::uint8_t d = part.defects;
  if (d & kLeadingContinuation) return "the header starts with a continuation line";
  if (d & kLineWithoutColon) return "a header line without a colon";
  if (d & kTooManyFields) return "too many header fields";
  if (d & kBadBoundary) return "a multipart without a valid boundary";
  if (d & kTooDeep) return "multiparts nested too deeply";
  if (d & kTooManyParts) return "too many MIME parts";
  for (const auto& child : part.parts)
    if (auto e = first_defect(child)) return e;
  return std::nullopt;
}

MimePart to_mime_part(std::string_view text, const PartStructure& s) {
  MimePart part;
  part.headers.reserve(s.fields.size());
  for (const auto& f : s.fields)
    part.headers.push_back(HeaderField{std::string(f.name(text)), unfold(f.value.in(text))});
  part.body = std::string(s.body.in(text));
  if (auto ct = part.header("Content-Type")) {
    if (auto parsed = parse_content_type(*ct)) part.content_type = std::move(*parsed);
  }
  if (auto cte = part.header("Content-Transfer-Encoding")) part.transfer_encoding = lower(trim(*cte));
  part.truncated = s.truncated;
  part.parts.reserve(s.parts.size());
  for (const auto& child : s.parts) part.parts.push_back(to_mime_part(text, child));
  return part;
}

// RFC 2231 §3: `name*0`, `name*1*`: the base name, the index and whether that segment is extended
// (charset'language'%XX). nullopt for an ordinary name.
struct Continuation {
  std::string base;
  unsigned index = 0;
  bool extended = false;
  std::string value;
  std::size_t order = 0;
};

std::optional<Continuation> as_continuation(const std::string& name) {
  const auto star = name.find('*');
  if (star == std::string::npos || star == 0) return std::nullopt;
  std::size_t i = star + 1;
  Continuation c;
  c.base = name.substr(0, star);
  if (i == name.size()) return std::nullopt;  // `name*` alone: an extended value, not a continuation
  std::size_t digits = 0;
  while (i < name.size() && name[i] >= '0' && name[i] <= '9' && digits < 4) {
    c.index = c.index * 10 + static_cast<unsigned>(name[i] - '0');
    ++i;
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  if (i < name.size() && name[i] == '*') {
    c.extended = true;
    ++i;
  }
  if (i != name.size()) return std::nullopt;
  return c;
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

std::string unfold(std::string_view folded) {
  std::string out;
  out.reserve(folded.size());
  for (std::size_t i = 0; i < folded.size(); ++i) {
    const char c = folded[i];
    if (c == '\n' || (c == '\r' && i + 1 < folded.size() && folded[i + 1] == '\n')) continue;
    out += c;
  }
  return out;
}

const FieldRange* PartStructure::field(std::string_view text, std::string_view name) const {
  for (const auto& f : fields) {
    const std::string_view n = f.name(text);
    if (n.size() == name.size() && iequal(n, name)) return &f;
  }
  return nullptr;
}

PartStructure parse_structure(std::string_view text, StructureOptions options) {
  return StructureParser(text, options).run();
}

std::string decode_body(std::string_view body, std::string_view transfer_encoding) {
  if (transfer_encoding == "base64") return base64_decode_lenient(body);
  if (transfer_encoding == "quoted-printable") return qp_decode(body);
  return std::string(body);
}

std::optional<ParameterizedValue> parse_parameterized_value(std::string_view value, bool with_subtype) {
  ValueReader r(value);
  ParameterizedValue out;
  auto type = r.token();
  if (!type) return std::nullopt;
  out.type = std::move(*type);
  if (with_subtype) {
    if (!r.eat('/')) return std::nullopt;
    auto subtype = r.token();
    if (!subtype) return std::nullopt;
    out.subtype = std::move(*subtype);
  }
  std::vector<Continuation> continuations;
  std::size_t count = 0;
  while (r.eat(';') && count < kMaxMimeParameters) {
    auto name = r.token();
    if (!name || !r.eat('=')) break;
    auto v = r.value();
    if (!v) v = r.raw_encoded_word();
    if (!v) break;
    ++count;
    if (auto c = as_continuation(*name)) {
      c->value = std::move(*v);
      c->order = continuations.size();
      continuations.push_back(std::move(*c));
    } else {
      out.params.push_back(MimeParameter{std::move(*name), std::move(*v)});
    }
  }
  // Join each name's segments in index order; with a gap in the indexes they stay as they were.
  std::stable_sort(continuations.begin(), continuations.end(),
                   [](const Continuation& a, const Continuation& b) {
                     const std::string la = lower(a.base), lb = lower(b.base);
                     return la != lb ? la < lb : a.index < b.index;
                   });
  std::vector<std::pair<std::size_t, MimeParameter>> joined;  // with the order of each name's first segment
  for (std::size_t i = 0; i < continuations.size();) {
    std::size_t j = i;
    bool contiguous = true;
    bool extended = false;
    std::size_t first = continuations[i].order;
    while (j < continuations.size() && iequal(continuations[j].base, continuations[i].base)) {
      if (continuations[j].index != j - i) contiguous = false;
      extended = extended || continuations[j].extended;
      first = std::min(first, continuations[j].order);
      ++j;
    }
    if (!contiguous) {
      for (std::size_t k = i; k < j; ++k) {
        const auto& c = continuations[k];
        joined.push_back(
            {c.order,
             MimeParameter{c.base + "*" + std::to_string(c.index) + (c.extended ? "*" : ""), c.value}});
      }
    } else {
      std::string v;
      // An extended value starts with charset'language'; a plain first segment before extended ones gets
      // an empty pair, and plain segments among extended ones have their '%' escaped (as Dovecot does).
      if (extended && !continuations[i].extended) v += "''";
      for (std::size_t k = i; k < j; ++k) {
        const auto& c = continuations[k];
        if (extended && !c.extended) {
          for (const char ch : c.value) v += ch == '%' ? std::string("%25") : std::string(1, ch);
        } else {
          v += c.value;
        }
      }
      joined.push_back({first, MimeParameter{continuations[i].base + (extended ? "*" : ""), std::move(v)}});
    }
    i = j;
  }
  std::stable_sort(joined.begin(), joined.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [order, param] : joined) out.params.push_back(std::move(param));
  return out;
}

Expected<MimePart, std::string> parse_message(std::string_view text, MimeLimits limits) {
  StructureOptions o;
  o.max_depth = limits.max_depth;
  o.max_parts = limits.max_parts;
  o.max_header_fields = limits.max_header_fields;
  o.max_total_fields = static_cast<std::size_t>(-1);
  o.max_boundary = 70;  // RFC 2046 §5.1.1
  o.encapsulated = false;
  o.boundary_prefix_match = false;
  o.headerless_first_line = true;
  const PartStructure structure = parse_structure(text, o);
  if (auto error = first_defect(structure)) return Unexpected(std::move(*error));
  return to_mime_part(text, structure);
}

}  // namespace endhost::mail::message
