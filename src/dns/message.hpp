// A whole DNS message as values (RFC 1035 §4.1): header, question and the three record sections, with the
// EDNS OPT pseudo-record lifted out of the additional section into `edns`. This is the convenient,
// allocating form used by the resolver, the dig-like client and tests; the authoritative fast path parses
// queries with parse_query() (query.hpp) and never builds a Message.
//
// Round trip: decode_message(encode_message(m)) == m for any m that encodes (names compare
// case-insensitively; header counts are recomputed by the encoder).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dns/edns.hpp"
#include "dns/error.hpp"
#include "dns/header.hpp"
#include "dns/name.hpp"
#include "dns/rdata.hpp"
#include "dns/types.hpp"

namespace endhost::dns {

struct Question {
  Name name;
  RRType type = RRType::A;
  RRClass klass = RRClass::IN;
  friend bool operator==(const Question&, const Question&) = default;
};

struct ResourceRecord {
  Name name;
  RRType type = RRType::A;
  RRClass klass = RRClass::IN;
  Ttl ttl;
  Rdata rdata;
  friend bool operator==(const ResourceRecord&, const ResourceRecord&) = default;
};

struct Message {
  Header header;  // counts are filled by decode and ignored (recomputed) by encode
  std::vector<Question> questions;
  std::vector<ResourceRecord> answers;
  std::vector<ResourceRecord> authorities;
  std::vector<ResourceRecord> additionals;  // never contains the OPT record; see edns
  std::optional<Edns> edns;

  // The full RCODE: header bits plus the EDNS extension (RFC 6891 §6.1.3).
  Rcode rcode() const;
  // Splits `r` into header and EDNS bits; an RCODE above 15 creates the EDNS record if missing.
  void set_rcode(Rcode r);

  friend bool operator==(const Message&, const Message&) = default;
};

// Decodes a complete message. Strict: every count must be honoured, no octet may follow the last record,
// at most one OPT, only in the additional section and owned by the root (RFC 6891 §6.1.1).
Result<Message> decode_message(std::span<const std::uint8_t> wire);

// Encodes into `out` with name compression; fails with Errc::buffer_full if it does not fit (no truncation
// here: that is the answer engine's policy) and Errc::bad_rdata if a record's RDATA does not match its type.
// Returns the number of octets written.
Result<std::size_t> encode_message(const Message& m, std::span<std::uint8_t> out);
// Convenience for non-hot paths: encodes into a new vector of at most 65535 octets.
Result<std::vector<std::uint8_t>> encode_message(const Message& m);

// A standard query as a stub or resolver sends it: one question, RD as given, optional EDNS.
Message make_query(std::uint16_t id, const Name& qname, RRType qtype, bool recursion_desired = true,
                   std::optional<Edns> edns = Edns{});

// Presentation, dig-like: ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1" then each section, one
// record per line as `owner TTL CLASS TYPE rdata`.
std::string to_string(const ResourceRecord& rr);
std::string to_string(const Question& q);
std::string to_string(const Message& m);

}  // namespace endhost::dns
