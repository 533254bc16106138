#include "netem/port_block.hpp"

namespace endhost::netem {

namespace {

constexpr std::uint8_t kTcp = 6;  // RFC 790's protocol number
constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kAck = 0x10;

std::uint16_t get16(std::span<const std::uint8_t> p, std::size_t at) {
  return static_cast<std::uint16_t>(p[at] << 8 | p[at + 1]);
}
std::uint32_t get32(std::span<const std::uint8_t> p, std::size_t at) {
  return std::uint32_t{p[at]} << 24 | std::uint32_t{p[at + 1]} << 16 | std::uint32_t{p[at + 2]} << 8 |
         p[at + 3];
}
void put16(std::vector<std::uint8_t>& p, std::size_t at, std::uint16_t v) {
  p[at] = static_cast<std::uint8_t>(v >> 8);
  p[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(std::vector<std::uint8_t>& p, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

// The Internet checksum's one's-complement sum of 16-bit words (RFC 1071), not yet complemented.
std::uint32_t sum16(std::span<const std::uint8_t> bytes, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) sum += get16(bytes, i);
  if (bytes.size() % 2) sum += std::uint32_t{bytes.back()} << 8;
  return sum;
}
std::uint16_t fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

// A whole, unfragmented IPv4 TCP segment's fields, or nothing.
struct Segment {
  std::uint32_t src = 0, dst = 0;
  std::uint16_t src_port = 0, dst_port = 0;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t flags = 0;
  std::size_t payload = 0;
};

bool parse_segment(std::span<const std::uint8_t> p, Segment& s) {
  if (p.size() < 20 || p[0] >> 4 != 4) return false;
  const std::size_t ihl = std::size_t{p[0] & 0x0fu} * 4;
  const std::size_t total = get16(p, 2);
  if (ihl < 20 || total < ihl + 20 || total > p.size() || p[9] != kTcp) return false;
  // A fragment (more fragments, or an offset) does not carry the whole header where we would read it.
  if ((get16(p, 6) & 0x3fff) != 0) return false;
  const std::size_t data_offset = static_cast<std::size_t>(p[ihl + 12] >> 4) * 4;
  if (data_offset < 20 || ihl + data_offset > total) return false;
  s.src = get32(p, 12);
  s.dst = get32(p, 16);
  s.src_port = get16(p, ihl);
  s.dst_port = get16(p, ihl + 2);
  s.seq = get32(p, ihl + 4);
  s.ack = get32(p, ihl + 8);
  s.flags = p[ihl + 13];
  s.payload = total - ihl - data_offset;
  return true;
}

}  // namespace

void PortBlock::set(std::uint32_t address, std::uint16_t port, bool blocked) {
  if (blocked)
    blocked_.emplace(address, port);
  else
    blocked_.erase({address, port});
}

bool PortBlock::blocked(std::uint32_t address, std::uint16_t port) const {
  return blocked_.contains({address, port});
}

bool PortBlock::intercept(std::span<const std::uint8_t> packet, std::vector<std::uint8_t>& reset) const {
  if (blocked_.empty()) return false;
  Segment s;
  if (!parse_segment(packet, s)) return false;
  if (!blocked(s.dst, s.dst_port) && !blocked(s.src, s.src_port)) return false;
  reset = tcp_reset_for(packet);
  return true;
}

std::vector<std::uint8_t> tcp_reset_for(std::span<const std::uint8_t> segment) {
  Segment s;
  if (!parse_segment(segment, s) || (s.flags & kRst)) return {};
  std::vector<std::uint8_t> r(40, 0);
  r[0] = 0x45;  // version 4, IHL 5
  put16(r, 2, 40);
  put16(r, 6, 0x4000);  // DF, as Linux sends its RSTs
  r[8] = 64;            // TTL
  r[9] = kTcp;
  put32(r, 12, s.dst);
  put32(r, 16, s.src);
  put16(r, 10, fold(sum16(std::span(r).first(20))));
  put16(r, 20, s.dst_port);
  put16(r, 22, s.src_port);
  if (s.flags & kAck) {
    put32(r, 24, s.ack);
    r[33] = kRst;
  } else {
    const std::uint32_t len =
        static_cast<std::uint32_t>(s.payload) + ((s.flags & kSyn) ? 1u : 0u) + ((s.flags & kFin) ? 1u : 0u);
    put32(r, 28, s.seq + len);
    r[33] = kRst | kAck;
  }
  r[32] = 5 << 4;  // data offset: 20 bytes, no options
  // The checksum covers the pseudo-header (source, destination, zero, protocol, TCP length) and the segment.
  std::uint32_t sum = sum16(std::span(r).subspan(12, 8));
  sum += kTcp + 20u;
  sum = sum16(std::span(r).subspan(20), sum);
  put16(r, 36, fold(sum));
  return r;
}

}  // namespace endhost::netem
