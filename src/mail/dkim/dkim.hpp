// DKIM signing and verification (RFC 6376 §5, §6; RFC 8463), sans-I/O. Signing is one call. Verification is
// two steps around the key lookup the caller does (src/mail/checks does it over mail::dns::MailDns):
//
//   auto v = Verification::start(message);          // finds and parses the DKIM-Signature fields
//   for (i < v->count())
//     if (auto name = v->key_query(i)) { TXT lookup of *name } ; v->finish(i, lookup status, records, now)
//
// Limits: at most kMaxSignatures fields are verified (the top-most ones, the last added); the rest are not
// looked at (a message with 50 signatures costs 5 lookups, not 50).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "mail/dkim/canonicalization.hpp"
#include "mail/dkim/crypto.hpp"
#include "mail/dkim/signature.hpp"

namespace endhost::mail::dkim {

inline constexpr std::size_t kMaxSignatures = 5;

// ---- Signing (§5) ----------------------------------------------------------------------------------------

struct SignOptions {
  std::string domain;    // d=
  std::string selector;  // s=
  // h=: names in order, as written. Empty: default_signed_headers() of the message.
  std::vector<std::string> headers;
  std::int64_t timestamp = 0;              // t= (seconds since the epoch); 0: no t=
  std::optional<std::int64_t> expiration;  // x=
  Canon header_canon = Canon::Relaxed;
  Canon body_canon = Canon::Relaxed;
};

// The fields worth signing that the message has (From, To, Cc, Subject, Date, Message-ID, Reply-To,
// In-Reply-To, References, MIME-Version, Content-Type, Content-Transfer-Encoding), each listed once per
// occurrence, and From once more: an over-signed From (§8.15) means a From added later breaks the signature.
std::vector<std::string> default_signed_headers(const SplitMessage& message);

// The DKIM-Signature field (with its CRLF, folded at 78 columns) to put in front of `message`. The message
// must have a From field (§5.4: "The From header field MUST be signed").
Expected<std::string, std::string> sign_message(std::string_view message, const PrivateKey& key,
                                                const SignOptions& options);

// ---- Verification (§6) -----------------------------------------------------------------------------------

// RFC 8601 §2.7.1 results for the dkim method.
enum class Status { Pass, Fail, Neutral, Policy, TempError, PermError };
std::string_view status_name(Status s);  // "pass", "fail", …

enum class KeyLookup { Found, NotFound /* NXDOMAIN, no TXT */, TempFail /* SERVFAIL, timeout */ };

struct Verdict {
  Status status = Status::PermError;
  std::string reason;  // "" for pass; one line otherwise ("body hash did not verify")
  // From the signature when it could be read (header.d, header.s, header.i, header.b in the results).
  std::string domain, selector, identity, b_text;
  std::optional<Algorithm> algorithm;
};

class Verification {
 public:
  // An error when the message's header section cannot be read at all.
  static Expected<Verification, std::string> start(std::string_view message);

  std::size_t count() const { return fields_.size(); }
  // The TXT name the key of signature i is at ("sel._domainkey.example.com"), or nullopt when the signature
  // is decided without it (unreadable, l=, rsa-sha1): finish() then needs no records.
  std::optional<std::string> key_query(std::size_t i) const;
  // Verifies signature i with the TXT records found at key_query(i) (each record's strings joined). `now` is
  // the time in seconds since the epoch, for x=.
  Verdict finish(std::size_t i, KeyLookup lookup, const std::vector<std::string>& records,
                 std::int64_t now) const;

 private:
  struct Field {
    std::size_t header_index = 0;
    Expected<Signature, std::string> parsed;
  };
  std::shared_ptr<const std::string> message_;  // the fields below point into it
  SplitMessage split_;
  std::vector<Field> fields_;
};

// What the header hash covers (§3.7): the fields named in h=, each the last one not yet used, canonicalized;
// then `signature_field` with its b= value removed, canonicalized, without its final CRLF.
std::string header_hash_input(const SplitMessage& message, Canon canon, const std::vector<std::string>& names,
                              std::string_view signature_field);

}  // namespace endhost::mail::dkim
