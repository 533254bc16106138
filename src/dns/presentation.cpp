// Text forms of types, RDATA, records and messages (RFC 1035 §5.1, RFC 3597 §5), dig-like for messages.
#include <cstdio>
#include <type_traits>

#include "dns/address.hpp"
#include "dns/message.hpp"
#include "dns/rdata.hpp"
#include "dns/types.hpp"

namespace endhost::dns {

namespace {

struct TypeName {
  RRType type;
  const char* name;
};
constexpr TypeName kTypeNames[] = {
    {RRType::A, "A"},         {RRType::NS, "NS"},       {RRType::CNAME, "CNAME"}, {RRType::SOA, "SOA"},
    {RRType::PTR, "PTR"},     {RRType::HINFO, "HINFO"}, {RRType::MX, "MX"},       {RRType::TXT, "TXT"},
    {RRType::AAAA, "AAAA"},   {RRType::SRV, "SRV"},     {RRType::DNAME, "DNAME"}, {RRType::OPT, "OPT"},
    {RRType::DS, "DS"},       {RRType::RRSIG, "RRSIG"}, {RRType::NSEC, "NSEC"},   {RRType::DNSKEY, "DNSKEY"},
    {RRType::CAA, "CAA"},     {RRType::IXFR, "IXFR"},   {RRType::AXFR, "AXFR"},   {RRType::MAILB, "MAILB"},
    {RRType::MAILA, "MAILA"}, {RRType::ANY, "ANY"},
};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(static_cast<std::uint8_t>(a[i])) != ascii_lower(static_cast<std::uint8_t>(b[i])))
      return false;
  }
  return true;
}

// The numeric tail of TYPEnnn / CLASSnnn (RFC 3597 §5), 0..65535 without a sign or leading junk.
std::optional<std::uint16_t> generic_number(std::string_view text, std::string_view prefix) {
  if (text.size() <= prefix.size() || text.size() > prefix.size() + 5) return std::nullopt;
  if (!iequals(text.substr(0, prefix.size()), prefix)) return std::nullopt;
  unsigned v = 0;
  for (char c : text.substr(prefix.size())) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v > 0xFFFF) return std::nullopt;
  return static_cast<std::uint16_t>(v);
}

void append_char_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7F) {
      char esc[5];
      std::snprintf(esc, sizeof esc, "\\%03u", c);
      out += esc;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

void append_generic(std::string& out, std::span<const std::uint8_t> data) {
  out += "\\# " + std::to_string(data.size());
  if (!data.empty()) out += ' ';
  static constexpr char kHex[] = "0123456789abcdef";
  for (auto b : data) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
}

}  // namespace

std::string to_string(RRType t) {
  for (const auto& n : kTypeNames) {
    if (n.type == t) return n.name;
  }
  return "TYPE" + std::to_string(to_underlying(t));
}

std::optional<RRType> rrtype_from_string(std::string_view text) {
  for (const auto& n : kTypeNames) {
    if (iequals(text, n.name)) return n.type;
  }
  if (auto v = generic_number(text, "TYPE")) return static_cast<RRType>(*v);
  return std::nullopt;
}

std::string to_string(RRClass c) {
  switch (c) {
    case RRClass::IN:
      return "IN";
    case RRClass::CH:
      return "CH";
    case RRClass::HS:
      return "HS";
    case RRClass::NONE:
      return "NONE";
    case RRClass::ANY:
      return "ANY";
  }
  return "CLASS" + std::to_string(to_underlying(c));
}

std::optional<RRClass> rrclass_from_string(std::string_view text) {
  if (iequals(text, "IN")) return RRClass::IN;
  if (iequals(text, "CH") || iequals(text, "CHAOS")) return RRClass::CH;
  if (iequals(text, "HS")) return RRClass::HS;
  if (iequals(text, "NONE")) return RRClass::NONE;
  if (iequals(text, "ANY")) return RRClass::ANY;
  if (auto v = generic_number(text, "CLASS")) return static_cast<RRClass>(*v);
  return std::nullopt;
}

std::string to_string(Rcode r) {
  switch (r) {
    case Rcode::NOERROR:
      return "NOERROR";
    case Rcode::FORMERR:
      return "FORMERR";
    case Rcode::SERVFAIL:
      return "SERVFAIL";
    case Rcode::NXDOMAIN:
      return "NXDOMAIN";
    case Rcode::NOTIMP:
      return "NOTIMP";
    case Rcode::REFUSED:
      return "REFUSED";
    case Rcode::YXDOMAIN:
      return "YXDOMAIN";
    case Rcode::YXRRSET:
      return "YXRRSET";
    case Rcode::NXRRSET:
      return "NXRRSET";
    case Rcode::NOTAUTH:
      return "NOTAUTH";
    case Rcode::NOTZONE:
      return "NOTZONE";
    case Rcode::BADVERS:
      return "BADVERS";
  }
  return "RCODE" + std::to_string(to_underlying(r));
}

