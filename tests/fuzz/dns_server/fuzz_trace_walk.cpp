// Arbitrary octets as the responses a --trace walk receives: each length-prefixed message is decoded and fed
// to the walk as the answer to its last question. The walk must never move up or sideways in the tree, must
// stop within its query limit, and must only ask addresses it was given.
#include <cstdlib>
#include <span>

#include "dns/client/trace_walk.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace endhost::dns;
  using client::TraceWalk;
  static const Name qname = *Name::from_string("www.example.com.");
  client::ServerAddress root;
  root.bytes[0] = 127;
  root.bytes[3] = 1;
  client::TraceLimits limits;
  limits.max_queries = 16;
  TraceWalk walk(qname, RRType::A, {{*Name::from_string("a.root."), {root}}}, limits);
  std::span<const std::uint8_t> in(data, size);
  std::size_t asked = 0;
  Name zone = walk.zone();
  while (true) {
    auto ask = walk.next();
    if (!ask) {
      auto need = walk.needs_address();
      if (!need) break;
      // Pretend the lookup failed half the time, and found 127.0.0.2 otherwise.
      client::ServerAddress a;
      a.bytes[0] = 127;
      a.bytes[3] = 2;
      walk.provide_addresses(*need, (in.size() % 2) ? std::vector<client::ServerAddress>{a}
                                                    : std::vector<client::ServerAddress>{});
      continue;
    }
    if (++asked > limits.max_queries) std::abort();
    if (!qname.is_subdomain_of(ask->zone) || !ask->zone.is_subdomain_of(zone)) std::abort();
    zone = ask->zone;
    if (in.size() < 2) {
      walk.on_no_response();
      continue;
    }
    std::size_t n = static_cast<std::size_t>(in[0]) << 8 | in[1];
    in = in.subspan(2);
    if (n > in.size()) n = in.size();
    auto m = decode_message(in.first(n));
    in = in.subspan(n);
    if (m) {
      walk.on_response(*m);
    } else {
      walk.on_no_response();
    }
  }
  return 0;
}
