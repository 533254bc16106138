#include "imap/message/search_match.hpp"

#include "imap/message/charset.hpp"
#include "imap/message/message_date.hpp"
#include "mail/message/encoded_words.hpp"

namespace endhost::imap::message {

namespace {

using mail::message::PartKind;

char fold(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (fold(a[i]) != fold(b[i])) return false;
  return true;
}

// The text bodies below `p`, in order.
void collect_text_parts(const PartStructure& p, std::vector<const PartStructure*>& out) {
  if (p.kind == PartKind::Leaf) {
    if (p.content_type.type == "text") out.push_back(&p);
    return;
  }
  for (const auto& child : p.parts) collect_text_parts(child, out);
}

// The headers TEXT reads: the message's and those of the messages inside message/rfc822 parts.
void collect_headers(const PartStructure& p, bool is_message_header, std::vector<const PartStructure*>& out) {
  if (is_message_header) out.push_back(&p);
  for (const auto& child : p.parts) collect_headers(child, p.kind == PartKind::Message, out);
}

std::string decoded_value(std::string_view text, const mail::message::FieldRange& f) {
  return mail::message::decode_header_text(mail::message::unfold(f.value.in(text)));
}

}  // namespace

Needle::Needle(std::string_view text) : folded_(text), failure_(text.size(), 0) {
  for (char& c : folded_) c = fold(c);
  // KMP: failure_[i] is the length of the longest proper border of folded_[0..i].
  for (std::size_t i = 1, k = 0; i < folded_.size(); ++i) {
    while (k > 0 && folded_[i] != folded_[k]) k = failure_[k - 1];
    if (folded_[i] == folded_[k]) ++k;
    failure_[i] = k;
  }
}

bool Needle::found_in(std::string_view haystack) const {
  if (folded_.empty()) return true;
  std::size_t k = 0;
  for (const char ch : haystack) {
    const char c = fold(ch);
    while (k > 0 && c != folded_[k]) k = failure_[k - 1];
    if (c == folded_[k] && ++k == folded_.size()) return true;
  }
  return false;
}

bool MessageSearch::header_contains(std::string_view field_name, const Needle& needle) {
  const std::string_view text = message_.text();
  for (const auto& f : message_.root().fields) {
    if (!iequal(f.name(text), field_name)) continue;
    if (needle.empty() || needle.found_in(decoded_value(text, f))) return true;
  }
  return false;
}

void MessageSearch::decode_bodies() {
  if (bodies_done_) return;
  bodies_done_ = true;
  std::vector<const PartStructure*> parts;
  collect_text_parts(message_.root(), parts);
  decoded_.reserve(parts.size());  // bodies_ views into these: they must not move
  for (const PartStructure* p : parts) {
    const std::string_view raw = message_.bytes(p->body);
    const Charset charset = classify_charset(p->content_type.param("charset"));
    const bool plain_encoding =
        p->transfer_encoding != "base64" && p->transfer_encoding != "quoted-printable";
    if (plain_encoding && (charset == Charset::Utf8 || charset == Charset::Other)) {
      bodies_.push_back(raw);  // searched where it lies
      continue;
    }
    const std::string transfer_decoded = mail::message::decode_body(raw, p->transfer_encoding);
    std::string utf8;
    append_as_utf8(utf8, transfer_decoded, charset);
    decoded_.push_back(std::move(utf8));
    bodies_.push_back(decoded_.back());
  }
}

void MessageSearch::decode_headers() {
  if (headers_done_) return;
  headers_done_ = true;
  const std::string_view text = message_.text();
  std::vector<const PartStructure*> parts;
  collect_headers(message_.root(), true, parts);
  for (const PartStructure* p : parts) {
    for (const auto& f : p->fields) {
      std::string line(f.name(text));
      line += ": ";
      line += decoded_value(text, f);
      headers_.push_back(std::move(line));
    }
  }
}

bool MessageSearch::body_contains(const Needle& needle) {
  decode_bodies();
  if (needle.empty()) return true;
  for (const auto body : bodies_)
    if (needle.found_in(body)) return true;
  return false;
}

bool MessageSearch::text_contains(const Needle& needle) {
  if (needle.empty()) return true;
  decode_headers();
  for (const auto& h : headers_)
    if (needle.found_in(h)) return true;
  return body_contains(needle);
}

std::optional<Date> MessageSearch::sent_date() const {
  const std::string_view text = message_.text();
  const auto* f = message_.root().field(text, "Date");
  if (f == nullptr) return std::nullopt;
  return parse_message_date(mail::message::unfold(f->value.in(text)));
}

}  // namespace endhost::imap::message
