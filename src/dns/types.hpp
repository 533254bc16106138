// Strong types for the DNS integers that are easy to mix up: RR type, class, TTL, opcode and RCODE.
// Every enum has a fixed underlying type so that any value seen on the wire can be held (RFC 3597).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace endhost::dns {

// RR TYPE (RFC 1035 §3.2.2 and the IANA registry). Values without a name here are still valid RRType values.
enum class RRType : std::uint16_t {
  A = 1,
  NS = 2,
  CNAME = 5,
  SOA = 6,
  PTR = 12,
  HINFO = 13,
  MX = 15,
  TXT = 16,
  AAAA = 28,
  SRV = 33,
  DNAME = 39,
  OPT = 41,
  DS = 43,
  RRSIG = 46,
  NSEC = 47,
  DNSKEY = 48,
  CAA = 257,
  // QTYPEs (RFC 1035 §3.2.3).
  IXFR = 251,
  AXFR = 252,
  MAILB = 253,
  MAILA = 254,
  ANY = 255,
};

// RR CLASS (RFC 1035 §3.2.4).
enum class RRClass : std::uint16_t { IN = 1, CH = 3, HS = 4, NONE = 254, ANY = 255 };

// OPCODE (RFC 1035 §4.1.1, RFC 1996, RFC 2136).
enum class Opcode : std::uint8_t { QUERY = 0, IQUERY = 1, STATUS = 2, NOTIFY = 4, UPDATE = 5 };

// The full 12-bit RCODE: 4 bits in the header, 8 more in the EDNS OPT TTL (RFC 6891 §6.1.3).
enum class Rcode : std::uint16_t {
  NOERROR = 0,
  FORMERR = 1,
  SERVFAIL = 2,
  NXDOMAIN = 3,
  NOTIMP = 4,
  REFUSED = 5,
  YXDOMAIN = 6,
  YXRRSET = 7,
  NXRRSET = 8,
  NOTAUTH = 9,
  NOTZONE = 10,
  BADVERS = 16,
};

// A time to live in seconds (RFC 1035 §3.2.1; RFC 2181 §8 limits it to 2^31 - 1). Kept apart from other
// 32-bit integers such as serials and sizes.
struct Ttl {
  std::uint32_t seconds = 0;
  constexpr auto operator<=>(const Ttl&) const = default;
};

constexpr std::uint16_t to_underlying(RRType t) {
  return static_cast<std::uint16_t>(t);
}
constexpr std::uint16_t to_underlying(RRClass c) {
  return static_cast<std::uint16_t>(c);
}
constexpr std::uint16_t to_underlying(Rcode r) {
  return static_cast<std::uint16_t>(r);
}
constexpr std::uint8_t to_underlying(Opcode o) {
  return static_cast<std::uint8_t>(o);
}

// Presentation names. Unnamed values print in the RFC 3597 §5 generic form: TYPE65280, CLASS7, and
// RCODE/OPCODE numbers as decimal.
std::string to_string(RRType t);
std::string to_string(RRClass c);
std::string to_string(Rcode r);
std::string to_string(Opcode o);
// Case-insensitive parse of a mnemonic or of the generic TYPEnnn / CLASSnnn form.
std::optional<RRType> rrtype_from_string(std::string_view text);
std::optional<RRClass> rrclass_from_string(std::string_view text);

// QTYPEs that never appear as record data (RFC 6895 §3.1: meta and question-only types).
constexpr bool is_meta_type(RRType t) {
  auto v = to_underlying(t);
  return v == 0 || v == to_underlying(RRType::OPT) || (v >= 128 && v <= 255);
}

}  // namespace endhost::dns
