// RFC 5322 §3.4 address lists read into IMAP's address structures (RFC 3501 §7.4.2, RFC 9051 §7.5.2):
// (name adl mailbox host), groups as a start marker (NIL NIL "group name" NIL) and an end marker
// (NIL NIL NIL NIL). Lenient, as a server must be with stored mail: quoted local parts are unquoted, display
// names are kept as written (RFC 2047 words are not decoded: IMAP sends them as they are), comments are
// dropped except `user@host (Name)`, whose comment is the name, and what cannot be read is skipped. Dovecot's
// output is the reference (an obs-route is shown as the adl, as it does).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace endhost::imap::message {

// An address with no domain would read as a group marker (host NIL), so Dovecot's placeholders fill the
// missing halves.
inline constexpr std::string_view kMissingMailbox = "MISSING_MAILBOX";
inline constexpr std::string_view kMissingDomain = "MISSING_DOMAIN";
// Addresses read from one field; the rest are dropped (a hostile To: costs no more than this).
inline constexpr std::size_t kMaxAddressesPerField = 2000;

struct Address {
  std::optional<std::string> name;     // display name, as written (quotes removed, words joined by one space)
  std::optional<std::string> route;    // adl: an obs-route "@a,@b" (RFC 5322 §4.4), else NIL
  std::optional<std::string> mailbox;  // local part; a group's name in its start marker; NIL in its end
  std::optional<std::string> host;     // domain; NIL in both group markers
  friend bool operator==(const Address&, const Address&) = default;
};

// `value` is the field's value, unfolded.
std::vector<Address> parse_address_list(std::string_view value);

// `((name adl mailbox host)(...))`, or NIL for an empty list.
void append_address_list(std::string& out, const std::vector<Address>& list);

}  // namespace endhost::imap::message
