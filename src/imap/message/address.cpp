#include "imap/message/address.hpp"

#include <utility>

#include "imap/message/wire_string.hpp"

namespace endhost::imap::message {

namespace {

// RFC 5322 §3.2.3 atext, plus '.' (obs-phrase, dot-atom) and 8-bit bytes (RFC 6532 UTF-8 names).
bool word_char(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  if (c >= 0x80) return true;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  constexpr std::string_view kAtext = "!#$%&'*+-/=?^_`{|}~.";
  return kAtext.find(ch) != std::string_view::npos;
}

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  bool done() const { return i_ >= s_.size(); }
  std::size_t pos() const { return i_; }
  void seek(std::size_t i) { i_ = i; }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void advance() { ++i_; }

  // RFC 5322 §3.2.2 CFWS: blanks, line ends and (nested) comments. The last comment's text is kept, since
  // `addr (Name)` is the old way of naming (RFC 822), which Dovecot shows as the name.
  void skip_cfws() {
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++i_;
      } else if (c == '(') {
        std::size_t depth = 0;
        std::string comment;
        while (i_ < s_.size()) {
          char d = s_[i_++];
          if (d == '\\') {
            if (i_ >= s_.size()) break;
            d = s_[i_++];
          } else if (d == '(') {
            if (depth++ == 0) continue;
          } else if (d == ')' && --depth == 0) {
            break;
          }
          comment += d;
        }
        last_comment_ = std::move(comment);
      } else {
        return;
      }
    }
  }
  std::optional<std::string> take_comment() { return std::exchange(last_comment_, std::nullopt); }

  // A word (atom or quoted string, §3.2.5), unquoted; nullopt when the next thing is a special.
  std::optional<std::string> word() {
    skip_cfws();
    if (i_ >= s_.size()) return std::nullopt;
    if (s_[i_] == '"') {
      std::string out;
      ++i_;
      while (i_ < s_.size() && s_[i_] != '"') {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
        out += s_[i_++];
      }
      if (i_ < s_.size()) ++i_;  // an unterminated string ends at the end of the field
      return out;
    }
    const std::size_t start = i_;
    while (i_ < s_.size() && word_char(s_[i_])) ++i_;
    if (i_ == start) return std::nullopt;
    return std::string(s_.substr(start, i_ - start));
  }

  // §3.4.1 domain: a dot-atom (blanks and comments around the dots dropped) or a domain literal, kept with
  // its brackets.
  std::string domain() {
    skip_cfws();
    std::string out;
    if (peek() == '[') {
      while (i_ < s_.size() && s_[i_] != ']') {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
        out += s_[i_++];
      }
      if (i_ < s_.size()) ++i_;
      out += ']';
      return out;
    }
    for (;;) {
      skip_cfws();
      const std::size_t start = i_;
      while (i_ < s_.size() && word_char(s_[i_])) ++i_;
      if (i_ == start) break;
      out.append(s_.substr(start, i_ - start));
    }
    return out;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
  std::optional<std::string> last_comment_;
};

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

std::vector<std::string> phrase(Reader& r) {
  std::vector<std::string> words;
  while (auto w = r.word()) words.push_back(std::move(*w));
  return words;
}

Address mailbox_of(std::optional<std::string> name, std::string local, std::string domain) {
  Address a;
  a.name = std::move(name);
  a.mailbox = local.empty() ? std::string(kMissingMailbox) : std::move(local);
  a.host = domain.empty() ? std::string(kMissingDomain) : std::move(domain);
  return a;
}

