#include "imap/command.hpp"

namespace endhost::imap {
namespace {

// ATOM-CHAR (RFC 9051 §9): CHAR except atom-specials.
bool atom_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) return false;
  switch (c) {
    case '(':
    case ')':
    case '{':
    case '%':
    case '*':
    case '"':
    case '\\':
    case ']':
      return false;
    default:
      return true;
  }
}

// A header field name as an astring: an atom when it can be one, else quoted.
void append_field(std::string& out, const std::string& name) {
  bool atom = !name.empty();
  for (char c : name) atom = atom && atom_char(c);
  if (atom) {
    out += name;
    return;
  }
  out += '"';
  for (char c : name) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

std::string_view to_string(CommandName name) {
  switch (name) {
    case CommandName::Capability:
      return "CAPABILITY";
    case CommandName::Noop:
      return "NOOP";
    case CommandName::Logout:
      return "LOGOUT";
    case CommandName::Starttls:
      return "STARTTLS";
    case CommandName::Authenticate:
      return "AUTHENTICATE";
    case CommandName::Login:
      return "LOGIN";
    case CommandName::Enable:
      return "ENABLE";
    case CommandName::Id:
      return "ID";
    case CommandName::Namespace:
      return "NAMESPACE";
    case CommandName::Select:
      return "SELECT";
    case CommandName::Examine:
      return "EXAMINE";
    case CommandName::Create:
      return "CREATE";
    case CommandName::Delete:
      return "DELETE";
    case CommandName::Rename:
      return "RENAME";
    case CommandName::Subscribe:
      return "SUBSCRIBE";
    case CommandName::Unsubscribe:
      return "UNSUBSCRIBE";
    case CommandName::List:
      return "LIST";
    case CommandName::Lsub:
      return "LSUB";
    case CommandName::Status:
      return "STATUS";
    case CommandName::Append:
      return "APPEND";
    case CommandName::Check:
      return "CHECK";
    case CommandName::Close:
      return "CLOSE";
    case CommandName::Unselect:
      return "UNSELECT";
    case CommandName::Expunge:
      return "EXPUNGE";
    case CommandName::Search:
      return "SEARCH";
    case CommandName::Fetch:
      return "FETCH";
    case CommandName::Store:
      return "STORE";
    case CommandName::Copy:
      return "COPY";
    case CommandName::Move:
      return "MOVE";
    case CommandName::Idle:
      return "IDLE";
  }
  return "";
}

std::string Section::to_string() const {
  std::string out;
  for (std::uint32_t p : part) {
    if (!out.empty()) out += '.';
    out += std::to_string(p);
  }
  if (text == Text::None) return out;
  if (!out.empty()) out += '.';
  switch (text) {
    case Text::None:
      break;
    case Text::Header:
      out += "HEADER";
      break;
    case Text::HeaderFields:
      out += "HEADER.FIELDS";
      break;
    case Text::HeaderFieldsNot:
      out += "HEADER.FIELDS.NOT";
      break;
    case Text::Text:
      out += "TEXT";
      break;
    case Text::Mime:
      out += "MIME";
      break;
  }
  if (text == Text::HeaderFields || text == Text::HeaderFieldsNot) {
    out += " (";
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out += ' ';
      append_field(out, fields[i]);
    }
    out += ')';
  }
  return out;
}

std::string FetchItem::response_name() const {
  switch (kind) {
    case Kind::Flags:
      return "FLAGS";
    case Kind::InternalDate:
      return "INTERNALDATE";
    case Kind::Rfc822:
      return "RFC822";
    case Kind::Rfc822Header:
      return "RFC822.HEADER";
    case Kind::Rfc822Size:
      return "RFC822.SIZE";
    case Kind::Rfc822Text:
      return "RFC822.TEXT";
    case Kind::Envelope:
      return "ENVELOPE";
    case Kind::Body:
      return "BODY";
    case Kind::BodyStructure:
      return "BODYSTRUCTURE";
    case Kind::Uid:
      return "UID";
    case Kind::ModSeq:
      return "MODSEQ";
    case Kind::BodySection:
      break;
  }
  // RFC 9051 §7.5.2: `BODY[section]<origin>`, the origin only when the fetch was partial.
  std::string out = "BODY[" + section.to_string() + "]";
  if (partial) out += "<" + std::to_string(partial->origin) + ">";
  return out;
}

}  // namespace endhost::imap
