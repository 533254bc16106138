// The resolution engine on the simulation harness (tests/support/sim), in the manner of Unbound's replay
// tests (testcode/fake_event.c): name servers are functions from a query to the packets they send back (with
// a delay each), built from zone text through the authoritative answer engine or scripted by hand for
// spoofing and failure cases. Nothing here touches a socket or reads a clock.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/random.hpp"
#include "dns/answer.hpp"
#include "dns/message.hpp"
#include "dns/rdata.hpp"
#include "dns/resolver/resolution.hpp"
#include "dns/zone_parser.hpp"
#include "sim/network.hpp"
#include "sim/virtual_clock.hpp"

namespace endhost::dns::resolver::test {

inline Name N(std::string_view text) {
  auto n = Name::from_string(text);
  EXPECT_TRUE(n.has_value()) << text;
  return n ? *n : Name();
}

inline IpAddress ip(std::string_view text) {
  auto a = IpAddress::parse(text);
  EXPECT_TRUE(a.has_value()) << text;
  return a ? *a : IpAddress{};
}

inline constexpr std::uint16_t kPort = 5300;  // as with --query-port

inline ServerEndpoint ep(std::string_view address) {
  return ServerEndpoint{ip(address), kPort};
}

inline Zone zone(std::string_view text, std::string_view origin) {
  ZoneParseOptions o;
  o.origin = N(origin);
  o.default_ttl = Ttl{3600};
  auto z = load_zone(text, std::string(origin) + "zone", o);
  if (!z) ADD_FAILURE() << z.error().to_string();
  return std::move(*z);
}

// One packet a fake server sends back.
struct Packet {
  ServerEndpoint from;
  std::vector<std::uint8_t> bytes;
  Millis delay{1};
  Transport via = Transport::udp;
};

// What a fake server saw.
struct Sent {
  ServerEndpoint server;
  Transport via;
  Name qname;
  RRType qtype;
  std::uint16_t id;
  Millis timeout;
  bool edns;
};

using Handler = std::function<std::vector<Packet>(const Transmit& t, const Message& query)>;

// The authoritative answer engine over `zones`, as a reply from `server` after `rtt`.
inline std::vector<std::uint8_t> authoritative(const ZoneSet& zones, const Transmit& t) {
  std::vector<std::uint8_t> out(65535);
  AnswerOptions o;
  o.transport = t.transport;
  auto r = answer(t.query, zones, o, out);
  out.resize(r.size);
  return out;
}

inline std::vector<std::uint8_t> encode(const Message& m) {
  auto w = encode_message(m);
  EXPECT_TRUE(w.has_value());
  return w ? *w : std::vector<std::uint8_t>{};
}

inline Message decode(std::span<const std::uint8_t> wire) {
  auto m = decode_message(wire);
  EXPECT_TRUE(m.has_value());
  return m ? *m : Message{};
}

// The resolver on the generic simulation harness (tests/support/sim): each scripted server is a node of the
// fake network at its endpoint's address, the resolver is the node kResolverAddress, and a query's timeout is
// a clock timer. One Resolution runs at a time; what is still on the wire when an attempt ends (the rest of
// a spoofer's burst, an answer after the timeout) is discarded, as a closed socket would.
class Sim {
 public:
  static constexpr const char* kResolverAddress = "resolver";

  Sim() { reset_context(); }

  ResolverConfig config;
  CacheConfig cache_config;
  std::unique_ptr<Cache> cache;
  std::unique_ptr<InfraCache> infra;
  RootHints hints;
  core::SeededRandom random{42};  // every run sends the same IDs; spoof tests read them from the transmit
  ResolverContext ctx;
  sim::VirtualClock clock;
  core::SeededRandom network_random{9};  // draws nothing unless a test gives a link jitter or loss
  sim::Network network{clock, network_random};
  std::vector<Sent> sent;
  std::vector<ResponseVerdict> verdicts;  // of every packet delivered, in order
  std::vector<std::string> trace_lines;

  // Rebuilds cache and infra from `config` (call after changing it).
  void reset_context() {
    config.query_port = kPort;
    cache = std::make_unique<Cache>(cache_config);
    infra = std::make_unique<InfraCache>(config.timing, config.max_servers_tracked);
    ctx.config = &config;
    ctx.cache = cache.get();
    ctx.infra = infra.get();
    ctx.hints = &hints;
    ctx.random = &random;
    ctx.trace = [this](std::string_view line) { trace_lines.emplace_back(line); };
  }

