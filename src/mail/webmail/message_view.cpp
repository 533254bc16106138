#include "mail/webmail/message_view.hpp"

#include <algorithm>
#include <array>

#include "imap/message/charset.hpp"
#include "mail/message/encoded_words.hpp"
#include "mail/message/mime.hpp"
#include "mail/webmail/form.hpp"

namespace endhost::mail::webmail {

namespace {

namespace mm = mail::message;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string field_value(std::string_view text, const mm::PartStructure& part, std::string_view name) {
  const mm::FieldRange* f = part.field(text, name);
  if (!f) return {};
  std::string v = mm::unfold(f->value.in(text));
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
  return v;
}

std::string decoded_field(std::string_view text, const mm::PartStructure& part, std::string_view name) {
  return mm::decode_header_text(field_value(text, part, name));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 2231 §4: charset'language'percent-encoded (only UTF-8 and ASCII are meant; others pass as bytes).
std::string decode_extended(std::string_view v) {
  const auto q1 = v.find('\'');
  const auto q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) return std::string(v);
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

std::string param(const std::optional<mm::ParameterizedValue>& pv, std::string_view name) {
  if (!pv) return {};
  const std::string star = std::string(name) + "*";
  for (const auto& p : pv->params)
    if (lower(p.name) == star) return decode_extended(p.value);
  for (const auto& p : pv->params)
    if (lower(p.name) == name) return mm::decode_header_text(p.value);
  return {};
}

// The file name a part gives (Content-Disposition's filename, else Content-Type's name), without any
// directory: it is shown and offered as a download name.
std::string part_filename(std::string_view text, const mm::PartStructure& part) {
  auto cd = mm::parse_parameterized_value(field_value(text, part, "Content-Disposition"), false);
  std::string name = param(cd, "filename");
  if (name.empty())
    name = param(mm::parse_parameterized_value(field_value(text, part, "Content-Type"), true), "name");
  const auto slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name.erase(0, slash + 1);
  name.erase(
      std::remove_if(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }),
      name.end());
  return name;
}

bool attachment_disposition(std::string_view text, const mm::PartStructure& part, bool* is_inline) {
  auto cd = mm::parse_parameterized_value(field_value(text, part, "Content-Disposition"), false);
  if (is_inline) *is_inline = cd && lower(cd->type) == "inline";
  return cd && lower(cd->type) == "attachment";
}

std::string text_as_utf8(std::string_view text, const mm::PartStructure& part) {
  const std::string decoded = mm::decode_body(part.body.in(text), part.transfer_encoding);
  std::string out;
  imap::message::append_as_utf8(out, decoded,
                                imap::message::classify_charset(part.content_type.param("charset")));
  return out;
}

std::string content_id(std::string_view text, const mm::PartStructure& part) {
  std::string id = field_value(text, part, "Content-ID");
  while (!id.empty() && (id.front() == '<' || id.front() == ' ')) id.erase(0, 1);
  while (!id.empty() && (id.back() == '>' || id.back() == ' ')) id.pop_back();
  return id;
}

struct Walker {
  std::string_view text;
  MessageView view;

