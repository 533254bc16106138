// DKIM key records (RFC 6376 §3.6.1): the TXT record at SELECTOR._domainkey.DOMAIN, parsed for the verifier
// and written for `endhost mail dkim-key` and the zone file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace endhost::mail::dkim {

// k=: rsa (RFC 6376 §3.6.1) or ed25519 (RFC 8463 §4.2).
enum class KeyType { Rsa, Ed25519 };
std::string_view key_type_name(KeyType k);  // "rsa", "ed25519"

struct KeyRecord {
  KeyType type = KeyType::Rsa;
  // p=, decoded: DER SubjectPublicKeyInfo for rsa, the raw 32 octets for ed25519. Empty: revoked (§3.6.1).
  std::string public_key;
  std::vector<std::string> hashes;  // h=; empty: every hash
  bool testing = false;             // t=y
  bool strict_identity = false;     // t=s: i='s domain must be d= exactly
  bool email_service = true;        // s= lists email or *, or is absent
};

// The joined strings of one TXT record. v=, when present, must be the first tag and "DKIM1"; k= defaults to
// rsa; p= is required.
Expected<KeyRecord, std::string> parse_key_record(std::string_view text);

// "v=DKIM1; k=ed25519; p=BASE64" for the public key's bytes (as KeyRecord::public_key).
std::string format_key_record(KeyType type, std::string_view public_key);

// The zone file line for the record: `SELECTOR._domainkey.DOMAIN. IN TXT ( "…" "…" )`, the text cut into
// character-strings of at most 255 octets (RFC 1035 §3.3.14; a 2048-bit RSA key's record is ~410), which a
// verifier joins back (RFC 6376 §3.6.2.2). On one line, so that any master-file reader takes it.
std::string zone_line(std::string_view selector, std::string_view domain, std::string_view record_text);

// The record's owner name: "SELECTOR._domainkey.DOMAIN" (§3.6.2.1).
std::string key_name(std::string_view selector, std::string_view domain);

}  // namespace endhost::mail::dkim
