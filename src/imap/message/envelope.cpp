#include "imap/message/envelope.hpp"

#include "imap/message/wire_string.hpp"

namespace endhost::imap::message {

namespace {

std::optional<std::string> value_of(std::string_view text, const PartStructure& part, std::string_view name) {
  const auto* f = part.field(text, name);
  if (f == nullptr) return std::nullopt;
  return mail::message::unfold(f->value.in(text));
}

// Structured fields (Date, Message-ID, In-Reply-To) lose the blanks a folding left at their end.
std::optional<std::string> structured_value_of(std::string_view text, const PartStructure& part,
                                               std::string_view name) {
  auto v = value_of(text, part, name);
  if (v)
    while (!v->empty() && (v->back() == ' ' || v->back() == '\t')) v->pop_back();
  return v;
}

// Text for people (Subject, display names) as Dovecot writes it: each run of blanks and line ends one space,
// none at either end, and NUL (which no IMAP string may hold) as 0x80.
std::string for_humans(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool blank = false;
  for (const char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      blank = !out.empty();
      continue;
    }
    if (blank) out += ' ';
    blank = false;
    out += c == '\0' ? static_cast<char>(0x80) : c;
  }
  return out;
}

std::vector<Address> addresses_of(std::string_view text, const PartStructure& part, std::string_view name) {
  const auto v = value_of(text, part, name);
  if (!v) return {};
  std::vector<Address> list = parse_address_list(*v);
  for (auto& a : list)
    if (a.name) a.name = for_humans(*a.name);
  return list;
}

}  // namespace

Envelope make_envelope(std::string_view text, const PartStructure& part) {
  Envelope e;
  e.date = structured_value_of(text, part, "Date");
  if (auto subject = value_of(text, part, "Subject")) e.subject = for_humans(*subject);
  e.from = addresses_of(text, part, "From");
  e.sender = addresses_of(text, part, "Sender");
  e.reply_to = addresses_of(text, part, "Reply-To");
  e.to = addresses_of(text, part, "To");
  e.cc = addresses_of(text, part, "Cc");
  e.bcc = addresses_of(text, part, "Bcc");
  e.in_reply_to = structured_value_of(text, part, "In-Reply-To");
  e.message_id = structured_value_of(text, part, "Message-ID");
  if (e.sender.empty()) e.sender = e.from;
  if (e.reply_to.empty()) e.reply_to = e.from;
  return e;
}

Envelope make_envelope(const ParsedMessage& message) {
  return make_envelope(message.text(), message.root());
}

void append_envelope(std::string& out, const Envelope& e) {
  out += '(';
  append_nstring(out, e.date);
  out += ' ';
  append_nstring(out, e.subject);
  for (const auto* list : {&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc}) {
    out += ' ';
    append_address_list(out, *list);
  }
  out += ' ';
  append_nstring(out, e.in_reply_to);
  out += ' ';
  append_nstring(out, e.message_id);
  out += ')';
}

}  // namespace endhost::imap::message
