// The MIME parser and the encoders from arbitrary bytes. Checks: parsing never crashes and stays within its
// limits (parts, depth); the offset form (parse_structure, with IMAP's options and parse_message's) keeps
// every range inside its parent and in order, a header just before its body, each field inside its header,
// and counts a body's LFs and bare LFs right; every part's decoded body and headers can be computed; base64
// and quoted-printable round-trip the input exactly (with CRLF line ends for quoted-printable, which is
// text); RFC 2047 encoding of the input decodes back to it; and a message built around the input parses
// back with the same body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mail/message/base64.hpp"
#include "mail/message/encoded_words.hpp"
#include "mail/message/message.hpp"
#include "mail/message/mime.hpp"
#include "mail/message/quoted_printable.hpp"

using namespace endhost::mail::message;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

std::size_t walk(const MimePart& p, std::size_t depth) {
  check(depth <= MimeLimits{}.max_depth);
  (void)p.decoded_body();
  (void)p.filename();
  (void)p.decoded_header("Subject");
  std::size_t n = 1;
  for (const auto& c : p.parts) n += walk(c, depth + 1);
  return n;
}

bool inside(const TextRange& inner, std::size_t begin, std::size_t end) {
  return inner.offset >= begin && inner.end() <= end && inner.offset <= inner.end();
}

// Every rule of the offset form for one part and what is below it; returns the parts counted.
std::size_t check_structure(std::string_view text, const PartStructure& p, std::size_t begin, std::size_t end,
                            std::size_t depth, const StructureOptions& o) {
  check(depth <= o.max_depth);
  check(inside(p.header, begin, end) && inside(p.body, begin, end));
  check(p.header.end() == p.body.offset);
  check(p.fields.size() <= o.max_header_fields);
  std::size_t last = p.header.offset;
  for (const auto& f : p.fields) {
    check(inside(f.whole, p.header.offset, p.header.end()) && f.whole.offset >= last);
    check(f.name_size <= f.whole.size && inside(f.value, f.whole.offset, f.whole.end()));
    last = f.whole.end();
    (void)unfold(f.value.in(text));
  }
  const std::string_view body = p.body.in(text);
  std::size_t lines = 0, bare = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\n') continue;
    ++lines;
    if (i == 0 || body[i - 1] != '\r') ++bare;
  }
  check(lines == p.body_lines && bare == p.body_bare_lf);
  check(p.kind != PartKind::Leaf || p.parts.empty());
  check(p.kind != PartKind::Message || p.parts.size() <= 1);
  std::size_t n = 1;
  std::size_t next = p.body.offset;
  for (const auto& c : p.parts) {
    if (p.kind == PartKind::Message) {
      // The message starts the body; it may end a line end short of it (when it has no body of its own,
      // the line end before a delimiter comes off its header only).
      check(c.header.offset == p.body.offset && c.body.end() <= p.body.end() &&
            c.body.end() + 2 >= p.body.end());
    } else {
      check(c.header.offset >= next);
    }
    n += check_structure(text, c, p.body.offset, p.body.end(), depth + 1, o);
    next = c.body.end();
  }
  (void)decode_body(body, p.transfer_encoding);
  return n;
}

// The text with every line end as CRLF and a CRLF at the end: what quoted-printable gives back.
std::string as_crlf_text(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out += "\r\n";
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else if (s[i] == '\n') {
      out += "\r\n";
    } else {
      out += s[i];
    }
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  return out;
}

bool valid_utf8_without_controls(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return false;
    std::size_t n = c < 0x80 ? 1 : c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view s(reinterpret_cast<const char*>(data), size);
  if (auto m = parse_message(s)) check(walk(*m, 0) <= MimeLimits{}.max_parts);

  StructureOptions imap;
  check(check_structure(s, parse_structure(s, imap), 0, s.size(), 0, imap) <= imap.max_parts);
  StructureOptions strict;
  strict.max_depth = 4;
  strict.max_parts = 50;
  strict.boundary_prefix_match = false;
  strict.headerless_first_line = true;
  strict.encapsulated = false;
  check(check_structure(s, parse_structure(s, strict), 0, s.size(), 0, strict) <= strict.max_parts);
  if (auto ct = parse_parameterized_value(s, true)) check(ct->params.size() <= kMaxMimeParameters);

  check(base64_decode(base64_encode(s)) == std::string(s));
  check(base64_decode_lenient(base64_encode(s, 76)) == std::string(s));
  check(qp_decode(qp_encode(s)) == as_crlf_text(s));

  if (size < 300 && valid_utf8_without_controls(s)) {
    std::string enc = encode_header_text(s, 9);
    std::string unfolded;
    for (std::size_t i = 0; i < enc.size(); ++i) {
      if (enc.compare(i, 2, "\r\n") == 0) {
        ++i;
        continue;
      }
      unfolded += enc[i];
    }
    // Plain text passes through untouched; encoded words decode to the input.
    check(decode_header_text(unfolded) == std::string(s) || unfolded == std::string(s));
  }

  MessageSpec spec;
  spec.from = "alice@crepes.fr";
  spec.to = {"bob@hamburger.edu"};
  spec.subject = "fuzz";
  spec.body = std::string(s);
  spec.boundary = make_boundary(7);
  spec.attachments.push_back(Attachment{"data.bin", "", std::string(s)});
  const BuiltMessage built = build_message(spec);
  auto parsed = parse_message(built.text);
  check(parsed.has_value());
  check(parsed->parts.size() == 2);
  check(parsed->parts[1].decoded_body() == std::string(s));
  return 0;
}
