// IMAP's message side from arbitrary bytes: one ParsedMessage, then everything a FETCH or SEARCH asks of it.
// Checks: BODY, BODYSTRUCTURE and ENVELOPE are each one well-formed IMAP value (parentheses balanced outside
// strings, every literal's length right, quoted strings closed and 7-bit); every section of every part (each
// kind, with and without a partial) is a view inside the message or bytes of its own no longer than the
// message as sent and two line ends; HEADER.FIELDS(.NOT) ends with CRLF unless empty; a partial is a slice of
// the whole section; and the SEARCH tests run (an empty needle matches every body, a field's own value
// matches it).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "imap/message/body_structure.hpp"
#include "imap/message/envelope.hpp"
#include "imap/message/search_match.hpp"
#include "imap/message/section.hpp"
#include "mail/message/encoded_words.hpp"

using namespace endhost::imap;
using namespace endhost::imap::message;
using endhost::mail::message::PartKind;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// One IMAP value at s[i]: NIL/atom, "quoted", {n} CRLF literal, or a list. Returns the end, or npos.
std::size_t value_end(std::string_view s, std::size_t i, int depth) {
  if (depth > 200 || i >= s.size()) return std::string_view::npos;
  if (s[i] == '(') {
    ++i;
    bool first = true;
    while (i < s.size() && s[i] != ')') {
      if (!first && s[i] == ' ') ++i;
      i = value_end(s, i, depth + 1);
      if (i == std::string_view::npos) return i;
      first = false;
    }
    return i < s.size() ? i + 1 : std::string_view::npos;
  }
  if (s[i] == '"') {
    for (++i; i < s.size() && s[i] != '"'; ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c == '\r' || c == '\n' || c == 0 || c >= 0x80) return std::string_view::npos;
      if (c == '\\' && ++i >= s.size()) return std::string_view::npos;
    }
    return i < s.size() ? i + 1 : std::string_view::npos;
  }
  if (s[i] == '{') {
    std::size_t n = 0, j = i + 1;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') n = n * 10 + static_cast<std::size_t>(s[j++] - '0');
    if (j == i + 1 || s.compare(j, 3, "}\r\n") != 0) return std::string_view::npos;
    j += 3;
    return j + n <= s.size() ? j + n : std::string_view::npos;
  }
  const std::size_t start = i;
  while (i < s.size() && s[i] != ' ' && s[i] != '(' && s[i] != ')') ++i;
  return i > start ? i : std::string_view::npos;
}

void check_one_value(std::string_view s) {
  check(value_end(s, 0, 0) == s.size());
}

void check_section(const ParsedMessage& m, const Section& s) {
  const SectionBytes whole = fetch_section(m, s);
  const std::string_view b = whole.bytes();
  if (whole.is_owned()) {
    // Converted or filtered bytes of the message, plus a line end for a last field without one and the
    // empty line.
    check(b.size() <= m.wire_size() + 4);
  } else {
    check(b.empty() ||
          (b.data() >= m.text().data() && b.data() + b.size() <= m.text().data() + m.text().size()));
  }
  // Every field copied gets its line end; the message's own HEADER.FIELDS always ends with the empty line.
  if (s.text == Section::Text::HeaderFields || s.text == Section::Text::HeaderFieldsNot)
    check(b.empty() || b.ends_with("\r\n"));
  if (s.text == Section::Text::HeaderFields && s.part.empty()) check(b.ends_with("\r\n"));
  for (const Partial p : {Partial{0, 1}, Partial{3, 7}, Partial{static_cast<std::uint32_t>(b.size()), 5},
                          Partial{static_cast<std::uint32_t>(b.size() / 2), 0xFFFFFFFFu}}) {
    const SectionBytes part = fetch_section(m, s, p);
    const std::string_view want = p.origin >= b.size() ? std::string_view() : b.substr(p.origin, p.count);
    check(part.bytes() == want);
  }
}

// Every part's path (as section numbers), at most `limit` of them.
void paths(const PartStructure& p, std::vector<std::uint32_t>& prefix,
           std::vector<std::vector<std::uint32_t>>& out, std::size_t limit) {
  if (out.size() >= limit) return;
  const PartStructure* container = &p;
  if (p.kind == PartKind::Message && !p.parts.empty()) container = &p.parts.front();
  if (container->kind != PartKind::Multipart) return;
  for (std::size_t i = 0; i < container->parts.size() && out.size() < limit; ++i) {
    prefix.push_back(static_cast<std::uint32_t>(i + 1));
    out.push_back(prefix);
    paths(container->parts[i], prefix, out, limit);
    prefix.pop_back();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ParsedMessage m(text);

  std::string out;
  append_body_structure(out, m, BodyForm::Body);
  check_one_value(out);
  out.clear();
  append_body_structure(out, m, BodyForm::BodyStructure);
  check_one_value(out);
  out.clear();
  append_envelope(out, make_envelope(m));
  check_one_value(out);

  std::vector<std::vector<std::uint32_t>> all{{}, {1}, {1, 1}, {2, 1, 1}, {0xFFFFFFFFu}};
  std::vector<std::uint32_t> prefix;
  paths(m.root(), prefix, all, 40);
  for (const auto& path : all) {
    for (const auto kind : {Section::Text::None, Section::Text::Header, Section::Text::HeaderFields,
                            Section::Text::HeaderFieldsNot, Section::Text::Text, Section::Text::Mime}) {
      Section s;
      s.part = path;
      s.text = kind;
      s.fields = {"FROM", "SUBJECT", "CONTENT-TYPE"};
      check_section(m, s);
    }
  }

  MessageSearch search(m);
  check(search.body_contains(Needle("")));
  (void)search.text_contains(Needle("a"));
  (void)search.sent_date();
  if (!m.root().fields.empty()) {
    const auto& f = m.root().fields.front();
    const std::string value =
        endhost::mail::message::decode_header_text(endhost::mail::message::unfold(f.value.in(text)));
    check(search.header_contains(f.name(text), Needle(value.substr(0, 12))));
  }
  return 0;
}
