// A recursive-descent parser over the whole command (RFC 9051 §9 and RFC 3501 §9 formal syntax). Each rule
// is a member returning false on error, with the first error's message kept; the caller returns at once, so
// nothing is read past an error. Recursion happens only in search keys and parameter values, each bounded
// by ParseLimits::max_depth.
#include "imap/command_parser.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <limits>

namespace endhost::imap {
namespace {

using Kind = ParseError::Kind;

constexpr std::uint64_t kMaxModSeq = (std::uint64_t{1} << 63) - 1;  // RFC 7162 §7 mod-sequence-value

bool digit(char c) {
  return c >= '0' && c <= '9';
}
bool alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// ATOM-CHAR: CHAR except atom-specials ( ) { SP CTL % * " \ ] (RFC 9051 §9).
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
bool astring_char(char c) {
  return atom_char(c) || c == ']';
}
bool tag_char(char c) {
  return astring_char(c) && c != '+';
}
bool list_char(char c) {
  return atom_char(c) || c == '%' || c == '*' || c == ']';
}
// RFC 5322 §3.6.8 ftext: a header field name.
bool field_char(char c) {
  return c >= 33 && c <= 126 && c != ':';
}

char upper_char(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = upper_char(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (upper_char(a[i]) != upper_char(b[i])) return false;
  }
  return true;
}

// RFC 3629 well-formed UTF-8 (RFC 9051 utf8-quoted: quoted strings may carry UTF-8).
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n;
    std::uint32_t cp, min;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xe0) == 0xc0) {
      n = 1, cp = b & 0x1f, min = 0x80;
    } else if ((b & 0xf0) == 0xe0) {
      n = 2, cp = b & 0x0f, min = 0x800;
    } else if ((b & 0xf8) == 0xf0) {
      n = 3, cp = b & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

struct NameEntry {
  std::string_view name;
  CommandName id;
  bool uid;  // may follow "UID" (RFC 9051 §6.4.9, RFC 4315 §2.1, RFC 6851 §3.2)
};

constexpr std::array<NameEntry, 30> kCommands = {{
    {"CAPABILITY", CommandName::Capability, false},
    {"NOOP", CommandName::Noop, false},
    {"LOGOUT", CommandName::Logout, false},
    {"STARTTLS", CommandName::Starttls, false},
    {"AUTHENTICATE", CommandName::Authenticate, false},
    {"LOGIN", CommandName::Login, false},
    {"ENABLE", CommandName::Enable, false},
    {"ID", CommandName::Id, false},
    {"NAMESPACE", CommandName::Namespace, false},
    {"SELECT", CommandName::Select, false},
    {"EXAMINE", CommandName::Examine, false},
    {"CREATE", CommandName::Create, false},
    {"DELETE", CommandName::Delete, false},
    {"RENAME", CommandName::Rename, false},
    {"SUBSCRIBE", CommandName::Subscribe, false},
    {"UNSUBSCRIBE", CommandName::Unsubscribe, false},
    {"LIST", CommandName::List, false},
    {"LSUB", CommandName::Lsub, false},
    {"STATUS", CommandName::Status, false},
    {"APPEND", CommandName::Append, false},
    {"CHECK", CommandName::Check, false},
    {"CLOSE", CommandName::Close, false},
    {"UNSELECT", CommandName::Unselect, false},
    {"EXPUNGE", CommandName::Expunge, true},
    {"SEARCH", CommandName::Search, true},
    {"FETCH", CommandName::Fetch, true},
    {"STORE", CommandName::Store, true},
    {"COPY", CommandName::Copy, true},
    {"MOVE", CommandName::Move, true},
    {"IDLE", CommandName::Idle, false},
}};

struct StatusName {
  std::string_view name;
  StatusItem item;
};
constexpr std::array<StatusName, 8> kStatusItems = {{
    {"MESSAGES", StatusItem::Messages},
    {"RECENT", StatusItem::Recent},
    {"UIDNEXT", StatusItem::UidNext},
    {"UIDVALIDITY", StatusItem::UidValidity},
    {"UNSEEN", StatusItem::Unseen},
    {"SIZE", StatusItem::Size},                    // RFC 8438
    {"DELETED", StatusItem::Deleted},              // RFC 9051 §6.3.11
    {"HIGHESTMODSEQ", StatusItem::HighestModSeq},  // RFC 7162 §3.1.6
}};

// What argument a search key takes (RFC 3501 §6.4.4).
enum class KeyArg { None, String, Date, Number, Header, Keyword, Not, Or, Uid, ModSeq };
struct KeyName {
  std::string_view name;
  SearchKey::Kind kind;
  KeyArg arg;
};
using SK = SearchKey::Kind;
constexpr std::array<KeyName, 36> kSearchKeys = {{
    {"ALL", SK::All, KeyArg::None},
    {"ANSWERED", SK::Answered, KeyArg::None},
    {"BCC", SK::Bcc, KeyArg::String},
    {"BEFORE", SK::Before, KeyArg::Date},
    {"BODY", SK::Body, KeyArg::String},
    {"CC", SK::Cc, KeyArg::String},
    {"DELETED", SK::Deleted, KeyArg::None},
    {"DRAFT", SK::Draft, KeyArg::None},
    {"FLAGGED", SK::Flagged, KeyArg::None},
    {"FROM", SK::From, KeyArg::String},
    {"HEADER", SK::Header, KeyArg::Header},
    {"KEYWORD", SK::Keyword, KeyArg::Keyword},
    {"LARGER", SK::Larger, KeyArg::Number},
    {"NEW", SK::New, KeyArg::None},
    {"NOT", SK::Not, KeyArg::Not},
    {"OLD", SK::Old, KeyArg::None},
    {"ON", SK::On, KeyArg::Date},
    {"OR", SK::Or, KeyArg::Or},
    {"RECENT", SK::Recent, KeyArg::None},
    {"SEEN", SK::Seen, KeyArg::None},
    {"SENTBEFORE", SK::SentBefore, KeyArg::Date},
    {"SENTON", SK::SentOn, KeyArg::Date},
    {"SENTSINCE", SK::SentSince, KeyArg::Date},
    {"SINCE", SK::Since, KeyArg::Date},
    {"SMALLER", SK::Smaller, KeyArg::Number},
    {"SUBJECT", SK::Subject, KeyArg::String},
    {"TEXT", SK::Text, KeyArg::String},
    {"TO", SK::To, KeyArg::String},
    {"UID", SK::Uid, KeyArg::Uid},
    {"UNANSWERED", SK::Unanswered, KeyArg::None},
    {"UNDELETED", SK::Undeleted, KeyArg::None},
    {"UNDRAFT", SK::Undraft, KeyArg::None},
    {"UNFLAGGED", SK::Unflagged, KeyArg::None},
    {"UNKEYWORD", SK::Unkeyword, KeyArg::Keyword},
    {"UNSEEN", SK::Unseen, KeyArg::None},
    {"MODSEQ", SK::ModSeq, KeyArg::ModSeq},
}};

struct FetchName {
  std::string_view name;
  FetchItem::Kind kind;
};
using FK = FetchItem::Kind;
constexpr std::array<FetchName, 10> kFetchItems = {{
    {"FLAGS", FK::Flags},
    {"INTERNALDATE", FK::InternalDate},
    {"RFC822", FK::Rfc822},
    {"RFC822.HEADER", FK::Rfc822Header},
    {"RFC822.SIZE", FK::Rfc822Size},
    {"RFC822.TEXT", FK::Rfc822Text},
    {"ENVELOPE", FK::Envelope},
    {"BODYSTRUCTURE", FK::BodyStructure},
    {"UID", FK::Uid},
    {"MODSEQ", FK::ModSeq},
}};

std::vector<FetchItem> items(std::initializer_list<FetchItem::Kind> kinds) {
  std::vector<FetchItem> out(kinds.size());
  std::size_t i = 0;
  for (FetchItem::Kind k : kinds) out[i++].kind = k;
  return out;
}

class Parser {
 public:
  Parser(std::string_view in, const ParseLimits& limits) : in_(in), lim_(limits) {}

  Expected<Command, ParseError> run() {
    Command cmd;
    if (!tag(cmd.tag) || !command(cmd)) return Unexpected(std::move(err_));
    return cmd;
  }

 private:
  // ---- errors ----
  bool fail(std::string_view message, Kind kind = Kind::Syntax) {
    if (!failed_) {
      failed_ = true;
      err_.kind = kind;
      err_.message = std::string(message);
    }
    return false;
  }
  bool limit(std::string_view message) { return fail(message, Kind::Limit); }

  // ---- characters ----
  bool at_end() const { return pos_ >= in_.size(); }
  bool next_is(char c) const { return !at_end() && in_[pos_] == c; }
  bool next_digit() const { return !at_end() && digit(in_[pos_]); }
  bool eat(char c) {
    if (!next_is(c)) return false;
    ++pos_;
    return true;
  }
  bool expect(char c, std::string_view message) { return eat(c) || fail(message); }
  bool sp() { return expect(' ', "Expected a space"); }
  bool end() { return at_end() || fail("Unexpected text after the arguments"); }
  // A space followed by `c`, without consuming anything.
  bool space_then(char c) const { return pos_ + 1 < in_.size() && in_[pos_] == ' ' && in_[pos_ + 1] == c; }

  // The longest run of characters `pred` accepts from here, consumed.
  template <class Pred>
  std::string_view run_of(Pred pred) {
    const std::size_t start = pos_;
    while (!at_end() && pred(in_[pos_])) ++pos_;
    return in_.substr(start, pos_ - start);
  }

  // ---- the tag and the name (RFC 9051 §9 command, tag) ----
  bool tag(std::string& out) {
    const std::string_view t = run_of(tag_char);
    if (t.empty() || (!at_end() && in_[pos_] != ' ')) return fail("Invalid tag");
    if (t.size() > lim_.max_tag) return limit("Tag too long");
    out = std::string(t);
    err_.tag = out;
    if (at_end()) return fail("Missing command");
    ++pos_;
    return true;
  }

  bool command(Command& cmd) {
    std::string_view name = run_of(atom_char);
    if (name.empty()) return fail("Missing command");
    if (iequals(name, "UID")) {
      cmd.uid = true;
      if (!sp()) return false;
      name = run_of(atom_char);
    }
    const NameEntry* entry = nullptr;
    for (const NameEntry& e : kCommands) {
      if (iequals(name, e.name)) entry = &e;
    }
    if (entry == nullptr || (cmd.uid && !entry->uid)) return fail("Unknown command", Kind::UnknownCommand);
    if (!at_end() && in_[pos_] != ' ') return fail("Unknown command", Kind::UnknownCommand);
    cmd.name = entry->id;
    return arguments(cmd);
  }

  bool arguments(Command& cmd) {
    switch (cmd.name) {
      case CommandName::Capability:
      case CommandName::Noop:
      case CommandName::Logout:
      case CommandName::Starttls:
      case CommandName::Namespace:
      case CommandName::Check:
      case CommandName::Close:
      case CommandName::Unselect:
      case CommandName::Idle:
        return end();
      case CommandName::Authenticate:
        return authenticate(cmd.args.emplace<AuthenticateArgs>());
      case CommandName::Login: {
        auto& a = cmd.args.emplace<LoginArgs>();
        return sp() && astring(a.userid) && sp() && astring(a.password) && end();
      }
      case CommandName::Enable:
        return enable(cmd.args.emplace<EnableArgs>());
      case CommandName::Id:
        return id(cmd.args.emplace<IdArgs>());
      case CommandName::Select:
      case CommandName::Examine: {
        auto& a = cmd.args.emplace<SelectArgs>();
        if (!sp() || !mailbox(a.mailbox)) return false;
        if (eat(' ') && !parameters(a.params)) return false;
        return end();
      }
      case CommandName::Create:
      case CommandName::Delete:
      case CommandName::Subscribe:
      case CommandName::Unsubscribe: {
        auto& a = cmd.args.emplace<MailboxArgs>();
        return sp() && mailbox(a.mailbox) && end();
      }
      case CommandName::Rename: {
        auto& a = cmd.args.emplace<RenameArgs>();
        return sp() && mailbox(a.from) && sp() && mailbox(a.to) && end();
      }
      case CommandName::List:
        return list(cmd.args.emplace<ListArgs>());
      case CommandName::Lsub: {
        auto& a = cmd.args.emplace<ListArgs>();
        a.patterns.emplace_back();
        return sp() && reference(a.reference) && sp() && list_mailbox(a.patterns.back()) && end();
      }
      case CommandName::Status:
        return status(cmd.args.emplace<StatusArgs>());
      case CommandName::Append:
        return append(cmd.args.emplace<AppendArgs>());
      case CommandName::Expunge: {
        auto& a = cmd.args.emplace<ExpungeArgs>();
        if (cmd.uid && (!sp() || !sequence_set(a.uid_set.emplace()))) return false;
        return end();
      }
      case CommandName::Search:
        return search(cmd.args.emplace<SearchArgs>());
      case CommandName::Fetch:
        return fetch(cmd.args.emplace<FetchArgs>());
      case CommandName::Store:
        return store(cmd.args.emplace<StoreArgs>());
      case CommandName::Copy:
      case CommandName::Move: {
        auto& a = cmd.args.emplace<CopyArgs>();
        return sp() && sequence_set(a.set) && sp() && mailbox(a.mailbox) && end();
      }
    }
    return fail("Unknown command", Kind::UnknownCommand);
  }

  // ---- strings (RFC 9051 §4.3) ----

  // 1*ATOM-CHAR.
  bool atom(std::string& out) {
    const std::string_view a = run_of(atom_char);
    if (a.empty()) return fail("Expected an atom");
    if (a.size() > lim_.max_string) return limit("Atom too long");
    out = std::string(a);
    return true;
  }

  // DQUOTE *QUOTED-CHAR DQUOTE; only \" and \\ are escapes; no CR, LF or NUL; 8-bit only as UTF-8.
  bool quoted(std::string& out, std::size_t max) {
    if (!expect('"', "Expected a quoted string")) return false;
    out.clear();
    bool eight_bit = false;
    while (true) {
      if (at_end()) return fail("Unterminated quoted string");
      char c = in_[pos_++];
      if (c == '"') break;
      if (c == '\\') {
        if (at_end() || (in_[pos_] != '"' && in_[pos_] != '\\'))
          return fail("Invalid escape in quoted string");
        c = in_[pos_++];
      } else if (c == '\r' || c == '\n' || c == '\0') {
        return fail("Invalid character in quoted string");
      }
      if (static_cast<unsigned char>(c) >= 0x80) eight_bit = true;
      if (out.size() >= max) return limit("Quoted string too long");
      out += c;
    }
    if (eight_bit && !valid_utf8(out)) return fail("Quoted string is not UTF-8");
    return true;
  }

  // "{" number ["+"] "}" CRLF *CHAR8: the bytes follow inline. NUL only where the caller allows it (CHAR8 is
  // %x01-ff; APPEND's message is stored as bytes).
  bool literal(std::string_view& out, std::size_t max, bool allow_nul = false) {
    if (!expect('{', "Expected a literal")) return false;
    const std::string_view n = run_of(digit);
    if (n.empty()) return fail("Invalid literal");
    std::uint64_t size = 0;
    for (char c : n) {
      if (size > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) return fail("Invalid literal");
      size = size * 10 + static_cast<std::uint64_t>(c - '0');
    }
    eat('+');
    if (!expect('}', "Invalid literal") || !expect('\r', "Invalid literal") ||
        !expect('\n', "Invalid literal")) {
      return false;
    }
    if (size > in_.size() - pos_) return fail("Literal shorter than announced");
    if (size > max) return limit("Literal too long");
    out = in_.substr(pos_, static_cast<std::size_t>(size));
    if (!allow_nul && out.find('\0') != std::string_view::npos) return fail("NUL in literal");
    pos_ += static_cast<std::size_t>(size);
    return true;
  }

  // string = quoted / literal.
  bool string(std::string& out, std::size_t max = std::numeric_limits<std::size_t>::max()) {
    if (next_is('"')) return quoted(out, std::min(max, lim_.max_string));
    if (next_is('{')) {
      std::string_view bytes;
      if (!literal(bytes, max)) return false;
      out = std::string(bytes);
      return true;
    }
    return fail("Expected a string");
  }

  // astring = 1*ASTRING-CHAR / string. `max` bounds every form; atoms and quoted strings max_string too.
  bool astring(std::string& out, std::size_t max = std::numeric_limits<std::size_t>::max()) {
    if (next_is('"') || next_is('{')) return string(out, max);
    const std::string_view a = run_of(astring_char);
    if (a.empty()) return fail("Expected a string");
    if (a.size() > std::min(max, lim_.max_string)) return limit("String too long");
    out = std::string(a);
    return true;
  }

  // nstring = string / NIL.
  bool nstring(std::optional<std::string>& out, std::size_t max) {
    if (next_is('"') || next_is('{')) return string(out.emplace(), max);
    if (!iequals(run_of(atom_char), "NIL")) return fail("Expected a string or NIL");
    out.reset();
    return true;
  }

  // mailbox = "INBOX" / astring (RFC 9051 §5.1: INBOX is case-insensitive).
  bool mailbox(std::string& out) {
    if (!astring(out, lim_.max_mailbox)) return false;
    if (iequals(out, "INBOX")) out = "INBOX";
    return true;
  }

  // LIST's reference: a mailbox name or prefix, kept as sent.
  bool reference(std::string& out) { return astring(out, lim_.max_mailbox); }

  // list-mailbox = 1*list-char / string.
  bool list_mailbox(std::string& out) {
    if (next_is('"') || next_is('{')) return string(out, lim_.max_mailbox);
    const std::string_view a = run_of(list_char);
    if (a.empty()) return fail("Expected a mailbox pattern");
    if (a.size() > std::min(lim_.max_mailbox, lim_.max_string)) return limit("Mailbox pattern too long");
    out = std::string(a);
    return true;
  }

  // ---- numbers and sets ----

  // number (RFC 9051 §9: 32 bits) or nz-number (no leading zero).
  bool number32(std::uint32_t& out, bool nonzero) {
    std::uint64_t v = 0;
    if (!number64(v, nonzero, std::numeric_limits<std::uint32_t>::max())) return false;
    out = static_cast<std::uint32_t>(v);
    return true;
  }

  bool number64(std::uint64_t& out, bool nonzero, std::uint64_t max) {
    const std::string_view n = run_of(digit);
    if (n.empty()) return fail("Expected a number");
    if (nonzero && n[0] == '0') return fail("Expected a number above zero");
    std::uint64_t v = 0;
    for (char c : n) {
      const auto d = static_cast<std::uint64_t>(c - '0');
      if (v > (max - d) / 10) return fail("Number too large");
      v = v * 10 + d;
    }
    out = v;
    return true;
  }

  // sequence-set (RFC 9051 §9): (seq-number / seq-range) *("," ...); seq-number = nz-number / "*".
  bool sequence_set(SequenceSet& out) {
    out.ranges.clear();
    do {
      if (out.ranges.size() >= lim_.max_sequence_ranges) return limit("Too many ranges in a sequence set");
      SeqRange r;
      if (!seq_number(r.first)) return false;
      r.last = r.first;
      if (eat(':') && !seq_number(r.last)) return false;
      out.ranges.push_back(r);
    } while (eat(','));
    return true;
  }

  bool seq_number(std::uint32_t& out) {
    if (eat('*')) {
      out = kStar;
      return true;
    }
    if (!next_digit()) return fail("Invalid sequence set");
    return number32(out, true);
  }

  // ---- flags (RFC 9051 §9 flag, flag-list) ----
  bool flag(Flag& out) {
    if (eat('\\')) {
      if (next_is('*')) return fail("\\* is not a flag a client can set");
      const std::string_view name = run_of(atom_char);
      if (name.empty()) return fail("Invalid flag");
      if (name.size() > lim_.max_string) return limit("Flag too long");
      static constexpr std::array<std::string_view, 5> kSystem = {"Answered", "Flagged", "Deleted", "Seen",
                                                                  "Draft"};
      for (std::string_view s : kSystem) {
        if (iequals(name, s)) {
          out = {FlagKind::System, "\\" + std::string(s)};
          return true;
        }
      }
      if (iequals(name, "Recent")) {
        out = {FlagKind::Recent, "\\Recent"};
      } else {
        out = {FlagKind::Extension, "\\" + std::string(name)};
      }
      return true;
    }
    // flag-keyword = atom
    const std::string_view name = run_of(atom_char);
    if (name.empty()) return fail("Invalid flag");
    if (name.size() > lim_.max_string) return limit("Flag too long");
    out = {FlagKind::Keyword, std::string(name)};
    return true;
  }

  bool push_flag(std::vector<Flag>& flags) {
    if (flags.size() >= lim_.max_flags) return limit("Too many flags");
    return flag(flags.emplace_back());
  }

  // "(" [flag *(SP flag)] ")"
  bool flag_list(std::vector<Flag>& out) {
    if (!expect('(', "Expected a flag list")) return false;
    if (eat(')')) return true;
    do {
      if (!push_flag(out)) return false;
    } while (eat(' '));
    return expect(')', "Expected ) after the flags");
  }

  // ---- parameters (RFC 4466 §2.1) ----

  // "(" param *(SP param) ")": a name, and a value when a digit, "*" or "(" follows it.
  bool parameters(std::vector<Parameter>& out) {
    if (!expect('(', "Expected a parameter list")) return false;
    do {
      if (out.size() >= lim_.max_list_items) return limit("Too many parameters");
      Parameter& p = out.emplace_back();
      if (!atom(p.name)) return false;
      p.name = upper(p.name);
      if (space_then('(') || space_then('*') ||
          (pos_ + 1 < in_.size() && in_[pos_] == ' ' && digit(in_[pos_ + 1]))) {
        ++pos_;
        const std::size_t start = pos_;
        if (!parameter_value(2)) return false;  // the list itself is level 1
        p.value = std::string(in_.substr(start, pos_ - start));
      }
    } while (eat(' '));
    return expect(')', "Expected ) after the parameters");
  }

  // tagged-ext-val: a number or set, or a parenthesised list of atoms, quoted strings, sets and lists. The
  // caller keeps its raw text; literals are not taken here (no extension we know sends one).
  bool parameter_value(std::size_t depth) {
    const auto simple = [](char c) { return astring_char(c) || c == '*'; };
    if (!eat('(')) {
      if (run_of(simple).empty()) return fail("Invalid parameter value");
      return true;
    }
    if (depth > lim_.max_depth) return limit("Parameters nested too deeply");
    if (eat(')')) return true;
    do {
      if (next_is('(')) {
        if (!parameter_value(depth + 1)) return false;
      } else if (next_is('"')) {
        std::string ignored;
        if (!quoted(ignored, lim_.max_string)) return false;
      } else if (run_of(simple).empty()) {
        return fail("Invalid parameter value");
      }
    } while (eat(' '));
    return expect(')', "Expected ) in a parameter value");
  }

  // The value of a parameter that must be a mod-sequence (RFC 7162 §7 mod-sequence-valzer).
  bool modseq_param(const std::vector<Parameter>& params, std::string_view name,
                    std::optional<std::uint64_t>& out) {
    for (const Parameter& p : params) {
      if (p.name != name) continue;
      Parser sub(p.value, lim_);
      std::uint64_t v = 0;
      if (p.value.empty() || !sub.number64(v, false, kMaxModSeq) || !sub.at_end()) {
        return fail("Invalid " + std::string(name) + " value");
      }
      out = v;
    }
    return true;
  }

  // ---- AUTHENTICATE, ENABLE, ID ----

  // AUTHENTICATE SP auth-type [SP (base64 / "=")] (RFC 9051 §6.2.2, RFC 4959 §3).
  bool authenticate(AuthenticateArgs& a) {
    if (!sp() || !atom(a.mechanism)) return false;
    a.mechanism = upper(a.mechanism);
    if (eat(' ')) {
      std::string& r = a.initial_response.emplace();
      if (!atom(r)) return false;
      if (r != "=" && !base64(r)) return fail("Invalid initial response");
    }
    return end();
  }

  static bool base64(std::string_view s) {
    if (s.empty() || s.size() % 4 != 0) return false;
    const std::size_t pad = s.size() - s.find_last_not_of('=') - 1;
    if (pad > 2) return false;
    for (std::size_t i = 0; i < s.size() - pad; ++i) {
      const char c = s[i];
      if (!alpha(c) && !digit(c) && c != '+' && c != '/') return false;
    }
    return true;
  }

  // ENABLE 1*(SP capability) (RFC 5161 §3.1).
  bool enable(EnableArgs& a) {
    do {
      if (a.capabilities.size() >= lim_.max_list_items) return limit("Too many capabilities");
      if (!sp() || !atom(a.capabilities.emplace_back())) return false;
      a.capabilities.back() = upper(a.capabilities.back());
    } while (!at_end());
    return true;
  }

  // ID SP ( "(" *(string SP nstring) ")" / NIL ) (RFC 2971 §4; pairs separated by SP).
  bool id(IdArgs& a) {
    if (!sp()) return false;
    if (!eat('(')) {
      if (!iequals(run_of(atom_char), "NIL")) return fail("Expected ( or NIL");
      return end();
    }
    auto& fields = a.fields.emplace();
    if (!eat(')')) {
      do {
        if (fields.size() >= lim_.max_id_pairs) return limit("Too many ID fields");
        auto& f = fields.emplace_back();
        if (!string(f.first, lim_.max_id_field) || !sp() || !nstring(f.second, lim_.max_id_value))
          return false;
      } while (eat(' '));
      if (!expect(')', "Expected ) after the ID fields")) return false;
    }
    return end();
  }

  // ---- LIST, STATUS ----

  // RFC 5258 §6: LIST [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts].
  bool list(ListArgs& a) {
    if (!sp()) return false;
    if (next_is('(')) {
      a.extended = true;
      if (!atom_list(a.selection, true) || !sp()) return false;
    }
    if (!reference(a.reference) || !sp()) return false;
    if (eat('(')) {
      a.extended = true;
      do {
        if (a.patterns.size() >= lim_.max_list_items) return limit("Too many patterns");
        if (!list_mailbox(a.patterns.emplace_back())) return false;
      } while (eat(' '));
      if (!expect(')', "Expected ) after the patterns")) return false;
    } else if (!list_mailbox(a.patterns.emplace_back())) {
      return false;
    }
    if (eat(' ')) {
      if (!iequals(run_of(atom_char), "RETURN")) return fail("Expected RETURN");
      a.extended = true;
      if (!sp() || !expect('(', "Expected ( after RETURN")) return false;
      if (!eat(')')) {
        do {
          if (a.return_options.size() >= lim_.max_list_items) return limit("Too many return options");
          std::string& o = a.return_options.emplace_back();
          if (!atom(o)) return false;
          o = upper(o);
          if (o == "STATUS" && (!sp() || !status_items(a.return_status))) return false;
        } while (eat(' '));
        if (!expect(')', "Expected ) after the return options")) return false;
      }
    }
    return end();
  }

  // "(" [atom *(SP atom)] ")", upper-cased.
  bool atom_list(std::vector<std::string>& out, bool may_be_empty) {
    if (!expect('(', "Expected (")) return false;
    if (may_be_empty && eat(')')) return true;
    do {
      if (out.size() >= lim_.max_list_items) return limit("Too many options");
      std::string& s = out.emplace_back();
      if (!atom(s)) return false;
      s = upper(s);
    } while (eat(' '));
    return expect(')', "Expected )");
  }

  // "(" status-att *(SP status-att) ")" (RFC 9051 §6.3.11).
  bool status_items(std::vector<StatusItem>& out) {
    if (!expect('(', "Expected ( before the status items")) return false;
    do {
      if (out.size() >= lim_.max_list_items) return limit("Too many status items");
      const std::string_view name = run_of(atom_char);
      const StatusName* found = nullptr;
      for (const StatusName& s : kStatusItems) {
        if (iequals(name, s.name)) found = &s;
      }
      if (found == nullptr) return fail("Unknown status item");
      out.push_back(found->item);
    } while (eat(' '));
    return expect(')', "Expected ) after the status items");
  }

  bool status(StatusArgs& a) { return sp() && mailbox(a.mailbox) && sp() && status_items(a.items) && end(); }

  // ---- APPEND (RFC 9051 §6.3.12) ----
  bool append(AppendArgs& a) {
    if (!sp() || !mailbox(a.mailbox) || !sp()) return false;
    if (next_is('(')) {
      if (!flag_list(a.flags) || !sp()) return false;
    }
    if (next_is('"')) {
      std::string text;
      if (!quoted(text, lim_.max_string)) return false;
      a.internal_date = parse_date_time(text);
      if (!a.internal_date) return fail("Invalid date-time");
      if (!sp()) return false;
    }
    if (next_is('~')) return fail("literal8 is not supported");
    return literal(a.message, std::numeric_limits<std::size_t>::max(), true) && end();
  }

  // ---- SEARCH (RFC 9051 §6.4.4, RFC 4731 §3 for RETURN) ----
  bool search(SearchArgs& a) {
    if (!sp()) return false;
    std::size_t save = pos_;
    if (iequals(run_of(atom_char), "RETURN")) {
      auto& opts = a.return_options.emplace();
      if (!sp() || !atom_list(opts, true) || !sp()) return false;
      save = pos_;
    }
    pos_ = save;
    if (iequals(run_of(atom_char), "CHARSET")) {
      std::string& c = a.charset.emplace();
      if (!sp() || !astring(c) || !sp()) return false;
      c = upper(c);
    } else {
      pos_ = save;
    }
    a.key.kind = SK::And;
    do {
      if (!search_key(a.key.children.emplace_back(), 1)) return false;
    } while (eat(' '));
    return end();
  }

  bool search_key(SearchKey& k, std::size_t depth) {
    if (depth > lim_.max_depth) return limit("Search keys nested too deeply");
    if (++keys_ > lim_.max_search_keys) return limit("Too many search keys");
    if (eat('(')) {
      k.kind = SK::And;
      do {
        if (!search_key(k.children.emplace_back(), depth + 1)) return false;
      } while (eat(' '));
      return expect(')', "Expected ) after the search keys");
    }
    if (next_digit() || next_is('*')) {
      k.kind = SK::SequenceSet;
      return sequence_set(k.set);
    }
    const std::string_view name = run_of(atom_char);
    const KeyName* found = nullptr;
    for (const KeyName& e : kSearchKeys) {
      if (iequals(name, e.name)) found = &e;
    }
    if (found == nullptr) return fail("Unknown search key");
    k.kind = found->kind;
    switch (found->arg) {
      case KeyArg::None:
        return true;
      case KeyArg::String:
        return sp() && astring(k.text);
      case KeyArg::Date:
        return sp() && date(k.date);
      case KeyArg::Number:
        return sp() && number64(k.number, false, kMaxModSeq);
      case KeyArg::Header:
        return sp() && field_name(k.field) && sp() && astring(k.text);
      case KeyArg::Keyword:
        return sp() && atom(k.text);
      case KeyArg::Not:
        return sp() && search_key(k.children.emplace_back(), depth + 1);
      case KeyArg::Or:
        return sp() && search_key(k.children.emplace_back(), depth + 1) && sp() &&
               search_key(k.children.emplace_back(), depth + 1);
      case KeyArg::Uid:
        return sp() && sequence_set(k.set);
      case KeyArg::ModSeq:
        // RFC 7162 §3.1.5: MODSEQ [SP entry-name SP entry-type-req] SP mod-sequence-valzer.
        if (!sp()) return false;
        if (next_is('"')) {
          std::string entry;
          if (!quoted(entry, lim_.max_string) || !sp()) return false;
          const std::string_view type = run_of(atom_char);
          if (!iequals(type, "priv") && !iequals(type, "shared") && !iequals(type, "all")) {
            return fail("Invalid MODSEQ entry type");
          }
          if (!sp()) return false;
        }
        return number64(k.number, false, kMaxModSeq);
    }
    return fail("Unknown search key");
  }

  // date = date-text / DQUOTE date-text DQUOTE.
  bool date(Date& out) {
    std::optional<Date> d;
    if (next_is('"')) {
      std::string text;
      if (!quoted(text, lim_.max_string)) return false;
      d = parse_date(text);
    } else {
      d = parse_date(run_of(atom_char));
    }
    if (!d) return fail("Invalid date");
    out = *d;
    return true;
  }

  // header-fld-name = astring, restricted to RFC 5322 field-name characters; upper-cased.
  bool field_name(std::string& out) {
    if (!astring(out, lim_.max_string)) return false;
    if (out.empty()) return fail("Invalid header field name");
    for (char c : out) {
      if (!field_char(c)) return fail("Invalid header field name");
    }
    out = upper(out);
    return true;
  }

  // ---- FETCH (RFC 9051 §6.4.5) ----
  bool fetch(FetchArgs& a) {
    if (!sp() || !sequence_set(a.set) || !sp()) return false;
    if (eat('(')) {
      do {
        if (!fetch_att(a.items)) return false;
      } while (eat(' '));
      if (!expect(')', "Expected ) after the fetch items")) return false;
    } else {
      const std::size_t save = pos_;
      const std::string_view word = run_of(atom_char);
      // RFC 9051 §6.4.5: the macros, equivalent to these lists.
      if (iequals(word, "ALL")) {
        a.items = items({FK::Flags, FK::InternalDate, FK::Rfc822Size, FK::Envelope});
      } else if (iequals(word, "FAST")) {
        a.items = items({FK::Flags, FK::InternalDate, FK::Rfc822Size});
      } else if (iequals(word, "FULL")) {
        a.items = items({FK::Flags, FK::InternalDate, FK::Rfc822Size, FK::Envelope, FK::Body});
      } else {
        pos_ = save;
        if (!fetch_att(a.items)) return false;
      }
      if (a.items.size() > lim_.max_fetch_items) return limit("Too many fetch items");
    }
    if (eat(' ') &&
        (!parameters(a.modifiers) || !modseq_param(a.modifiers, "CHANGEDSINCE", a.changed_since))) {
      return false;
    }
    return end();
  }

  bool fetch_att(std::vector<FetchItem>& items) {
    if (items.size() >= lim_.max_fetch_items) return limit("Too many fetch items");
    FetchItem& item = items.emplace_back();
    const std::string_view name = run_of([](char c) { return alpha(c) || digit(c) || c == '.'; });
    for (const FetchName& f : kFetchItems) {
      if (iequals(name, f.name)) {
        item.kind = f.kind;
        return true;
      }
    }
    const bool peek = iequals(name, "BODY.PEEK");
    if (!peek && !iequals(name, "BODY")) return fail("Unknown fetch item");
    if (!next_is('[')) {
      if (peek) return fail("Expected [ after BODY.PEEK");
      item.kind = FK::Body;
      return true;
    }
    item.kind = FK::BodySection;
    item.peek = peek;
    if (!section(item.section)) return false;
    if (eat('<')) {
      // "<" number "." nz-number ">"
      Partial& p = item.partial.emplace();
      if (!number32(p.origin, false) || !expect('.', "Invalid partial") || !number32(p.count, true) ||
          !expect('>', "Invalid partial")) {
        return false;
      }
    }
    return true;
  }

  // section = "[" [section-spec] "]" (RFC 9051 §9).
  bool section(Section& s) {
    if (!expect('[', "Expected [")) return false;
    if (eat(']')) return true;
    bool text = true;
    if (next_digit()) {
      text = false;
      do {
        if (!next_digit()) {
          text = true;  // "1.HEADER": the part ends, a section-text follows the dot
          break;
        }
        if (s.part.size() >= lim_.max_part_depth) return limit("Section part nested too deeply");
        if (!number32(s.part.emplace_back(), true)) return fail("Invalid section");
      } while (eat('.'));
    }
    if (text) {
      const std::string_view word = run_of([](char c) { return alpha(c) || c == '.'; });
      using T = Section::Text;
      if (iequals(word, "HEADER")) {
        s.text = T::Header;
      } else if (iequals(word, "HEADER.FIELDS")) {
        s.text = T::HeaderFields;
      } else if (iequals(word, "HEADER.FIELDS.NOT")) {
        s.text = T::HeaderFieldsNot;
      } else if (iequals(word, "TEXT")) {
        s.text = T::Text;
      } else if (iequals(word, "MIME") && !s.part.empty()) {
        s.text = T::Mime;  // section-text: MIME only after a part number
      } else {
        return fail("Invalid section");
      }
      if (s.text == T::HeaderFields || s.text == T::HeaderFieldsNot) {
        // header-list = "(" header-fld-name *(SP header-fld-name) ")"
        if (!sp() || !expect('(', "Expected ( before the header names")) return false;
        do {
          if (s.fields.size() >= lim_.max_header_fields) return limit("Too many header names");
          if (!field_name(s.fields.emplace_back())) return false;
        } while (eat(' '));
        if (!expect(')', "Expected ) after the header names")) return false;
      }
    }
    return expect(']', "Invalid section");
  }

  // ---- STORE (RFC 9051 §6.4.6, RFC 7162 §3.1.3) ----
  bool store(StoreArgs& a) {
    if (!sp() || !sequence_set(a.set) || !sp()) return false;
    if (next_is('(')) {
      if (!parameters(a.modifiers) || !modseq_param(a.modifiers, "UNCHANGEDSINCE", a.unchanged_since) ||
          !sp()) {
        return false;
      }
    }
    std::string_view item = run_of(atom_char);
    if (!item.empty() && (item[0] == '+' || item[0] == '-')) {
      a.mode = item[0] == '+' ? StoreArgs::Mode::Add : StoreArgs::Mode::Remove;
      item.remove_prefix(1);
    }
    if (iequals(item, "FLAGS.SILENT")) {
      a.silent = true;
    } else if (!iequals(item, "FLAGS")) {
      return fail("Expected FLAGS, +FLAGS or -FLAGS");
    }
    if (!sp()) return false;
    if (next_is('(')) {
      if (!flag_list(a.flags)) return false;
    } else {
      do {
        if (!push_flag(a.flags)) return false;
      } while (eat(' '));
    }
    return end();
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  const ParseLimits& lim_;
  bool failed_ = false;
  ParseError err_;
  std::size_t keys_ = 0;
};

}  // namespace

Expected<Command, ParseError> parse_command(std::string_view wire, const ParseLimits& limits) {
  return Parser(wire, limits).run();
}

}  // namespace endhost::imap
