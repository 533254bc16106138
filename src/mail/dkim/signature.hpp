// The DKIM-Signature header field (RFC 6376 §3.5): its tags parsed and checked as §6.1.1 requires, and the
// field with its b= value emptied for the header hash (§3.7).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "mail/dkim/canonicalization.hpp"

namespace endhost::mail::dkim {

// rsa-sha1 is parsed so that a verifier can say why it refuses it (RFC 8301 §3.1: verifiers MUST NOT consider
// such signatures valid).
enum class Algorithm { RsaSha256, Ed25519Sha256, RsaSha1 };
std::string_view algorithm_name(Algorithm a);  // "rsa-sha256", "ed25519-sha256", "rsa-sha1"

struct Signature {
  Algorithm algorithm = Algorithm::RsaSha256;  // a=
  std::string signature;                       // b=, decoded
  std::string b_text;                          // b= as written, white space removed (header.b)
  std::string body_hash;                       // bh=, decoded
  Canon header_canon = Canon::Simple;          // c= (§3.5: simple/simple by default)
  Canon body_canon = Canon::Simple;
  std::string domain;                        // d= (SDID), as written
  std::vector<std::string> headers;          // h=, as written, in order
  std::string identity;                      // i= (AUID); "@" + d when absent
  std::optional<std::uint64_t> body_length;  // l=
  std::string selector;                      // s=
  std::optional<std::int64_t> timestamp;     // t=
  std::optional<std::int64_t> expiration;    // x=
};

// The value of a DKIM-Signature field (after the ':'). Checks of §6.1.1: v=1; a, b, bh, d, h, s present; a
// known; c known; q, when present, lists dns/txt; h lists From; i's domain is d or below it; x not before t;
// t, x and l are decimal (at most 12, 12 and 76 digits, §3.5). The error is one line saying which rule
// failed.
Expected<Signature, std::string> parse_signature(std::string_view value);

// The field, as given (name, ':', value, CRLF), with the b= tag's value removed and everything else kept byte
// for byte (§3.7: "the value of the b= tag … MUST be treated as though it were an empty string").
std::string without_b_value(std::string_view raw_field);

// Whether `name` is a syntactically valid domain or selector: dot-separated labels of letters, digits, '-'
// and '_' (selectors and _domainkey use it), 1 to 63 octets each, 253 in all.
bool valid_domain_name(std::string_view name);

}  // namespace endhost::mail::dkim