  void walk(const mm::PartStructure& part, const std::string& id, bool alternative) {
    if (part.kind == mm::PartKind::Multipart) {
      const bool alt = part.content_type.subtype == "alternative";
      for (std::size_t i = 0; i < part.parts.size(); ++i)
        walk(part.parts[i], id.empty() ? std::to_string(i + 1) : id + "." + std::to_string(i + 1), alt);
      return;
    }
    const std::string number = id.empty() ? "1" : id;
    bool is_inline = false;
    const bool attached = attachment_disposition(text, part, &is_inline);
    const std::string filename = part_filename(text, part);
    const std::string& type = part.content_type.type;
    const std::string& subtype = part.content_type.subtype;
    if (part.kind == mm::PartKind::Leaf && type == "text" && !attached && filename.empty()) {
      if (subtype == "plain" && (view.text.empty() || !alternative)) {
        if (!view.text.empty()) view.text += "\n";
        view.text += text_as_utf8(text, part);
        return;
      }
      if (subtype == "html" && view.html_part.empty()) {
        view.html_part = number;
        return;
      }
    }
    AttachmentInfo a;
    a.part = number;
    a.filename = filename;
    if (a.filename.empty() && part.kind == mm::PartKind::Message) a.filename = "message.eml";
    a.content_type = type + "/" + subtype;
    a.content_id = content_id(text, part);
    a.size = mm::decode_body(part.body.in(text), part.transfer_encoding).size();
    a.inline_disposition = is_inline;
    view.attachments.push_back(std::move(a));
  }
};

const mm::PartStructure* find_part(const mm::PartStructure& root, std::string_view number) {
  const mm::PartStructure* p = &root;
  if (root.kind != mm::PartKind::Multipart) return number == "1" ? &root : nullptr;
  while (!number.empty()) {
    const auto dot = number.find('.');
    const std::string_view head = number.substr(0, dot);
    number = dot == std::string_view::npos ? std::string_view() : number.substr(dot + 1);
    std::size_t n = 0;
    if (head.empty() || head.size() > 4) return nullptr;
    for (char c : head) {
      if (c < '0' || c > '9') return nullptr;
      n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    if (p->kind != mm::PartKind::Multipart || n == 0 || n > p->parts.size()) return nullptr;
    p = &p->parts[n - 1];
  }
  return p == &root ? nullptr : p;
}

mm::StructureOptions options() {
  mm::StructureOptions o;
  o.encapsulated = false;  // a forwarded message is an attachment here, opened as a file
  return o;
}

}  // namespace

HeaderSummary summarize_header(std::string_view message) {
  // Only the header is wanted: the structure of the first bytes, without their body parts.
  mm::StructureOptions o = options();
  o.max_depth = 0;
  const mm::PartStructure root = mm::parse_structure(message, o);
  HeaderSummary h;
  h.from = decoded_field(message, root, "From");
  h.to = decoded_field(message, root, "To");
  h.cc = decoded_field(message, root, "Cc");
  h.subject = decoded_field(message, root, "Subject");
  h.date = field_value(message, root, "Date");
  h.message_id = field_value(message, root, "Message-ID");
  return h;
}

MessageView view_message(std::string_view message) {
  const mm::PartStructure root = mm::parse_structure(message, options());
  Walker w{message, {}};
  w.view.header = summarize_header(message);
  w.walk(root, "", false);
  return std::move(w.view);
}

std::optional<PartContent> extract_part(std::string_view message, std::string_view number) {
  const mm::PartStructure root = mm::parse_structure(message, options());
  const mm::PartStructure* p = find_part(root, number);
  if (!p || p->kind == mm::PartKind::Multipart) return std::nullopt;
  PartContent c;
  c.filename = part_filename(message, *p);
  c.content_type = p->content_type.type + "/" + p->content_type.subtype;
  c.charset = p->content_type.param("charset");
  c.data = mm::decode_body(p->body.in(message), p->transfer_encoding);
  return c;
}

std::optional<std::string> part_text(std::string_view message, std::string_view number) {
  const mm::PartStructure root = mm::parse_structure(message, options());
  const mm::PartStructure* p = find_part(root, number);
  if (!p || p->kind != mm::PartKind::Leaf || p->content_type.type != "text") return std::nullopt;
  return text_as_utf8(message, *p);
}

std::string part_for_content_id(std::string_view message, std::string_view id) {
  const MessageView v = view_message(message);
  for (const auto& a : v.attachments)
    if (!a.content_id.empty() && a.content_id == id) return a.part;
  return {};
}

std::string safe_download_type(std::string_view content_type) {
  const std::string t = lower(content_type.substr(0, content_type.find(';')));
  static constexpr std::array<std::string_view, 12> kSafe = {
      "application/pdf", "application/zip", "application/gzip", "application/octet-stream",
      "image/png",       "image/jpeg",      "image/gif",        "image/webp",
      "audio/mpeg",      "video/mp4",       "text/plain",       "text/csv"};
  for (std::string_view s : kSafe) {
    if (t == s) return t.starts_with("text/") ? t + "; charset=utf-8" : t;
  }
  return "application/octet-stream";
}

std::string safe_filename(std::string_view name, std::string_view fallback) {
  const auto slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string out;
  for (const char c : name)
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  while (!out.empty() && out.front() == ' ') out.erase(0, 1);
  if (out.empty() || out == "." || out == "..") return std::string(fallback);
  return out;
}

std::string eml_filename(std::string_view subject) {
  constexpr std::size_t kMax = 60;
  std::string name;
  bool space = false;
  for (const char c : subject) {
    const auto u = static_cast<unsigned char>(c);
    // What file systems and shells take without trouble: no path separators, quotes, wildcards or
    // control bytes; runs of anything else become one space.
    const bool bad = u < 0x20 || u == 0x7f || c == '/' || c == '\\' || c == '"' || c == '\'' || c == ':' ||
                     c == '*' || c == '?' || c == '<' || c == '>' || c == '|' || c == ' ';
    if (bad) {
      space = !name.empty();
      continue;
    }
    if (space) name += ' ';
    space = false;
    name += c;
  }
  if (name.size() > kMax) {
    std::size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80)
      --cut;  // not inside a character
    name.resize(cut);
  }
  while (!name.empty() && (name.back() == ' ' || name.back() == '.')) name.pop_back();
  while (!name.empty() && (name.front() == '.' || name.front() == ' ')) name.erase(0, 1);
  return (name.empty() ? std::string("message") : name) + ".eml";
}

std::string attachment_disposition_field(std::string_view name) {
  std::string ascii;
  for (const char ch : name) {
    const auto u = static_cast<unsigned char>(ch);
    ascii += (u < 0x20 || u >= 0x7F || ch == '"' || ch == '\\') ? '_' : ch;
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + url_encode(name);
}

}  // namespace endhost::mail::webmail
