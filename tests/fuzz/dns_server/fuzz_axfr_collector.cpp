// Arbitrary octets as an AXFR stream from a primary: two-octet length prefixes as on TCP, each message fed
// to the collector. Whatever it ends with, a completed transfer must start with the zone's SOA, stay within
// the record limit, and contain only in-zone records.
#include <cstdlib>
#include <span>

#include "dns/server/axfr_collector.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace endhost::dns;
  static const Name origin = *Name::from_string("example.");
  constexpr std::size_t kMaxRecords = 64;
  if (size < 2) return 0;
  // The first two octets choose the query ID, as a secondary's random ID would be.
  server::AxfrCollector c(origin, static_cast<std::uint16_t>(data[0] << 8 | data[1]), kMaxRecords);
  std::span<const std::uint8_t> in(data + 2, size - 2);
  while (in.size() >= 2 && c.status() == server::AxfrCollector::Status::more) {
    std::size_t n = static_cast<std::size_t>(in[0]) << 8 | in[1];
    in = in.subspan(2);
    if (n > in.size()) n = in.size();
    c.feed(in.first(n));
    in = in.subspan(n);
  }
  if (c.status() == server::AxfrCollector::Status::done) {
    const auto& records = c.records();
    if (records.empty() || records.size() > kMaxRecords || records.front().type != RRType::SOA) std::abort();
    for (const auto& rr : records) {
      if (!rr.name.is_subdomain_of(origin)) std::abort();
    }
  }
  if (c.status() == server::AxfrCollector::Status::failed && c.error().empty()) std::abort();
  return 0;
}