  // A server answering from zones (it owns them), after `rtt`.
  void serve(std::string_view address, std::vector<Zone> zones, Millis rtt = Millis(2)) {
    auto set = std::make_shared<ZoneSet>();
    for (auto& z : zones) EXPECT_TRUE(set->add(std::move(z)).has_value());
    ServerEndpoint self = ep(address);
    handlers[self] = [set, self, rtt](const Transmit& t, const Message&) {
      return std::vector<Packet>{Packet{self, authoritative(*set, t), rtt, t.transport}};
    };
    zone_sets[self] = set;
  }
  // A server that never answers.
  void silent(std::string_view address) {
    handlers[ep(address)] = [](const Transmit&, const Message&) { return std::vector<Packet>{}; };
  }
  void root_hint(std::string_view name, std::string_view address) {
    hints.servers.push_back(RootServer{N(name), {ip(address)}});
  }

  ResolutionResult resolve(std::string_view name, RRType type = RRType::A) {
    Resolution r(ctx, N(name), type, clock.now());
    network.attach(kResolverAddress, [this, &r](const sim::Message& m) { on_reply(r, m); });
    while (!r.done()) {
      Transmit t = r.transmit();
      Message q = decode(t.query);
      sent.push_back(Sent{t.server, t.transport, q.questions.at(0).name, q.questions.at(0).type, t.id,
                          t.timeout, q.edns.has_value()});
      attempt_open_ = true;
      // Scheduled before the query goes out, so that an answer due exactly at the timeout loses to it.
      const auto timer = clock.after(t.timeout, [this, &r] {
        attempt_open_ = false;
        r.on_timeout(clock.now());
      });
      current_ = t;
      attach_server(t.server);
      network.send(kResolverAddress, address_of(t.server), t.query, channel_of(t.transport));
      clock.run_while([this] { return attempt_open_; });
      clock.cancel(timer);
      network.discard_in_flight_to(kResolverAddress);
      last_stats = r.stats();
    }
    network.detach(kResolverAddress);
    last_stats = r.stats();
    return r.result();
  }

  // Queries sent to `address` so far.
  std::size_t sent_to(std::string_view address) const {
    ServerEndpoint e = ep(address);
    return std::count_if(sent.begin(), sent.end(), [&](const Sent& s) { return s.server == e; });
  }
  std::string trace() const {
    std::string out;
    for (const auto& l : trace_lines) out += l + "\n";
    return out;
  }

  std::unordered_map<ServerEndpoint, Handler, ServerEndpointHash> handlers;
  std::unordered_map<ServerEndpoint, std::shared_ptr<ZoneSet>, ServerEndpointHash> zone_sets;
  ResolutionStats last_stats;

 private:
  static sim::Channel channel_of(Transport t) {
    return t == Transport::tcp ? sim::Channel::stream : sim::Channel::datagram;
  }
  sim::Address address_of(const ServerEndpoint& e) {
    sim::Address a = e.to_string();
    endpoints_.emplace(a, e);
    return a;
  }

  // The server's node hands what reaches it to the handler the test gave for its endpoint (looked up at
  // delivery, so a test may replace a handler between resolutions); a server without one is unreachable.
  void attach_server(const ServerEndpoint& server) {
    if (!handlers.count(server)) return;
    const sim::Address self = address_of(server);
    if (network.attached(self)) return;
    network.attach(self, [this, server](const sim::Message& m) {
      auto h = handlers.find(server);
      if (h == handlers.end()) return;
      Transmit t = current_;
      t.query = m.bytes;
      std::vector<Packet> replies = h->second(t, decode(m.bytes));
      for (const auto& p : replies)
        network.send(address_of(p.from), m.from, p.bytes, channel_of(p.via), p.delay);
    });
  }

  void on_reply(Resolution& r, const sim::Message& m) {
    if (!attempt_open_) return;
    const ServerEndpoint from = endpoints_.at(m.from);
    const Transport via = m.channel == sim::Channel::stream ? Transport::tcp : Transport::udp;
    const ResponseVerdict v = r.on_response(from, via, m.bytes, clock.now());
    verdicts.push_back(v);
    if (v == ResponseVerdict::accepted) attempt_open_ = false;
  }

  Transmit current_;
  bool attempt_open_ = false;
  std::unordered_map<sim::Address, ServerEndpoint> endpoints_;
};

// Presentation strings of the RDATA of every answer record of `type` ("192.0.2.1").
inline std::vector<std::string> rdata_strings(std::span<const AnswerRRset> sets, RRType type) {
  std::vector<std::string> out;
  for (const auto& s : sets) {
    if (s.rrset->type != type) continue;
    for (std::size_t i = 0; i < s.rrset->size(); ++i) {
      auto rd = decode_rdata(type, s.rrset->record(i));
      EXPECT_TRUE(rd.has_value());
      if (rd) out.push_back(rdata_to_string(type, *rd));
    }
  }
  return out;
}
inline std::vector<std::string> rdata_strings(const ResolutionResult& r, RRType type) {
  return rdata_strings(r.answer, type);
}

}  // namespace endhost::dns::resolver::test
