#include "dns/message.hpp"

#include "dns/wire_reader.hpp"
#include "dns/wire_writer.hpp"

namespace endhost::dns {

Rcode Message::rcode() const {
  std::uint16_t ext = edns ? edns->extended_rcode : 0;
  return static_cast<Rcode>(ext << 4 | header.rcode);
}

void Message::set_rcode(Rcode r) {
  auto v = to_underlying(r);
  header.rcode = static_cast<std::uint8_t>(v & 0x0F);
  if (v > 0x0F && !edns) edns.emplace();
  if (edns) edns->extended_rcode = static_cast<std::uint8_t>(v >> 4);
}

namespace {

Result<void> decode_record(WireReader& r, ResourceRecord& rr, std::uint16_t& rdlength) {
  if (auto n = r.name(rr.name); !n) return n;
  auto type = r.u16();
  if (!type) return Unexpected(type.error());
  auto klass = r.u16();
  if (!klass) return Unexpected(klass.error());
  auto ttl = r.u32();
  if (!ttl) return Unexpected(ttl.error());
  auto len = r.u16();
  if (!len) return Unexpected(len.error());
  rr.type = static_cast<RRType>(*type);
  rr.klass = static_cast<RRClass>(*klass);
  rr.ttl = Ttl{*ttl};
  rdlength = *len;
  auto rd = decode_rdata(rr.type, r, *len);
  if (!rd) return Unexpected(rd.error());
  rr.rdata = std::move(*rd);
  return {};
}

}  // namespace

Result<Message> decode_message(std::span<const std::uint8_t> wire) {
  if (wire.size() < kHeaderSize) return fail(Errc::truncated, "message shorter than the header", 0);
  Message m;
  m.header = decode_header(wire);
  WireReader r(wire, kHeaderSize);
  // Counts are attacker-controlled: reserve no more than the octets present could possibly hold.
  m.questions.reserve(std::min<std::size_t>(m.header.qdcount, r.remaining() / 5));
  for (std::uint16_t i = 0; i < m.header.qdcount; ++i) {
    Question q;
    if (auto n = r.name(q.name); !n) return Unexpected(n.error());
    auto type = r.u16();
    if (!type) return Unexpected(type.error());
    auto klass = r.u16();
    if (!klass) return Unexpected(klass.error());
    q.type = static_cast<RRType>(*type);
    q.klass = static_cast<RRClass>(*klass);
    m.questions.push_back(q);
  }
  std::vector<ResourceRecord>* sections[] = {&m.answers, &m.authorities, &m.additionals};
  std::uint16_t counts[] = {m.header.ancount, m.header.nscount, m.header.arcount};
  for (int s = 0; s < 3; ++s) {
    sections[s]->reserve(std::min<std::size_t>(counts[s], r.remaining() / 11));
    for (std::uint16_t i = 0; i < counts[s]; ++i) {
      std::size_t start = r.position();
      ResourceRecord rr;
      std::uint16_t rdlength = 0;
      if (auto d = decode_record(r, rr, rdlength); !d) return Unexpected(d.error());
      if (rr.type != RRType::OPT) {
        sections[s]->push_back(std::move(rr));
        continue;
      }
      // RFC 6891 §6.1.1: one OPT, in the additional section, owned by the root.
      if (s != 2) return fail(Errc::misplaced_opt, "OPT record outside the additional section", start);
      if (!rr.name.is_root()) return fail(Errc::misplaced_opt, "OPT record not owned by the root", start);
      if (m.edns) return fail(Errc::duplicate_opt, "more than one OPT record", start);
      Edns e;
      e.udp_payload = to_underlying(rr.klass);
      e.extended_rcode = static_cast<std::uint8_t>(rr.ttl.seconds >> 24);
      e.version = static_cast<std::uint8_t>(rr.ttl.seconds >> 16);
      e.dnssec_ok = rr.ttl.seconds & 0x8000;
      e.flags = static_cast<std::uint16_t>(rr.ttl.seconds & 0x7FFF);
      e.options = std::move(std::get<rdata::Opt>(rr.rdata).options);
      m.edns = std::move(e);
    }
  }
  if (!r.at_end()) return fail(Errc::trailing_data, "octets after the last record", r.position());
  return m;
}

namespace {

bool encode_record(WireWriter& w, CompressionTable& table, const Name& name, RRType type, RRClass klass,
                   Ttl ttl, const Rdata& rd) {
  w.name(name, &table);
  w.u16(to_underlying(type));
  w.u16(to_underlying(klass));
  w.u32(ttl.seconds);
  std::size_t len_at = w.size();
  w.u16(0);
  if (!encode_rdata(w, type, rd, &table)) return false;
  if (!w.ok()) return true;  // out of room: the caller reports buffer_full
  std::size_t len = w.size() - len_at - 2;
  if (len > 0xFFFF) return false;
  w.patch_u16(len_at, static_cast<std::uint16_t>(len));
  return true;
}

}  // namespace

Result<std::size_t> encode_message(const Message& m, std::span<std::uint8_t> out) {
  std::size_t counts[] = {m.questions.size(), m.answers.size(), m.authorities.size(),
                          m.additionals.size() + (m.edns ? 1 : 0)};
  for (auto c : counts) {
    if (c > 0xFFFF) return fail(Errc::buffer_full, "more than 65535 entries in a section");
  }
  if (out.size() < kHeaderSize) return fail(Errc::buffer_full, "buffer smaller than the header");
  Header h = m.header;
  h.qdcount = static_cast<std::uint16_t>(counts[0]);
  h.ancount = static_cast<std::uint16_t>(counts[1]);
  h.nscount = static_cast<std::uint16_t>(counts[2]);
  h.arcount = static_cast<std::uint16_t>(counts[3]);
  encode_header(h, out);
  WireWriter w(out);
  w.bytes(out.first(kHeaderSize));  // advance past the header written in place
  CompressionTable table;
  for (const auto& q : m.questions) {
    w.name(q.name, &table);
    w.u16(to_underlying(q.type));
    w.u16(to_underlying(q.klass));
  }
  for (const auto* section : {&m.answers, &m.authorities, &m.additionals}) {
    for (const auto& rr : *section) {
      if (!encode_record(w, table, rr.name, rr.type, rr.klass, rr.ttl, rr.rdata))
        return fail(Errc::bad_rdata, "record RDATA does not match its type");
    }
  }
  if (m.edns) {
    const Edns& e = *m.edns;
    Rdata opt = rdata::Opt{e.options};
    if (!encode_record(w, table, Name(), RRType::OPT, static_cast<RRClass>(e.udp_payload),
                       Ttl{edns_ttl(e.extended_rcode, e.version, e.dnssec_ok, e.flags)}, opt))
      return fail(Errc::bad_rdata, "EDNS option longer than 65535 octets");
  }
  if (!w.ok()) return fail(Errc::buffer_full, "message does not fit the buffer");
  return w.size();
}

Result<std::vector<std::uint8_t>> encode_message(const Message& m) {
  std::vector<std::uint8_t> buf(kMaxMessageSize);
  auto n = encode_message(m, buf);
  if (!n) return Unexpected(n.error());
  buf.resize(*n);
  return buf;
}

Message make_query(std::uint16_t id, const Name& qname, RRType qtype, bool recursion_desired,
                   std::optional<Edns> edns) {
  Message m;
  m.header.id = id;
  m.header.rd = recursion_desired;
  m.questions.push_back(Question{qname, qtype, RRClass::IN});
  m.edns = std::move(edns);
  return m;
}

}  // namespace endhost::dns
