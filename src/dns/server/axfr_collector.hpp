// The receiving side of a zone transfer (RFC 5936 §2.2; IXFR, RFC 1995 §4), sans-I/O: feed it each response
// message of an AXFR stream in order, and it checks them and collects the zone's records until the closing
// SOA. It refuses what a secondary must not install: a wrong ID or question, an error RCODE, a stream that
// does not start with the zone's SOA, a closing SOA that differs from the opening one, records after the
// closing SOA, or more records than the configured limit. Records outside the zone are ignored (RFC 5936
// §3.3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dns/message.hpp"
#include "dns/name.hpp"

namespace endhost::dns::server {

class AxfrCollector {
 public:
  enum class Status : std::uint8_t { more, done, failed };

  // `id` is the ID of the AXFR query that was sent.
  AxfrCollector(Name origin, std::uint16_t id, std::size_t max_records)
      : origin_(origin), id_(id), max_records_(max_records) {}
  // The answer to an IXFR (RFC 1995 §4) from a secondary whose copy is `current` (its SOA first): the
  // primary answers incrementally (the deltas are applied to `current`), in AXFR form, or with its SOA
  // alone when `current` is up to date (then records() is `current`).
  AxfrCollector(Name origin, std::uint16_t id, std::size_t max_records, std::vector<ResourceRecord> current);

  Status feed(std::span<const std::uint8_t> message);
  Status status() const { return status_; }
  const std::string& error() const { return error_; }  // set when failed

  // The zone's records, the SOA first; the closing SOA is not repeated. Valid once done.
  const std::vector<ResourceRecord>& records() const { return records_; }
  std::vector<ResourceRecord> take_records() { return std::move(records_); }
  std::uint32_t serial() const { return serial_; }
  std::size_t messages() const { return messages_; }
  std::size_t ignored() const { return ignored_; }   // out-of-zone records dropped
  bool incremental() const { return incremental_; }  // the answer was a set of differences
  bool up_to_date() const { return up_to_date_; }

 private:
  enum class Mode : std::uint8_t { axfr, ixfr_first, deleting, adding };
  Status fail(std::string why);
  // The body of an AXFR-form stream; false once the stream failed or ended.
  bool axfr_record(const ResourceRecord& rr, bool last);
  bool ixfr_record(const ResourceRecord& rr, bool last);
  bool keep(const ResourceRecord& rr);  // a record of the zone: false once the limit is passed

  Name origin_;
  std::uint16_t id_;
  std::size_t max_records_;
  Status status_ = Status::more;
  std::string error_;
  std::vector<ResourceRecord> records_;
  ResourceRecord first_soa_;
  std::uint32_t serial_ = 0;
  std::size_t messages_ = 0;
  std::size_t ignored_ = 0;
  RRType qtype_ = RRType::AXFR;
  Mode mode_ = Mode::axfr;
  std::uint32_t current_serial_ = 0;
  bool up_to_date_ = false;
  bool seen_first_ = false;
  bool incremental_ = false;
};

}  // namespace endhost::dns::server
