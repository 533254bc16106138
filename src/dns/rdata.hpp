// Typed RDATA for the record types endhost understands (RFC 1035 §3.3, RFC 3596, RFC 2782, RFC 6891) and the
// raw form every other type keeps (RFC 3597). Value types; names inside are owned. The codec functions here
// read and write only the RDATA field; RR framing lives in message.cpp.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "dns/compression.hpp"
#include "dns/edns.hpp"
#include "dns/error.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"
#include "dns/wire_reader.hpp"
#include "dns/wire_writer.hpp"

namespace endhost::dns {

namespace rdata {
struct A {
  std::array<std::uint8_t, 4> address{};
  friend bool operator==(const A&, const A&) = default;
};
struct Ns {
  Name host;
  friend bool operator==(const Ns&, const Ns&) = default;
};
struct Cname {
  Name target;
  friend bool operator==(const Cname&, const Cname&) = default;
};
struct Soa {
  Name mname;  // primary server
  Name rname;  // responsible mailbox
  std::uint32_t serial = 0;
  std::uint32_t refresh = 0;
  std::uint32_t retry = 0;
  std::uint32_t expire = 0;
  std::uint32_t minimum = 0;  // negative-caching TTL (RFC 2308 §4)
  friend bool operator==(const Soa&, const Soa&) = default;
};
struct Ptr {
  Name target;
  friend bool operator==(const Ptr&, const Ptr&) = default;
};
struct Mx {
  std::uint16_t preference = 0;
  Name exchange;
  friend bool operator==(const Mx&, const Mx&) = default;
};
struct Txt {
  std::vector<std::string> strings;  // each ≤ 255 octets, at least one
  friend bool operator==(const Txt&, const Txt&) = default;
};
struct Aaaa {
  std::array<std::uint8_t, 16> address{};
  friend bool operator==(const Aaaa&, const Aaaa&) = default;
};
struct Srv {
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  std::uint16_t port = 0;
  Name target;
  friend bool operator==(const Srv&, const Srv&) = default;
};
struct Opt {
  std::vector<EdnsOption> options;
  friend bool operator==(const Opt&, const Opt&) = default;
};
// Any other type, or a known type whose RDATA the caller wants untouched (RFC 3597).
struct Unknown {
  std::vector<std::uint8_t> data;
  friend bool operator==(const Unknown&, const Unknown&) = default;
};
}  // namespace rdata

using Rdata = std::variant<rdata::A, rdata::Ns, rdata::Cname, rdata::Soa, rdata::Ptr, rdata::Mx, rdata::Txt,
                           rdata::Aaaa, rdata::Srv, rdata::Opt, rdata::Unknown>;

// True for the types whose RDATA has a typed representation above (the rest decode as Unknown).
bool has_typed_rdata(RRType type);

// RFC 3597 §4: only the RFC 1035 types may have their RDATA names compressed by a sender. Of ours, that is
// NS, CNAME, SOA, PTR and MX; SRV targets must not be compressed (RFC 2782).
constexpr bool rdata_names_compressible(RRType t) {
  return t == RRType::NS || t == RRType::CNAME || t == RRType::SOA || t == RRType::PTR || t == RRType::MX;
}

// Decodes `rdlength` octets at the reader's cursor as RDATA of `type`. Names may be compressed for the types
// RFC 3597 §4 lists as decompressible (ours plus SRV). Fails unless exactly rdlength octets are consumed.
Result<Rdata> decode_rdata(RRType type, WireReader& reader, std::uint16_t rdlength);
// Decodes standalone, uncompressed RDATA (for example as stored in a Zone).
Result<Rdata> decode_rdata(RRType type, std::span<const std::uint8_t> rdata);

// Writes the RDATA field (without RDLENGTH). Names are compressed only when `table` is given and the type
// allows it. Returns false for RDATA that cannot be encoded (a TXT string over 255 octets).
bool encode_rdata(WireWriter& w, RRType type, const Rdata& rd, CompressionTable* table);
// The uncompressed wire form (what a Zone stores). Fails like encode_rdata or past 65535 octets.
Result<std::vector<std::uint8_t>> rdata_to_wire(RRType type, const Rdata& rd);
// Copies stored uncompressed RDATA of `type` into a message, compressing embedded names where allowed.
// Precondition: `stored` came from rdata_to_wire (names valid and uncompressed).
void write_stored_rdata(WireWriter& w, RRType type, std::span<const std::uint8_t> stored,
                        CompressionTable* table);
// The name inside stored RDATA that additional-section processing follows (NS host, MX exchange, SRV
// target, CNAME target), or nullptr-equivalent root view with found == false.
bool stored_rdata_target(RRType type, std::span<const std::uint8_t> stored, NameView& out);

// Presentation form of the RDATA alone (RFC 1035 §5.1; RFC 3597 §5 `\# len hex` for Unknown).
std::string rdata_to_string(RRType type, const Rdata& rd);

}  // namespace endhost::dns
