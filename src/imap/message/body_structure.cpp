#include "imap/message/body_structure.hpp"

#include "imap/message/envelope.hpp"
#include "imap/message/wire_string.hpp"

namespace endhost::imap::message {

namespace {

using mail::message::MimeParameter;
using mail::message::parse_parameterized_value;
using mail::message::PartKind;
using mail::message::unfold;

constexpr std::string_view kEmptyBody = R"~(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0))~";
constexpr std::string_view kEmptyBodyStructure =
    R"~(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL))~";
constexpr std::string_view kEmptyEnvelope = "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)";

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

std::optional<std::string> field_value(std::string_view text, const PartStructure& part,
                                       std::string_view name) {
  const auto* f = part.field(text, name);
  if (f == nullptr) return std::nullopt;
  return unfold(f->value.in(text));
}

// body-fld-param: ("name" "value" ...) or NIL; text/* gets the default charset when it names none.
void append_params(std::string& out, const std::vector<MimeParameter>& params, bool default_charset) {
  bool charset = false;
  for (const auto& p : params) charset = charset || iequal(p.name, "charset");
  if (params.empty() && !default_charset) {
    out += "NIL";
    return;
  }
  out += '(';
  bool first = true;
  for (const auto& p : params) {
    if (!first) out += ' ';
    first = false;
    append_quoted_or_literal(out, p.name);
    out += ' ';
    append_quoted_or_literal(out, p.value);
  }
  if (default_charset && !charset) {
    if (!first) out += ' ';
    out += R"~("charset" "us-ascii")~";
  }
  out += ')';
}

// body-fld-dsp, body-fld-lang, body-fld-loc: what both kinds of part end with.
void append_common_extension(std::string& out, std::string_view text, const PartStructure& part) {
  out += ' ';
  const auto disposition = field_value(text, part, "Content-Disposition");
  const auto parsed = disposition ? parse_parameterized_value(*disposition, false) : std::nullopt;
  if (!parsed) {
    out += "NIL";
  } else {
    out += '(';
    append_quoted_or_literal(out, parsed->type);
    out += ' ';
    append_params(out, parsed->params, false);
    out += ')';
  }
  out += ' ';
  // RFC 3282 Content-Language: a comma-separated list of language tags (comments and blanks dropped).
  std::vector<std::string> languages;
  if (const auto v = field_value(text, part, "Content-Language")) {
    std::string tag;
    int comment = 0;
    auto flush = [&] {
      if (!tag.empty()) languages.push_back(std::move(tag));
      tag.clear();
    };
    for (const char c : *v) {
      if (c == '(') {
        ++comment;
      } else if (c == ')' && comment > 0) {
        --comment;
      } else if (comment > 0) {
      } else if (c == ',') {
        flush();
      } else if (c != ' ' && c != '\t') {
        tag += c;
      }
    }
    flush();
  }
  if (languages.empty()) {
    out += "NIL";
  } else {
    out += '(';
    for (std::size_t i = 0; i < languages.size(); ++i) {
      if (i > 0) out += ' ';
      append_quoted_or_literal(out, languages[i]);
    }
    out += ')';
  }
  out += ' ';
  append_nstring(out, field_value(text, part, "Content-Location"));
}

void append_part(std::string& out, std::string_view text, const PartStructure& part, BodyForm form);

void append_multipart(std::string& out, std::string_view text, const PartStructure& part, BodyForm form) {
  const bool ext = form == BodyForm::BodyStructure;
  if (part.parts.empty()) out += ext ? kEmptyBodyStructure : kEmptyBody;
  for (const auto& child : part.parts) append_part(out, text, child, form);
  const auto ct = field_value(text, part, "Content-Type");
  const auto parsed = ct ? parse_parameterized_value(*ct, true) : std::nullopt;
  out += ' ';
  append_quoted_or_literal(out, parsed ? std::string_view(parsed->subtype) : part.content_type.subtype);
  if (!ext) return;
  out += ' ';
  append_params(out, parsed ? parsed->params : std::vector<MimeParameter>{}, false);
  append_common_extension(out, text, part);
}

void append_single(std::string& out, std::string_view text, const PartStructure& part, BodyForm form) {
  const bool ext = form == BodyForm::BodyStructure;
  std::optional<mail::message::ParameterizedValue> parsed;
  if (part.content_type_given) {
    if (const auto ct = field_value(text, part, "Content-Type"))
      parsed = parse_parameterized_value(*ct, true);
  }
  const std::string_view type = parsed ? std::string_view(parsed->type) : part.content_type.type;
  const std::string_view subtype = parsed ? std::string_view(parsed->subtype) : part.content_type.subtype;
  const bool is_text = iequal(type, "text");
  append_quoted_or_literal(out, type);
  out += ' ';
  append_quoted_or_literal(out, subtype);
  out += ' ';
  append_params(out, parsed ? parsed->params : std::vector<MimeParameter>{}, is_text);
  out += ' ';
  append_nstring(out, field_value(text, part, "Content-ID"));
  out += ' ';
  append_nstring(out, field_value(text, part, "Content-Description"));
  out += ' ';
  // body-fld-enc as written when it is a token, else the default.
  std::string encoding = "7bit";
  if (const auto cte = field_value(text, part, "Content-Transfer-Encoding")) {
    if (const auto tok = parse_parameterized_value(*cte, false)) encoding = tok->type;
  }
  append_quoted_or_literal(out, encoding);
  out += ' ';
  out += std::to_string(part.body.size + part.body_bare_lf);
  if (part.kind == PartKind::Message) {
    out += ' ';
    if (part.parts.empty()) {
      out += kEmptyEnvelope;
      out += ' ';
      out += ext ? kEmptyBodyStructure : kEmptyBody;
    } else {
      append_envelope(out, make_envelope(text, part.parts.front()));
      out += ' ';
      append_part(out, text, part.parts.front(), form);
    }
    out += ' ';
    out += std::to_string(part.body_lines);
  } else if (is_text) {
    out += ' ';
    out += std::to_string(part.body_lines);
  }
  if (!ext) return;
  out += ' ';
  append_nstring(out, field_value(text, part, "Content-MD5"));
  append_common_extension(out, text, part);
}

void append_part(std::string& out, std::string_view text, const PartStructure& part, BodyForm form) {
  out += '(';
  if (part.kind == PartKind::Multipart) {
    append_multipart(out, text, part, form);
  } else {
    append_single(out, text, part, form);
  }
  out += ')';
}

}  // namespace

void append_body_structure(std::string& out, const ParsedMessage& message, BodyForm form) {
  append_part(out, message.text(), message.root(), form);
}

void append_body_structure(std::string& out, std::string_view text, const PartStructure& part,
                           BodyForm form) {
  append_part(out, text, part, form);
}

}  // namespace endhost::imap::message
