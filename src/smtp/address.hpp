// Envelope addresses and the arguments of MAIL FROM / RCPT TO (RFC 5321 §4.1.2, §4.1.3, §4.5.3.1; RFC 6531
// §3.3 for UTF-8). Pure functions over one command's argument text; no allocation beyond the result.
//
//   Path           = "<" [ A-d-l ":" ] Mailbox ">"        ; the source route A-d-l is read and ignored
//   (§4.1.2) Mailbox        = Local-part "@" ( Domain / address-literal ) Local-part     = Dot-string /
//   Quoted-string           ; at most 64 octets (§4.5.3.1.1) Domain         = sub-domain *("." sub-domain) ;
//   at most 255 octets (§4.5.3.1.2) Mail-parameters = esmtp-param *(SP esmtp-param)       ; esmtp-keyword
//   ["=" esmtp-value]
//
// Departures, each as Postfix: a space between `FROM:` and the `<` is accepted (the textbook writes
// `MAIL FROM: <alice@crepes.fr>`); `<postmaster>` without a domain is a path (§4.5.1 says it must be
// accepted at RCPT). UTF-8 (in the local part and as U-labels in the domain) is accepted only when the caller
// says the transaction is SMTPUTF8 (RFC 6531 §3.4); it must be well-formed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace endhost::smtp {

struct Mailbox {
  std::string local_part;  // decoded: a quoted local part without its quotes and backslashes
  std::string domain;      // as sent: a domain, or an address literal with its brackets; "" for <postmaster>
  bool utf8 = false;       // some octet is non-ASCII
  // `local@domain`, the local part quoted again (RFC 5321 §4.1.2 Quoted-string) when it is not a Dot-string.
  std::string address() const;
  friend bool operator==(const Mailbox&, const Mailbox&) = default;
};

struct Path {
  bool null = false;  // "<>": the reverse path of a bounce (§4.5.5)
  Mailbox mailbox;    // empty when null
  friend bool operator==(const Path&, const Path&) = default;
};

struct Parameter {
  std::string keyword;  // upper-cased (esmtp-keyword is case-insensitive, §4.1.2)
  std::string value;    // as sent; "" when there was no "="
  bool has_value = false;
  friend bool operator==(const Parameter&, const Parameter&) = default;
};

enum class AddressError {
  Syntax,   // not `FROM:<path>` / `TO:<path>`, or the path or a parameter does not parse: 501 5.1.7/5.1.3
  TooLong,  // local part > 64, domain > 255, path > 256 (§4.5.3.1): 501 5.1.7/5.1.3 (Postfix 501)
  NullNotAllowed,  // "<>" as a forward path: 501 5.1.3
  Utf8NotAllowed,  // non-ASCII without SMTPUTF8 (RFC 6531 §3.4): 553 5.6.7
  BadUtf8,         // not well-formed UTF-8: 501 5.6.7
};

struct PathArgs {
  Path path;
  std::vector<Parameter> parameters;  // in order; at most kMaxParameters
};

inline constexpr std::size_t kMaxLocalPart = 64;
inline constexpr std::size_t kMaxDomain = 255;
inline constexpr std::size_t kMaxPath = 256;
inline constexpr std::size_t kMaxParameters = 16;

// The argument text of MAIL (`keyword` "FROM") or RCPT ("TO"), after the verb's space. `utf8_allowed`:
// the transaction (MAIL's own SMTPUTF8 parameter, for MAIL) allows UTF-8 addresses. MAIL's SMTPUTF8 is in
// `parameters`, so for MAIL the caller parses, looks for it, and checks `Mailbox::utf8` itself; pass true.
Expected<PathArgs, AddressError> parse_path_args(std::string_view args, std::string_view keyword,
                                                 bool allow_null, bool utf8_allowed);

// One path alone, "<...>" whole (for tests and the fuzz target).
Expected<Path, AddressError> parse_path(std::string_view text, bool utf8_allowed);

// RFC 5321 §4.1.2 Domain or address-literal (also the EHLO argument's syntax, §4.1.1.1).
bool valid_domain(std::string_view domain, bool utf8_allowed);
bool valid_address_literal(std::string_view literal);

// Whether `text` is well-formed UTF-8 (RFC 3629 §4: no overlongs, no surrogates, at most U+10FFFF).
bool valid_utf8(std::string_view text);

}  // namespace endhost::smtp
