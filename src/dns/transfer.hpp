// Zone transfer and change notification messages, sans-I/O. AxfrStream turns a Zone into the sequence of
// AXFR response messages (RFC 5936): SOA first, every other record, SOA last, packed into as few messages as
// fit. The session owns transport, the TCP length prefix and the ACL; it keeps the Zone alive while
// streaming. make_notify builds a NOTIFY (RFC 1996) for a zone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "dns/error.hpp"
#include "dns/journal.hpp"
#include "dns/query.hpp"
#include "dns/zone.hpp"

namespace endhost::dns {

class AxfrStream {
 public:
  // `query` is the parsed AXFR request (for ID, question echo and opcode); the zone must outlive the stream.
  AxfrStream(const Zone& zone, const ParsedQuery& query) : zone_(&zone), query_(query) {}

  bool done() const { return phase_ == Phase::done; }
  // Writes the next message into `out` (at most min(out.size(), 65535) octets) and returns its size.
  // Fails with buffer_full if a single record does not fit an empty message; returns 0 once done.
  Result<std::size_t> next(std::span<std::uint8_t> out);

 private:
  enum class Phase : std::uint8_t { first_soa, body, last_soa, done };
  const Zone* zone_;
  ParsedQuery query_;
  Phase phase_ = Phase::first_soa;
  std::size_t node_ = 0, rrset_ = 0, record_ = 0;  // cursor in the body
  bool first_message_ = true;
};

// The incremental answer to an IXFR (RFC 1995 §4): the current SOA; for each delta the old SOA, the records
// removed, the new SOA and the records added; then the current SOA again, packed into as few messages as fit.
// With no deltas it is the current SOA alone: the client is up to date (§4). The zone and the deltas must
// outlive the stream. (A client whose version the journal does not know gets an AxfrStream instead.)
class IxfrStream {
 public:
  IxfrStream(const Zone& zone, std::span<const ZoneDelta> deltas, const ParsedQuery& query);

  bool done() const { return at_ == sequence_.size(); }
  // As AxfrStream::next.
  Result<std::size_t> next(std::span<std::uint8_t> out);
  // Whether the whole answer fits one message of `limit` octets (for IXFR over UDP, RFC 1995 §2).
  bool fits_in(std::size_t limit) const;

 private:
  ParsedQuery query_;
  JournalRecord current_soa_;
  std::vector<const JournalRecord*> sequence_;  // into the deltas; nullptr stands for current_soa_
  std::size_t at_ = 0;
  bool first_message_ = true;
};

// A NOTIFY request for `zone` (RFC 1996 §3.7): opcode NOTIFY, AA set, question <origin> SOA IN and the
// current SOA in the answer section as a hint. Returns the octets written.
Result<std::size_t> make_notify(const Zone& zone, std::uint16_t id, std::span<std::uint8_t> out);

}  // namespace endhost::dns
