#include "dns/header.hpp"

#include <cassert>

namespace endhost::dns {

Header decode_header(std::span<const std::uint8_t> in) {
  assert(in.size() >= kHeaderSize);
  auto u16 = [&](std::size_t i) { return static_cast<std::uint16_t>(in[i] << 8 | in[i + 1]); };
  Header h;
  h.id = u16(0);
  std::uint8_t f1 = in[2], f2 = in[3];
  h.qr = f1 & 0x80;
  h.opcode = static_cast<Opcode>((f1 >> 3) & 0x0F);
  h.aa = f1 & 0x04;
  h.tc = f1 & 0x02;
  h.rd = f1 & 0x01;
  h.ra = f2 & 0x80;
  h.z = f2 & 0x40;
  h.ad = f2 & 0x20;
  h.cd = f2 & 0x10;
  h.rcode = f2 & 0x0F;
  h.qdcount = u16(4);
  h.ancount = u16(6);
  h.nscount = u16(8);
  h.arcount = u16(10);
  return h;
}

void encode_header(const Header& h, std::span<std::uint8_t> out) {
  assert(out.size() >= kHeaderSize);
  auto put16 = [&](std::size_t i, std::uint16_t v) {
    out[i] = static_cast<std::uint8_t>(v >> 8);
    out[i + 1] = static_cast<std::uint8_t>(v);
  };
  put16(0, h.id);
  out[2] = static_cast<std::uint8_t>((h.qr ? 0x80 : 0) | ((to_underlying(h.opcode) & 0x0F) << 3) |
                                     (h.aa ? 0x04 : 0) | (h.tc ? 0x02 : 0) | (h.rd ? 0x01 : 0));
  out[3] = static_cast<std::uint8_t>((h.ra ? 0x80 : 0) | (h.z ? 0x40 : 0) | (h.ad ? 0x20 : 0) |
                                     (h.cd ? 0x10 : 0) | (h.rcode & 0x0F));
  put16(4, h.qdcount);
  put16(6, h.ancount);
  put16(8, h.nscount);
  put16(10, h.arcount);
}

}  // namespace endhost::dns
