// Closed TCP ports on the emulated network: the lab's "switch" for a server on emulated links (the mail
// experiment takes Bob's SMTP port down and brings it back). A TCP segment to or from a blocked (address,
// port) does not cross the links; its sender gets a RST instead (RFC 9293 §3.10.7.1, RFC 793 §3.4 "Reset
// Generation"), as from a host with nothing listening: a SYN to the port gets "connection refused", and a
// connection that was open is reset at its next segment, in either direction. Sans-I/O: packets in,
// packets out; the link pump asks it about every packet a host writes.
#pragma once

#include <cstdint>
#include <set>
#include <span>
#include <utility>
#include <vector>

namespace endhost::netem {

class PortBlock {
 public:
  // `address` in host byte order.
  void set(std::uint32_t address, std::uint16_t port, bool blocked);
  bool blocked(std::uint32_t address, std::uint16_t port) const;
  bool empty() const { return blocked_.empty(); }

  // True when `packet` is an IPv4 TCP segment to or from a blocked port: it must be dropped, and `reset` is
  // then the RST to hand back to its sender (left empty when the segment is itself a RST, which is never
  // answered). False for anything else, `reset` untouched.
  bool intercept(std::span<const std::uint8_t> packet, std::vector<std::uint8_t>& reset) const;

 private:
  std::set<std::pair<std::uint32_t, std::uint16_t>> blocked_;
};

// The RST answering `segment`, an IPv4 TCP packet, from its destination back to its source (RFC 9293
// §3.10.7.1): if the segment has ACK, <SEQ=SEG.ACK><CTL=RST>; else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>,
// SEG.LEN counting SYN and FIN. A 40-byte datagram with both checksums (RFC 791 §3.1, RFC 9293 §3.1). Empty
// when `segment` is not a whole IPv4 TCP segment, is a fragment, or is a RST.
std::vector<std::uint8_t> tcp_reset_for(std::span<const std::uint8_t> segment);

}  // namespace endhost::netem
