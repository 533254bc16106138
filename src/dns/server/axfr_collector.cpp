#include "dns/server/axfr_collector.hpp"

namespace endhost::dns::server {

AxfrCollector::AxfrCollector(Name origin, std::uint16_t id, std::size_t max_records,
                             std::vector<ResourceRecord> current)
    : origin_(origin), id_(id), max_records_(max_records), records_(std::move(current)) {
  qtype_ = RRType::IXFR;
  mode_ = Mode::ixfr_first;
  if (!records_.empty() && records_.front().type == RRType::SOA)
    current_serial_ = std::get<rdata::Soa>(records_.front().rdata).serial;
}

bool AxfrCollector::axfr_record(const ResourceRecord& rr, bool last) {
  const bool is_soa = rr.type == RRType::SOA && rr.name == origin_;
  if (records_.empty() && !is_soa) {
    fail("the transfer does not begin with the SOA of " + origin_.to_string());
    return false;
  }
  if (records_.empty()) {
    first_soa_ = rr;
    serial_ = std::get<rdata::Soa>(rr.rdata).serial;
    records_.push_back(rr);
    return true;
  }
  if (is_soa) {
    // The closing SOA (RFC 5936 §2.2): it must repeat the first and end the stream.
    if (std::get<rdata::Soa>(rr.rdata).serial != serial_) {
      fail("the closing SOA has another serial: the zone changed during the transfer");
    } else if (!last) {
      fail("records after the closing SOA");
    } else {
      status_ = Status::done;
    }
    return false;
  }
  return keep(rr);
}

// RFC 1995 §4: the new SOA; then either the SOA alone (up to date), the client's SOA starting the first
// difference sequence (old SOA, deletions, new SOA, additions, ...), or any other record (AXFR form); the
// stream ends with the new SOA again.
bool AxfrCollector::ixfr_record(const ResourceRecord& rr, bool last) {
  const bool is_soa = rr.type == RRType::SOA && rr.name == origin_;
  const std::uint32_t serial = is_soa ? std::get<rdata::Soa>(rr.rdata).serial : 0;
  if (!seen_first_) {
    if (!is_soa) {
      fail("the transfer does not begin with the SOA of " + origin_.to_string());
      return false;
    }
    first_soa_ = rr;
    serial_ = serial;
    seen_first_ = true;
    if (serial == current_serial_ && last) {
      up_to_date_ = true;  // §4: the SOA alone, our copy is current
      status_ = Status::done;
      return false;
    }
    return true;
  }
  if (mode_ == Mode::ixfr_first) {
    if (is_soa && serial == current_serial_) {
      mode_ = Mode::deleting;
      incremental_ = true;
      return true;
    }
    // AXFR form: the stream is the whole zone, our copy does not matter.
    mode_ = Mode::axfr;
    records_.clear();
    records_.push_back(first_soa_);
    serial_ = std::get<rdata::Soa>(first_soa_.rdata).serial;
    return axfr_record(rr, last);
  }
  if (mode_ == Mode::deleting) {
    if (is_soa) {
      mode_ = Mode::adding;
      return true;
    }
    for (auto it = records_.begin(); it != records_.end(); ++it) {
      if (it->type == rr.type && it->name == rr.name && it->rdata == rr.rdata) {
        records_.erase(it);
        return true;
      }
    }
    fail("the IXFR deletes a record our copy does not have: " + to_string(rr));
    return false;
  }
  // Adding.
  if (is_soa && serial == serial_) {
    if (!last) {
      fail("records after the closing SOA");
      return false;
    }
    if (!records_.empty() && records_.front().type == RRType::SOA) records_.front() = first_soa_;
    status_ = Status::done;
    return false;
  }
  if (is_soa) {  // the old SOA of the next difference sequence
    mode_ = Mode::deleting;
    return true;
  }
  return keep(rr);
}

bool AxfrCollector::keep(const ResourceRecord& rr) {
  // Records outside the zone are skipped, and the zone's size is bounded.
  if (!rr.name.is_subdomain_of(origin_)) {
    ++ignored_;
    return true;
  }
  if (records_.size() >= max_records_) {
    fail("more than " + std::to_string(max_records_) + " records (see --max-zone-records)");
    return false;
  }
  records_.push_back(rr);
  return true;
}

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
  if (!h.qr || h.id != id_) return fail("a message that does not answer our transfer query (ID or QR)");
  if (h.opcode != Opcode::QUERY) return fail("transfer message with opcode " + to_string(h.opcode));
  if (m.rcode() != Rcode::NOERROR) return fail("the primary answered " + to_string(m.rcode()));
  if (h.tc) return fail("transfer message with TC set");
  // RFC 5936 §2.2.1: the question, when present, must be ours.
  for (const auto& q : m.questions) {
    if (!(q.name == origin_) || q.type != qtype_)
      return fail("transfer message for another question: " + to_string(q));
  }
  ++messages_;
  for (std::size_t i = 0; i < m.answers.size(); ++i) {
    const bool last = i + 1 == m.answers.size();
    const bool go_on =
        mode_ == Mode::axfr ? axfr_record(m.answers[i], last) : ixfr_record(m.answers[i], last);
    if (!go_on) break;
  }
  return status_;
}

}  // namespace endhost::dns::server
