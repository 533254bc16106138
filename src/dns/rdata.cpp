#include "dns/rdata.hpp"

#include <type_traits>

namespace endhost::dns {

bool has_typed_rdata(RRType type) {
  switch (type) {
    case RRType::A:
    case RRType::NS:
    case RRType::CNAME:
    case RRType::SOA:
    case RRType::PTR:
    case RRType::MX:
    case RRType::TXT:
    case RRType::AAAA:
    case RRType::SRV:
    case RRType::OPT:
      return true;
    default:
      return false;
  }
}

namespace {

Result<Rdata> decode_typed(RRType type, WireReader& r, std::size_t end, bool compressed_names) {
  auto bad = [&](const char* why) { return fail(Errc::bad_rdata, why, r.position()); };
  // RFC 3597 §4: decompress the RFC 1035 types and SRV; nothing else is expected to carry pointers.
  bool allow_ptr = compressed_names;
  auto read_name = [&](Name& n) -> Result<void> { return r.name(n, allow_ptr); };
#define DNS_TRY(expr)                                     \
  do {                                                    \
    auto dns_try_r = (expr);                              \
    if (!dns_try_r) return Unexpected(dns_try_r.error()); \
  } while (0)
  switch (type) {
    case RRType::A: {
      rdata::A a;
      auto b = r.bytes(4);
      if (!b) return Unexpected(b.error());
      std::copy(b->begin(), b->end(), a.address.begin());
      return Rdata(a);
    }
    case RRType::AAAA: {
      rdata::Aaaa a;
      auto b = r.bytes(16);
      if (!b) return Unexpected(b.error());
      std::copy(b->begin(), b->end(), a.address.begin());
      return Rdata(a);
    }
    case RRType::NS: {
      rdata::Ns v;
      DNS_TRY(read_name(v.host));
      return Rdata(v);
    }
    case RRType::CNAME: {
      rdata::Cname v;
      DNS_TRY(read_name(v.target));
      return Rdata(v);
    }
    case RRType::PTR: {
      rdata::Ptr v;
      DNS_TRY(read_name(v.target));
      return Rdata(v);
    }
    case RRType::MX: {
      rdata::Mx v;
      auto p = r.u16();
      if (!p) return Unexpected(p.error());
      v.preference = *p;
      DNS_TRY(read_name(v.exchange));
      return Rdata(v);
    }
    case RRType::SOA: {
      rdata::Soa v;
      DNS_TRY(read_name(v.mname));
      DNS_TRY(read_name(v.rname));
      std::uint32_t* fields[] = {&v.serial, &v.refresh, &v.retry, &v.expire, &v.minimum};
      for (auto* f : fields) {
        auto x = r.u32();
        if (!x) return Unexpected(x.error());
        *f = *x;
      }
      return Rdata(v);
    }
    case RRType::SRV: {
      rdata::Srv v;
      std::uint16_t* fields[] = {&v.priority, &v.weight, &v.port};
      for (auto* f : fields) {
        auto x = r.u16();
        if (!x) return Unexpected(x.error());
        *f = *x;
      }
      DNS_TRY(read_name(v.target));
      return Rdata(v);
    }
    case RRType::TXT: {
      rdata::Txt v;
      if (r.position() >= end) return bad("TXT RDATA without a string");
      while (r.position() < end) {
        auto len = r.u8();
        if (!len) return Unexpected(len.error());
        auto s = r.bytes(*len);
        if (!s) return Unexpected(s.error());
        v.strings.emplace_back(reinterpret_cast<const char*>(s->data()), s->size());
      }
      return Rdata(std::move(v));
    }
    case RRType::OPT: {
      rdata::Opt v;
      while (r.position() < end) {
        EdnsOption o;
        auto code = r.u16();
        if (!code) return Unexpected(code.error());
        auto len = r.u16();
        if (!len) return Unexpected(len.error());
        if (r.position() + *len > end) return bad("EDNS option runs past the OPT RDATA");
        auto d = r.bytes(*len);
        if (!d) return Unexpected(d.error());
        o.code = *code;
        o.data.assign(d->begin(), d->end());
        v.options.push_back(std::move(o));
      }
      return Rdata(std::move(v));
    }
    default: {
      auto b = r.bytes(end - r.position());
      if (!b) return Unexpected(b.error());
      return Rdata(rdata::Unknown{{b->begin(), b->end()}});
    }
  }
#undef DNS_TRY
}

Result<Rdata> decode_bounded(RRType type, WireReader& r, std::uint16_t rdlength, bool compressed_names) {
  std::size_t start = r.position();
  std::size_t end = start + rdlength;
  if (r.remaining() < rdlength) return fail(Errc::truncated, "RDATA runs past the end of the message", start);
  // Decode from a reader limited to the RDATA so that no field can borrow octets of the next record, but
  // with the whole message visible for compression pointers.
  WireReader sub(r.message().first(end), start);
  auto rd = decode_typed(type, sub, end, compressed_names);
  // The octets were there (checked above), so running out means RDLENGTH is too small for the type.
  if (!rd && rd.error().code == Errc::truncated)
    return fail(Errc::bad_rdata, "RDATA too short for its type", rd.error().offset);
  if (!rd) return rd;
  if (sub.position() != end)
    return fail(Errc::bad_rdata, "RDLENGTH does not match the RDATA", sub.position());
  (void)r.skip(rdlength);
  return rd;
}

}  // namespace

Result<Rdata> decode_rdata(RRType type, WireReader& reader, std::uint16_t rdlength) {
  bool compressed = rdata_names_compressible(type) || type == RRType::SRV;
  return decode_bounded(type, reader, rdlength, compressed);
}

Result<Rdata> decode_rdata(RRType type, std::span<const std::uint8_t> rdata) {
  if (rdata.size() > 0xFFFF) return fail(Errc::bad_rdata, "RDATA longer than 65535 octets");
  WireReader r(rdata);
  return decode_bounded(type, r, static_cast<std::uint16_t>(rdata.size()), false);
}

bool encode_rdata(WireWriter& w, RRType type, const Rdata& rd, CompressionTable* table) {
  CompressionTable* t = rdata_names_compressible(type) ? table : nullptr;
  return std::visit(
      [&](const auto& v) -> bool {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, rdata::Unknown>) {
          w.bytes(v.data);
          return true;
        } else if constexpr (std::is_same_v<T, rdata::A>) {
          if (type != RRType::A) return false;
          w.bytes(v.address);
        } else if constexpr (std::is_same_v<T, rdata::Aaaa>) {
          if (type != RRType::AAAA) return false;
          w.bytes(v.address);
        } else if constexpr (std::is_same_v<T, rdata::Ns>) {
          if (type != RRType::NS) return false;
          w.name(v.host, t);
        } else if constexpr (std::is_same_v<T, rdata::Cname>) {
          if (type != RRType::CNAME) return false;
          w.name(v.target, t);
        } else if constexpr (std::is_same_v<T, rdata::Ptr>) {
          if (type != RRType::PTR) return false;
          w.name(v.target, t);
        } else if constexpr (std::is_same_v<T, rdata::Mx>) {
          if (type != RRType::MX) return false;
          w.u16(v.preference);
          w.name(v.exchange, t);
        } else if constexpr (std::is_same_v<T, rdata::Soa>) {
          if (type != RRType::SOA) return false;
          w.name(v.mname, t);
          w.name(v.rname, t);
          for (auto x : {v.serial, v.refresh, v.retry, v.expire, v.minimum}) w.u32(x);
        } else if constexpr (std::is_same_v<T, rdata::Srv>) {
          if (type != RRType::SRV) return false;
          w.u16(v.priority);
          w.u16(v.weight);
          w.u16(v.port);
          w.name(v.target, nullptr);  // RFC 2782: never compressed
        } else if constexpr (std::is_same_v<T, rdata::Txt>) {
          if (type != RRType::TXT || v.strings.empty()) return false;
          for (const auto& s : v.strings) {
            if (s.size() > 255) return false;
            w.u8(static_cast<std::uint8_t>(s.size()));
            w.bytes({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
          }
        } else if constexpr (std::is_same_v<T, rdata::Opt>) {
          if (type != RRType::OPT) return false;
          for (const auto& o : v.options) {
            if (o.data.size() > 0xFFFF) return false;
            w.u16(o.code);
            w.u16(static_cast<std::uint16_t>(o.data.size()));
            w.bytes(o.data);
          }
        }
        return true;
      },
      rd);
}

Result<std::vector<std::uint8_t>> rdata_to_wire(RRType type, const Rdata& rd) {
  std::vector<std::uint8_t> buf(0xFFFF);
  WireWriter w(buf);
  if (!encode_rdata(w, type, rd, nullptr)) return fail(Errc::bad_rdata, "RDATA does not match its type");
  if (!w.ok()) return fail(Errc::bad_rdata, "RDATA longer than 65535 octets");
  buf.resize(w.size());
  return buf;
}

namespace {

NameView stored_name_at(std::span<const std::uint8_t> stored, std::size_t at) {
  std::size_t i = at;
  while (stored[i] != 0) i += 1 + stored[i];
  return NameView(stored.data() + at, i + 1 - at);
}

}  // namespace

void write_stored_rdata(WireWriter& w, RRType type, std::span<const std::uint8_t> stored,
                        CompressionTable* table) {
  if (!table || !rdata_names_compressible(type)) {
    w.bytes(stored);
    return;
  }
  switch (type) {
    case RRType::NS:
    case RRType::CNAME:
    case RRType::PTR:
      w.name(stored_name_at(stored, 0), table);
      return;
    case RRType::MX:
      w.bytes(stored.first(2));
      w.name(stored_name_at(stored, 2), table);
      return;
    case RRType::SOA: {
      NameView m = stored_name_at(stored, 0);
      NameView r = stored_name_at(stored, m.size());
      w.name(m, table);
      w.name(r, table);
      w.bytes(stored.subspan(m.size() + r.size()));
      return;
    }
    default:
      w.bytes(stored);
  }
}

bool stored_rdata_target(RRType type, std::span<const std::uint8_t> stored, NameView& out) {
  switch (type) {
    case RRType::NS:
    case RRType::CNAME:
    case RRType::PTR:
      out = stored_name_at(stored, 0);
      return true;
    case RRType::MX:
      out = stored_name_at(stored, 2);
      return true;
    case RRType::SRV:
      out = stored_name_at(stored, 6);
      return true;
    default:
      return false;
  }
}

}  // namespace endhost::dns
