// Feeds arbitrary messages to a resolution as answers from the server it asked: the path hostile bytes take
// into the resolver (response validation, decoding, the bailiwick scrubber, caching, the state machine).
// Input: a sequence of [2-octet length][message]; each message gets the outstanding query's ID so that it
// passes the cheap checks and reaches the deeper ones. After each, a timeout is delivered too when the
// message was not accepted, so that retries, backoff and dependencies are exercised as well.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/random.hpp"
#include "dns/resolver/resolution.hpp"

using namespace endhost::dns;
using namespace endhost::dns::resolver;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ResolverConfig config;
  config.query_port = 53;
  CacheConfig cache_config;
  cache_config.shards = 4;
  cache_config.max_bytes = 1 << 20;
  Cache cache(cache_config);
  InfraCache infra(config.timing, 64);
  endhost::core::SeededRandom random(1);
  RootHints hints;
  hints.servers.push_back(RootServer{*Name::from_string("a.root."), {*IpAddress::parse("192.0.2.1")}});
  hints.servers.push_back(RootServer{*Name::from_string("b.root."), {*IpAddress::parse("192.0.2.2")}});
  ResolverContext ctx{&config, &cache, &infra, &hints, &random, {}};
  Instant now{Millis(1'000'000)};
  Resolution r(ctx, *Name::from_string("www.example.com."), RRType::A, now);

  std::vector<std::uint8_t> msg;
  std::size_t at = 0;
  while (!r.done() && at + 2 <= size) {
    std::size_t len = static_cast<std::size_t>(data[at]) << 8 | data[at + 1];
    at += 2;
    len = std::min(len, size - at);
    msg.assign(data + at, data + at + len);
    at += len;
    const Transmit& t = r.transmit();
    if (msg.size() >= 2) {
      msg[0] = static_cast<std::uint8_t>(t.id >> 8);
      msg[1] = static_cast<std::uint8_t>(t.id);
    }
    now += Millis(3);
    ServerEndpoint from = t.server;
    Transport via = t.transport;
    if (r.on_response(from, via, msg, now) != ResponseVerdict::accepted && !r.done()) {
      now += r.transmit().timeout;
      r.on_timeout(now);
    }
  }
  if (!r.done()) return 0;
  const auto& res = r.result();
  // A finished resolution either failed or has an answer whose chain makes sense.
  if (res.rcode == Rcode::SERVFAIL && !res.answer.empty()) std::abort();
  for (const auto& s : res.answer) {
    if (!s.rrset || s.rrset->size() == 0) std::abort();
  }
  return 0;
}