std::string to_string(Opcode o) {
  switch (o) {
    case Opcode::QUERY:
      return "QUERY";
    case Opcode::IQUERY:
      return "IQUERY";
    case Opcode::STATUS:
      return "STATUS";
    case Opcode::NOTIFY:
      return "NOTIFY";
    case Opcode::UPDATE:
      return "UPDATE";
  }
  return "OPCODE" + std::to_string(to_underlying(o));
}

std::string rdata_to_string(RRType type, const Rdata& rd) {
  std::string out;
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, rdata::A>) {
          out = format_ipv4(v.address);
        } else if constexpr (std::is_same_v<T, rdata::Aaaa>) {
          out = format_ipv6(v.address);
        } else if constexpr (std::is_same_v<T, rdata::Ns>) {
          out = v.host.to_string();
        } else if constexpr (std::is_same_v<T, rdata::Cname> || std::is_same_v<T, rdata::Ptr>) {
          out = v.target.to_string();
        } else if constexpr (std::is_same_v<T, rdata::Mx>) {
          out = std::to_string(v.preference) + " " + v.exchange.to_string();
        } else if constexpr (std::is_same_v<T, rdata::Soa>) {
          out = v.mname.to_string() + " " + v.rname.to_string() + " " + std::to_string(v.serial) + " " +
                std::to_string(v.refresh) + " " + std::to_string(v.retry) + " " + std::to_string(v.expire) +
                " " + std::to_string(v.minimum);
        } else if constexpr (std::is_same_v<T, rdata::Srv>) {
          out = std::to_string(v.priority) + " " + std::to_string(v.weight) + " " + std::to_string(v.port) +
                " " + v.target.to_string();
        } else if constexpr (std::is_same_v<T, rdata::Txt>) {
          for (const auto& s : v.strings) {
            if (!out.empty()) out += ' ';
            append_char_string(out, s);
          }
        } else if constexpr (std::is_same_v<T, rdata::Opt>) {
          for (const auto& o : v.options) {
            if (!out.empty()) out += ' ';
            out += "OPTION" + std::to_string(o.code) + "=";
            append_generic(out, o.data);
          }
        } else {
          (void)type;
          append_generic(out, v.data);
        }
      },
      rd);
  return out;
}

std::string to_string(const ResourceRecord& rr) {
  return rr.name.to_string() + "\t" + std::to_string(rr.ttl.seconds) + "\t" + to_string(rr.klass) + "\t" +
         to_string(rr.type) + "\t" + rdata_to_string(rr.type, rr.rdata);
}

std::string to_string(const Question& q) {
  return ";" + q.name.to_string() + "\t\t" + to_string(q.klass) + "\t" + to_string(q.type);
}

std::string to_string(const Message& m) {
  const Header& h = m.header;
  std::string out = ";; ->>HEADER<<- opcode: " + to_string(h.opcode) + ", status: " + to_string(m.rcode()) +
                    ", id: " + std::to_string(h.id) + "\n;; flags:";
  const std::pair<bool, const char*> flags[] = {{h.qr, "qr"}, {h.aa, "aa"}, {h.tc, "tc"}, {h.rd, "rd"},
                                                {h.ra, "ra"}, {h.z, "z"},   {h.ad, "ad"}, {h.cd, "cd"}};
  for (auto [on, name] : flags) {
    if (on) out += std::string(" ") + name;
  }
  out += "; QUERY: " + std::to_string(m.questions.size()) + ", ANSWER: " + std::to_string(m.answers.size()) +
         ", AUTHORITY: " + std::to_string(m.authorities.size()) +
         ", ADDITIONAL: " + std::to_string(m.additionals.size() + (m.edns ? 1 : 0)) + "\n";
  if (m.edns) {
    out += "\n;; OPT PSEUDOSECTION:\n; EDNS: version: " + std::to_string(m.edns->version) + ", flags:";
    if (m.edns->dnssec_ok) out += " do";
    out += "; udp: " + std::to_string(m.edns->udp_payload) + "\n";
    for (const auto& o : m.edns->options) {
      std::string hex;
      append_generic(hex, o.data);
      out += "; OPTION " + std::to_string(o.code) + ": " + hex + "\n";
    }
  }
  if (!m.questions.empty()) {
    out += "\n;; QUESTION SECTION:\n";
    for (const auto& q : m.questions) out += to_string(q) + "\n";
  }
  const std::pair<const std::vector<ResourceRecord>*, const char*> sections[] = {
      {&m.answers, "ANSWER"}, {&m.authorities, "AUTHORITY"}, {&m.additionals, "ADDITIONAL"}};
  for (auto [records, title] : sections) {
    if (records->empty()) continue;
    out += std::string("\n;; ") + title + " SECTION:\n";
    for (const auto& rr : *records) out += to_string(rr) + "\n";
  }
  return out;
}

}  // namespace endhost::dns