// §3.4 angle-addr after its "<": [route] addr-spec ">". An obs-route ("@a,@b:", §4.4) is kept as IMAP's
// adl ("@a,@b"), as Dovecot shows it.
Address angle_addr(Reader& r, std::optional<std::string> name) {
  r.skip_cfws();
  std::optional<std::string> route;
  if (r.peek() == '@') {
    const std::size_t start = r.pos();
    std::string adl;
    while (r.peek() == '@') {
      r.advance();
      if (!adl.empty()) adl += ',';
      adl += '@';
      adl += r.domain();
      r.skip_cfws();
      while (r.peek() == ',') {
        r.advance();
        r.skip_cfws();
      }
    }
    if (r.peek() == ':') {
      r.advance();
      route = std::move(adl);
    } else {
      r.seek(start);  // not a route after all: "<@host>" is an address without its local part
    }
  }
  const std::vector<std::string> local = phrase(r);
  std::string domain;
  r.skip_cfws();
  if (r.peek() == '@') {
    r.advance();
    domain = r.domain();
  }
  while (!r.done() && r.peek() != '>') r.advance();
  if (r.peek() == '>') r.advance();
  std::string local_part;
  for (const auto& w : local) local_part += w;
  Address a = mailbox_of(std::move(name), std::move(local_part), std::move(domain));
  a.route = std::move(route);
  return a;
}

// One mailbox (§3.4: name-addr or addr-spec) whose phrase has been read. False when there was nothing.
bool finish_mailbox(Reader& r, std::vector<std::string> words, std::vector<Address>& out) {
  r.skip_cfws();
  const char c = r.peek();
  if (c == '<') {
    r.advance();
    std::optional<std::string> name;
    if (!words.empty()) name = join(words);
    const std::size_t before = r.pos();
    Address a = angle_addr(r, std::move(name));
    // "<>" or a stray "<" with nothing in it and no name: not an address.
    const bool nothing = !a.name && a.mailbox == kMissingMailbox && a.host == kMissingDomain;
    if (!nothing) out.push_back(std::move(a));
    return !nothing || r.pos() > before;
  }
  if (c == '@') {
    r.advance();
    std::string local;
    for (const auto& w : words) local += w;
    (void)r.take_comment();
    std::string domain = r.domain();
    r.skip_cfws();  // `user@host (Name)`: the comment after the address names it
    out.push_back(mailbox_of(r.take_comment(), std::move(local), std::move(domain)));
    return true;
  }
  if (words.empty()) return false;
  // A phrase with no address: one word is a local user ("root"), more are a name without an address.
  if (words.size() == 1) {
    out.push_back(mailbox_of(std::nullopt, std::move(words[0]), {}));
  } else {
    out.push_back(mailbox_of(join(words), {}, {}));
  }
  return true;
}

}  // namespace

std::vector<Address> parse_address_list(std::string_view value) {
  std::vector<Address> out;
  Reader r(value);
  bool in_group = false;
  while (out.size() < kMaxAddressesPerField) {
    r.skip_cfws();
    if (r.done()) break;
    const std::size_t start = r.pos();
    const char c = r.peek();
    if (c == ',') {
      r.advance();
      continue;
    }
    if (c == ';') {
      r.advance();
      if (in_group) {
        out.push_back(Address{});  // §3.4 group end: (NIL NIL NIL NIL)
        in_group = false;
      }
      continue;
    }
    std::vector<std::string> words = phrase(r);
    r.skip_cfws();
    if (r.peek() == ':' && !in_group) {
      // §3.4 group: display-name ":" [group-list] ";"
      r.advance();
      Address begin;
      begin.mailbox = join(words);
      out.push_back(std::move(begin));
      in_group = true;
      continue;
    }
    if (!finish_mailbox(r, std::move(words), out) && r.pos() == start)
      r.advance();  // skip what is unreadable
  }
  if (in_group && out.size() < kMaxAddressesPerField) out.push_back(Address{});  // a group without its ';'
  return out;
}

void append_address_list(std::string& out, const std::vector<Address>& list) {
  if (list.empty()) {
    out += "NIL";
    return;
  }
  out += '(';
  for (const auto& a : list) {
    out += '(';
    append_nstring(out, a.name);
    out += ' ';
    append_nstring(out, a.route);
    out += ' ';
    append_nstring(out, a.mailbox);
    out += ' ';
    append_nstring(out, a.host);
    out += ')';
  }
  out += ')';
}

}  // namespace endhost::imap::message
