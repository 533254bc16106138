// `endhost dns query`: the dig-like client. One query to one server (UDP, retried over TCP when the answer
// is truncated, or TCP with --tcp) printed as dig prints it; or, with --trace, the iterative walk from the
// root hints down to the authoritative servers, printing at each step which server was asked and what came
// back (the textbook's dig +trace exercise).
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

#include "core/asio.hpp"
#include "dns/client/dig_args.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"

namespace endhost::dns::client {

struct QueryOptions {
  Name qname;
  RRType qtype = RRType::A;
  RRClass qclass = RRClass::IN;
  Display display;        // dig's +short, +noall +answer…
  std::string arguments;  // echoed in the banner line
  asio::ip::address server = asio::ip::make_address_v4("127.0.0.1");
  std::uint16_t port = 53;
  std::string server_label;  // shown in ";; SERVER: addr#port(label)"
  bool tcp = false;
  bool recurse = true;  // RD
  bool edns = true;
  std::uint16_t udp_payload = 1232;
  std::chrono::milliseconds timeout{5'000};  // per try
  int tries = 3;                             // UDP tries per server
  // --trace: walk from the root hints; every server is asked on `query_port`.
  bool trace = false;
  std::string root_hints;
  std::uint16_t query_port = 53;
};

// Exit status as dig's: 0 when a response was printed (whatever its RCODE) or the walk reached an answer,
// NXDOMAIN or NODATA; 9 when no server answered; 1 for other errors (unreadable hints, bad response).
int run_query(const QueryOptions& options, std::ostream& out, std::ostream& err);

// The first `nameserver` of /etc/resolv.conf-formatted text, if any (what dig asks by default).
std::string first_nameserver(const std::string& resolv_conf_text);

}  // namespace endhost::dns::client
