#include "dns/server/axfr_collector.hpp"

namespace endhost::dns::server {

AxfrCollector::Status AxfrCollector::fail(std::string why) {
  status_ = Status::failed;
  error_ = std::move(why);
  records_.clear();
  return status_;
}

AxfrCollector::Status AxfrCollector::feed(std::span<const std::uint8_t> wire) {
  if (status_ != Status::more) {
    if (status_ == Status::done) return fail("data after the closing SOA");
    return status_;
  }
  auto decoded = decode_message(wire);
  if (!decoded) return fail("malformed transfer message: " + decoded.error().to_string());
  const Message& m = *decoded;
  const Header& h = m.header;
  if (!h.qr || h.id != id_) return fail("a message that does not answer our AXFR query (ID or QR)");
  if (h.opcode != Opcode::QUERY) return fail("transfer message with opcode " + to_string(h.opcode));
  if (m.rcode() != Rcode::NOERROR) return fail("the primary answered " + to_string(m.rcode()));
  if (h.tc) return fail("transfer message with TC set");
  // RFC 5936 §2.2.1: the question, when present, must be ours.
  for (const auto& q : m.questions) {
    if (!(q.name == origin_) || q.type != RRType::AXFR)
      return fail("transfer message for another question: " + to_string(q));
  }
  ++messages_;
  for (std::size_t i = 0; i < m.answers.size(); ++i) {
    const ResourceRecord& rr = m.answers[i];
    bool is_soa = rr.type == RRType::SOA && rr.name == origin_;
    if (records_.empty() && !is_soa)
      return fail("the transfer does not begin with the SOA of " + origin_.to_string());
    if (records_.empty()) {
      first_soa_ = rr;
      serial_ = std::get<rdata::Soa>(rr.rdata).serial;
      records_.push_back(rr);
      continue;
    }
    if (is_soa) {
      // The closing SOA (RFC 5936 §2.2): it must repeat the first and end the stream.
      if (std::get<rdata::Soa>(rr.rdata).serial != serial_)
        return fail("the closing SOA has another serial: the zone changed during the transfer");
      if (i + 1 != m.answers.size()) return fail("records after the closing SOA");
      status_ = Status::done;
      return status_;
    }
    if (!rr.name.is_subdomain_of(origin_)) {
      ++ignored_;
      continue;
    }
    if (records_.size() >= max_records_)
      return fail("more than " + std::to_string(max_records_) + " records (see --max-zone-records)");
    records_.push_back(rr);
  }
  return status_;
}

}  // namespace endhost::dns::server
