#include "imap/message/section.hpp"

namespace endhost::imap::message {

namespace {

using mail::message::PartKind;

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// The part the numbers name (the message itself for none), as Dovecot walks them: a multipart's n is its n-th
// part; any other part's only number is 1, itself, and a number after that only goes on into a message/rfc822
// part, whose numbers are those of the message inside it.
const PartStructure* numbered_part(const ParsedMessage& m, const Section& s) {
  const PartStructure* p = &m.root();
  for (std::size_t i = 0; i < s.part.size() && p != nullptr; ++i) {
    const std::uint32_t n = s.part[i];
    const bool more = i + 1 < s.part.size();
    if (p->kind == PartKind::Multipart) {
      p = n >= 1 && n <= p->parts.size() ? &p->parts[n - 1] : nullptr;
    } else if (n != 1 || (more && p->kind != PartKind::Message)) {
      p = nullptr;
    }
    if (p != nullptr && more && p->kind == PartKind::Message)
      p = p->parts.empty() ? nullptr : &p->parts.front();
  }
  return p;
}

bool message_text_specifier(Section::Text t) {
  return t == Section::Text::Header || t == Section::Text::HeaderFields ||
         t == Section::Text::HeaderFieldsNot || t == Section::Text::Text;
}

// The byte before `r` in the text (for CRLF conversion), or NUL at the start.
char byte_before(std::string_view text, TextRange r) {
  return r.offset > 0 ? text[r.offset - 1] : '\0';
}

SectionBytes range_bytes(const ParsedMessage& m, TextRange r) {
  const std::string_view bytes = m.bytes(r);
  if (!m.has_bare_lf()) return SectionBytes::view(bytes);
  std::string out;
  append_crlf(out, bytes, byte_before(m.text(), r));
  return SectionBytes::owned(std::move(out));
}

SectionBytes header_fields(const ParsedMessage& m, const PartStructure& header_part, const Section& s) {
  const bool keep_listed = s.text == Section::Text::HeaderFields;
  std::string out;
  for (const auto& f : header_part.fields) {
    const std::string_view name = f.name(m.text());
    bool listed = false;
    for (const auto& want : s.fields) {
      if (iequal(name, want)) {
        listed = true;
        break;
      }
    }
    if (listed != keep_listed) continue;
    const std::string_view whole = m.bytes(f.whole);
    append_crlf(out, whole, byte_before(m.text(), f.whole));
    // The last field of a header that ends without a line end still gets one.
    if (!whole.ends_with('\n')) out += "\r\n";
  }
  // The empty line that ends a header. When the header had none, Dovecot writes it only after the message's
  // own HEADER.FIELDS (built from its cache), not after HEADER.FIELDS.NOT or an encapsulated message's
  // (which filter the header as stored); so do we.
  const std::string_view header = m.bytes(header_part.header);
  const bool ended =
      header == "\n" || header == "\r\n" || header.ends_with("\n\n") || header.ends_with("\n\r\n");
  if (ended || (keep_listed && s.part.empty())) out += "\r\n";
  return SectionBytes::owned(std::move(out));
}

}  // namespace

SectionBytes SectionBytes::view(std::string_view bytes) {
  SectionBytes s;
  s.view_ = bytes;
  s.size_ = bytes.size();
  return s;
}

SectionBytes SectionBytes::owned(std::string bytes) {
  SectionBytes s;
  s.size_ = bytes.size();
  s.owned_ = std::move(bytes);
  return s;
}

std::string_view SectionBytes::bytes() const {
  const std::string_view all = owned_ ? std::string_view(*owned_) : view_;
  return all.substr(offset_, size_);
}

void SectionBytes::restrict_to(std::size_t origin, std::size_t count) {
  if (origin >= size_) {
    offset_ += size_;
    size_ = 0;
    return;
  }
  offset_ += origin;
  size_ = std::min(count, size_ - origin);
}

const PartStructure* resolve_section_part(const ParsedMessage& message, const Section& section) {
  const PartStructure* p = numbered_part(message, section);
  if (p == nullptr) return nullptr;
  if (!section.part.empty() && message_text_specifier(section.text)) {
    // HEADER and TEXT after a number: only for a message/rfc822 part, and then of the message inside.
    if (p->kind != PartKind::Message || p->parts.empty()) return nullptr;
    return &p->parts.front();
  }
  if (section.part.empty() && section.text == Section::Text::Mime) return nullptr;  // MIME needs a part
  return p;
}

SectionBytes fetch_section(const ParsedMessage& message, const Section& section,
                           std::optional<Partial> partial) {
  SectionBytes out;
  if (const PartStructure* p = resolve_section_part(message, section)) {
    switch (section.text) {
      case Section::Text::None:
        out = section.part.empty() ? range_bytes(message, TextRange{0, message.text().size()})
                                   : range_bytes(message, p->body);
        break;
      case Section::Text::Header:
      case Section::Text::Mime:
        out = range_bytes(message, p->header);
        break;
      case Section::Text::HeaderFields:
      case Section::Text::HeaderFieldsNot:
        out = header_fields(message, *p, section);
        break;
      case Section::Text::Text:
        out = range_bytes(message, p->body);
        break;
    }
  }
  if (partial) out.restrict_to(partial->origin, partial->count);
  return out;
}

}  // namespace endhost::imap::message
