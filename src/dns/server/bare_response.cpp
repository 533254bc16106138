#include "dns/server/bare_response.hpp"

#include <array>

#include "dns/header.hpp"
#include "dns/wire_writer.hpp"

namespace endhost::dns::server {

std::size_t write_bare_response(const ParsedQuery& request, Rcode rcode, bool aa,
                                std::span<std::uint8_t> out) {
  WireWriter w(out);
  w.bytes(std::array<std::uint8_t, kHeaderSize>{});
  Header h;
  h.id = request.header.id;
  h.qr = true;
  h.aa = aa;
  h.rd = request.header.rd;
  h.opcode = request.header.opcode;
  h.rcode = static_cast<std::uint8_t>(to_underlying(rcode) & 0x0F);
  if (request.has_question) {
    CompressionTable table;
    w.name(request.qname, &table);
    w.u16(to_underlying(request.qtype));
    w.u16(to_underlying(request.qclass));
    h.qdcount = 1;
  }
  if (!w.ok()) return 0;
  encode_header(h, out);
  return w.size();
}

bool is_notify_response(std::span<const std::uint8_t> packet, std::uint16_t id, Rcode& rcode) {
  if (packet.size() < kHeaderSize) return false;
  Header h = decode_header(packet);
  if (!h.qr || h.opcode != Opcode::NOTIFY || h.id != id) return false;
  rcode = static_cast<Rcode>(h.rcode);
  return true;
}

}  // namespace endhost::dns::server
