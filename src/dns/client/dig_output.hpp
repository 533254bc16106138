// dig-style presentation of a response, for `endhost dns query`: the header with its flags, the EDNS
// pseudo-section, the question and the record sections with TTLs (dns::to_string(Message) does those), then
// dig's footer: query time, the server and transport, when, and the size received. Pure text formatting.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "dns/client/dig_args.hpp"
#include "dns/message.hpp"

namespace endhost::dns::client {

struct ExchangeFacts {
  std::string server_address;  // "127.0.0.1#5300"
  std::string server_name;     // "(127.0.0.1)" content: what the user typed or the server's name
  bool tcp = false;
  bool retried_over_tcp = false;  // the UDP answer had TC set
  std::int64_t query_ms = 0;
  std::size_t size = 0;  // octets received
  std::string when;      // "Sat Nov 21 03:40:00 UTC 2026"
};

// The whole output for one exchange, starting with ";; Got answer:".
std::string format_response(const Message& response, const ExchangeFacts& facts);
// What `display` (dig's +noall, +answer, +short…) keeps of it; everything() is format_response.
std::string format_response(const Message& response, const ExchangeFacts& facts, const Display& display);

// "; <<>> endhost dns query <<>> NAME TYPE" and dig's global line.
std::string format_banner(const std::string& arguments);

// One record per line as dig prints them: owner, TTL, class, type, RDATA, tab-separated.
std::string format_records(const std::vector<ResourceRecord>& records);

}  // namespace endhost::dns::client
