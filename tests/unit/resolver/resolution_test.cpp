// Scenario tests of the iterative engine on the fake network (sim.hpp, hierarchy.hpp): referrals from the
// root down, CNAMEs, glueless delegations, caching, and the failure paths.
#include <gtest/gtest.h>

#include "hierarchy.hpp"

namespace endhost::dns::resolver::test {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

class ResolutionTest : public ::testing::Test {
 protected:
  void SetUp() override { build_hierarchy(sim); }
  Sim sim;
};

TEST_F(ResolutionTest, FollowsReferralsFromTheRootDown) {
  auto r = sim.resolve("www.example.com.");
  EXPECT_EQ(r.rcode, Rcode::NOERROR) << r.failure << sim.trace();
  EXPECT_THAT(rdata_strings(r, RRType::A), UnorderedElementsAre("192.0.2.80", "192.0.2.81"));
  ASSERT_EQ(sim.sent.size(), 3u) << sim.trace();
  EXPECT_EQ(sim.sent[0].server, ep("10.0.0.1"));  // root
  EXPECT_EQ(sim.sent[1].server, ep("10.0.1.1"));  // com
  EXPECT_TRUE(sim.sent[2].server == ep("10.0.3.1") || sim.sent[2].server == ep("10.0.3.2"));
  for (const auto& s : sim.sent) {
    EXPECT_EQ(s.qname, N("www.example.com."));
    EXPECT_EQ(s.via, Transport::udp);
    EXPECT_TRUE(s.edns);
  }
  // The answer carries the authoritative TTL.
  ASSERT_EQ(r.answer.size(), 1u);
  EXPECT_EQ(r.answer[0].ttl.seconds, 300u);
}

TEST_F(ResolutionTest, SendsToTheQueryPortWithFreshIds) {
  sim.resolve("www.example.com.");
  ASSERT_EQ(sim.sent.size(), 3u);
  for (const auto& s : sim.sent) EXPECT_EQ(s.server.port, kPort);
  EXPECT_NE(sim.sent[0].id, sim.sent[1].id);
  EXPECT_NE(sim.sent[1].id, sim.sent[2].id);
}

TEST_F(ResolutionTest, CachedTldDelegationSkipsTheRoot) {
  sim.resolve("www.example.com.");
  sim.sent.clear();
  auto r = sim.resolve("www.glueless.com.");
  EXPECT_EQ(r.rcode, Rcode::NOERROR) << sim.trace();
  ASSERT_FALSE(sim.sent.empty());
  EXPECT_EQ(sim.sent[0].server, ep("10.0.1.1")) << "com's servers are cached: the root is not asked";
}

TEST_F(ResolutionTest, CachedAnswerNeedsNoQuery) {
  sim.resolve("www.example.com.");
  sim.sent.clear();
  sim.clock.advance(Millis(10'000));
  auto r = sim.resolve("www.example.com.");
  EXPECT_EQ(r.rcode, Rcode::NOERROR);
  EXPECT_TRUE(sim.sent.empty());
  ASSERT_EQ(r.answer.size(), 1u);
  EXPECT_EQ(r.answer[0].ttl.seconds, 290u) << "TTLs from the cache are decremented";
}

TEST_F(ResolutionTest, DsIsAskedOfTheParentEvenWhenTheChildsServersAreCached) {
  // RFC 4035 §3.1.4.1: DS lives on the parent side of the cut. With example.com's servers cached, the DS
  // query must still go to com's server, which holds the DS (the child would answer NODATA with its SOA).
  sim.resolve("www.example.com.");
  sim.sent.clear();
  auto r = sim.resolve("example.com.", RRType::DS);
  EXPECT_EQ(r.rcode, Rcode::NOERROR) << sim.trace();
  ASSERT_EQ(sim.sent.size(), 1u) << sim.trace();
  EXPECT_EQ(sim.sent[0].server, ep("10.0.1.1")) << sim.trace();
  ASSERT_EQ(r.answer.size(), 1u) << sim.trace();
  EXPECT_EQ(r.answer[0].rrset->type, RRType::DS);
}

TEST_F(ResolutionTest, CnameInsideTheZone) {
  auto r = sim.resolve("alias.example.com.");
  EXPECT_EQ(r.rcode, Rcode::NOERROR) << sim.trace();
  ASSERT_EQ(r.answer.size(), 2u);
  EXPECT_EQ(r.answer[0].rrset->type, RRType::CNAME);
  EXPECT_EQ(r.answer[1].rrset->owner, N("www.example.com."));
  EXPECT_EQ(sim.sent.size(), 3u);
}

TEST_F(ResolutionTest, CnameAcrossZonesRestartsAtTheTarget) {
  auto r = sim.resolve("far.example.com.");
  EXPECT_EQ(r.rcode, Rcode::NOERROR) << sim.trace();
  ASSERT_EQ(r.answer.size(), 2u);
  EXPECT_EQ(r.answer[0].rrset->type, RRType::CNAME);
  EXPECT_EQ(r.answer[1].rrset->owner, N("www.university.edu."));
  EXPECT_THAT(rdata_strings(r, RRType::A), ElementsAre("198.51.100.7"));
  EXPECT_EQ(sim.sent_to("10.0.5.1"), 1u);
  EXPECT_EQ(sim.sent_to("10.0.2.1"), 1u);
}

TEST_F(ResolutionTest, CnameLoopEndsInServfail) {
  auto r = sim.resolve("loop1.example.com.");
  EXPECT_EQ(r.rcode, Rcode::SERVFAIL);
  EXPECT_NE(r.failure.find("CNAME"), std::string::npos) << r.failure;
  EXPECT_LE(sim.sent.size(), sim.config.limits.max_queries);
}

TEST_F(ResolutionTest, GluelessDelegationResolvesTheNameServerFirst) {
  auto r = sim.resolve("www.glueless.com.");
  EXPECT_EQ(r.rcode, Rcode::NOERROR) << r.failure << sim.trace();
  EXPECT_THAT(rdata_strings(r, RRType::A), ElementsAre("203.0.113.5"));
  // root, com (referral without glue), then ns.dnshost.edu: root, edu, dnshost; then glueless.com's server.
  ASSERT_EQ(sim.sent.size(), 6u) << sim.trace();
  EXPECT_EQ(sim.sent[2].qname, N("ns.dnshost.edu."));
  EXPECT_EQ(sim.sent[5].server, ep("10.0.4.1"));
  EXPECT_EQ(sim.sent[5].qname, N("www.glueless.com."));
  // The server's address is now cached as an answer.
  auto a = sim.cache->get(N("ns.dnshost.edu."), RRType::A, sim.clock.now(), Trust::answer);
  ASSERT_TRUE(a.has_value());
}

TEST_F(ResolutionTest, NxdomainIsCachedForTheSoaMinimum) {
  auto r = sim.resolve("nosuch.example.com.");
  EXPECT_EQ(r.rcode, Rcode::NXDOMAIN) << sim.trace();
  ASSERT_EQ(r.authority.size(), 1u);
  EXPECT_EQ(r.authority[0].rrset->type, RRType::SOA);
  EXPECT_EQ(r.authority[0].ttl.seconds, 300u);  // RFC 2308 §5: min(SOA TTL 3600, MINIMUM 300)
  std::size_t before = sim.sent.size();

  // Any type of the name is NXDOMAIN from the cache (RFC 2308 §5).
  sim.clock.advance(Millis(100'000));
  auto again = sim.resolve("nosuch.example.com.", RRType::MX);
  EXPECT_EQ(again.rcode, Rcode::NXDOMAIN);
  EXPECT_EQ(sim.sent.size(), before);
  ASSERT_EQ(again.authority.size(), 1u);
  EXPECT_EQ(again.authority[0].ttl.seconds, 200u);

  // Once the negative TTL has run out, the example.com servers are asked again (and only they).
  sim.clock.advance(Millis(200'001));
  auto later = sim.resolve("nosuch.example.com.");
  EXPECT_EQ(later.rcode, Rcode::NXDOMAIN);
  ASSERT_EQ(sim.sent.size(), before + 1);
  EXPECT_EQ(sim.sent.back().server.ip.bytes[2], 3);
}

TEST_F(ResolutionTest, NodataIsCachedPerType) {
  auto r = sim.resolve("www.example.com.", RRType::MX);
  EXPECT_EQ(r.rcode, Rcode::NOERROR);
  EXPECT_TRUE(r.answer.empty());
  ASSERT_EQ(r.authority.size(), 1u);
  std::size_t before = sim.sent.size();
  EXPECT_EQ(sim.resolve("www.example.com.", RRType::MX).rcode, Rcode::NOERROR);
  EXPECT_EQ(sim.sent.size(), before) << "NODATA came from the cache";
  // Another type of the same name is not covered.
  auto a = sim.resolve("www.example.com.", RRType::A);
  EXPECT_EQ(a.rcode, Rcode::NOERROR);
  EXPECT_FALSE(a.answer.empty());
  EXPECT_EQ(sim.sent.size(), before + 1);
}

TEST_F(ResolutionTest, TtlExpiryAsksAgainBelowTheCachedDelegation) {
  sim.resolve("www.example.com.");
  sim.sent.clear();
  sim.clock.advance(Millis(299'000));
  auto cached = sim.resolve("www.example.com.");
  EXPECT_TRUE(sim.sent.empty());
  ASSERT_EQ(cached.answer.size(), 1u);
  EXPECT_EQ(cached.answer[0].ttl.seconds, 1u);

  sim.clock.advance(Millis(1'000));  // 300 s after the answer arrived: expired
  auto fresh = sim.resolve("www.example.com.");
  EXPECT_EQ(fresh.rcode, Rcode::NOERROR);
  ASSERT_EQ(sim.sent.size(), 1u) << "example.com's NS (TTL 172800) is still cached" << sim.trace();
  EXPECT_EQ(sim.sent[0].server.ip.bytes[2], 3);
  EXPECT_EQ(fresh.answer[0].ttl.seconds, 300u);
}

TEST_F(ResolutionTest, TimeoutRetriesAnotherServer) {
  sim.silent("10.0.3.1");
  sim.resolve("ns1.example.com.");  // warm the path; which server answers depends on the random pick
  for (int i = 0; i < 5; ++i) {
    auto r = sim.resolve("host" + std::to_string(i) + ".example.com.");
    EXPECT_EQ(r.rcode, Rcode::NXDOMAIN) << sim.trace();
  }
  // After its first timeout the silent server is backed off and the other one is preferred.
  EXPECT_LE(sim.sent_to("10.0.3.1"), 1u) << sim.trace();
}

TEST_F(ResolutionTest, BacksOffExponentiallyThenServfails) {
  sim.silent("10.0.3.1");
  sim.silent("10.0.3.2");
  auto r = sim.resolve("www.example.com.");
  EXPECT_EQ(r.rcode, Rcode::SERVFAIL);
  std::vector<Millis> to1, to2;
  for (const auto& s : sim.sent) {
    if (s.server == ep("10.0.3.1")) to1.push_back(s.timeout);
    if (s.server == ep("10.0.3.2")) to2.push_back(s.timeout);
  }
  // Three tries each (max_tries_per_server), each timeout twice the one before.
  EXPECT_THAT(to1, ElementsAre(Millis(376), Millis(752), Millis(1504)));
  EXPECT_THAT(to2, ElementsAre(Millis(376), Millis(752), Millis(1504)));
  EXPECT_EQ(sim.last_stats.timeouts, 6u);
}

TEST_F(ResolutionTest, WholeResolutionHasATimeLimit) {
  sim.silent("10.0.3.1");
  sim.silent("10.0.3.2");
  sim.config.timing.resolution_timeout = Millis(1000);
  sim.config.limits.max_tries_per_server = 10;
  Instant start = sim.clock.now();
  auto r = sim.resolve("www.example.com.");
  EXPECT_EQ(r.rcode, Rcode::SERVFAIL);
  EXPECT_NE(r.failure.find("no answer within"), std::string::npos) << r.failure;
  EXPECT_EQ(sim.clock.now() - start, Millis(1000))
      << "the last wait is cut to what is left of the time limit";
}

TEST_F(ResolutionTest, ServfailFromAllServersIsServfail) {
  for (const char* a : {"10.0.3.1", "10.0.3.2"}) {
    ServerEndpoint self = ep(a);
    sim.handlers[self] = [self](const Transmit& t, const Message& q) {
      Message m;
      m.header.id = t.id;
      m.header.qr = true;
      m.questions = q.questions;
      m.set_rcode(Rcode::SERVFAIL);
      return std::vector<Packet>{Packet{self, encode(m)}};
    };
  }
  auto r = sim.resolve("www.example.com.");
  EXPECT_EQ(r.rcode, Rcode::SERVFAIL);
  // Each server is asked once: an error answer is not retried like a timeout.
  EXPECT_EQ(sim.sent_to("10.0.3.1"), 1u);
  EXPECT_EQ(sim.sent_to("10.0.3.2"), 1u);
}

TEST_F(ResolutionTest, PrefersTheServerWithTheLowerSmoothedRtt) {
  std::vector<Zone> z1, z2;
  z1.push_back(zone(kExampleZone, "example.com."));
  z2.push_back(zone(kExampleZone, "example.com."));
  sim.serve("10.0.3.1", std::move(z1), Millis(120));
  sim.serve("10.0.3.2", std::move(z2), Millis(4));
  for (int i = 0; i < 4; ++i) sim.resolve("warm" + std::to_string(i) + ".example.com.");
  sim.sent.clear();
  for (int i = 0; i < 10; ++i) sim.resolve("n" + std::to_string(i) + ".example.com.");
  EXPECT_EQ(sim.sent_to("10.0.3.2"), 10u) << sim.trace();
  EXPECT_EQ(sim.sent_to("10.0.3.1"), 0u);
}

TEST_F(ResolutionTest, TruncatedAnswerIsAskedAgainOverTcp) {
  ServerEndpoint self = ep("10.0.3.1");
  auto zones = sim.zone_sets[self];
  for (const char* a : {"10.0.3.1", "10.0.3.2"}) {
    ServerEndpoint s = ep(a);
    sim.handlers[s] = [s, zones](const Transmit& t, const Message& q) {
      if (t.transport == Transport::udp) {
        Message m;
        m.header.id = t.id;
        m.header.qr = true;
        m.header.tc = true;
        m.questions = q.questions;
        return std::vector<Packet>{Packet{s, encode(m)}};
      }
      return std::vector<Packet>{Packet{s, authoritative(*zones, t), Millis(3), Transport::tcp}};
    };
  }
  auto r = sim.resolve("www.example.com.");
  EXPECT_EQ(r.rcode, Rcode::NOERROR) << sim.trace();
  ASSERT_GE(sim.sent.size(), 4u);
  EXPECT_EQ(sim.sent[2].via, Transport::udp);
  EXPECT_EQ(sim.sent[3].via, Transport::tcp);
  EXPECT_EQ(sim.sent[3].server, sim.sent[2].server);
  EXPECT_GE(sim.sent[3].timeout, sim.config.timing.min_tcp_timeout);
}

TEST_F(ResolutionTest, RetriesWithoutEdnsAfterFormerr) {
  for (const char* a : {"10.0.3.1", "10.0.3.2"}) {
    ServerEndpoint s = ep(a);
    auto zones = sim.zone_sets[s];
    sim.handlers[s] = [s, zones](const Transmit& t, const Message& q) {
      if (q.edns) {  // an old server that chokes on OPT
        Message m;
        m.header.id = t.id;
        m.header.qr = true;
        m.questions = q.questions;
        m.set_rcode(Rcode::FORMERR);
        return std::vector<Packet>{Packet{s, encode(m)}};
      }
      return std::vector<Packet>{Packet{s, authoritative(*zones, t)}};
    };
  }
  auto r = sim.resolve("www.example.com.");
  EXPECT_EQ(r.rcode, Rcode::NOERROR) << sim.trace();
  ASSERT_EQ(sim.sent.size(), 4u);
  EXPECT_TRUE(sim.sent[2].edns);
  EXPECT_FALSE(sim.sent[3].edns);
}

TEST_F(ResolutionTest, UpwardReferralIsLame) {
  // 10.0.3.1 answers every question with a referral back to the root: lame, so 10.0.3.2 is asked.
  ServerEndpoint s = ep("10.0.3.1");
  sim.handlers[s] = [s](const Transmit& t, const Message& q) {
    Message m;
    m.header.id = t.id;
    m.header.qr = true;
    m.questions = q.questions;
    m.authorities.push_back(
        ResourceRecord{N("."), RRType::NS, RRClass::IN, Ttl{3600}, rdata::Ns{N("ns.root.")}});
    return std::vector<Packet>{Packet{s, encode(m)}};
  };
  for (int i = 0; i < 3; ++i) {
    auto r = sim.resolve("www.example.com.");
    EXPECT_EQ(r.rcode, Rcode::NOERROR) << sim.trace();
  }
}

TEST_F(ResolutionTest, DelegationLoopWithoutGlueEndsInServfail) {
  // a.com is served by ns.b.com and b.com by ns.a.com, neither with glue: unresolvable, and bounded.
  std::vector<Zone> com;
  com.push_back(zone(std::string(kComZone) + "a NS ns.b.com.\nb NS ns.a.com.\n", "com."));
  sim.serve("10.0.1.1", std::move(com));
  auto r = sim.resolve("www.a.com.");
  EXPECT_EQ(r.rcode, Rcode::SERVFAIL) << sim.trace();
  EXPECT_LE(sim.sent.size(), sim.config.limits.max_queries);
}

TEST_F(ResolutionTest, WorkLimitBoundsQueries) {
  sim.config.limits.max_queries = 4;
  auto r = sim.resolve("www.glueless.com.");  // needs 6 queries
  EXPECT_EQ(r.rcode, Rcode::SERVFAIL);
  EXPECT_EQ(sim.sent.size(), 4u);
  EXPECT_NE(r.failure.find("work limit"), std::string::npos) << r.failure;
}

TEST_F(ResolutionTest, ResolvesTheRootItself) {
  auto r = sim.resolve(".", RRType::NS);
  EXPECT_EQ(r.rcode, Rcode::NOERROR) << sim.trace();
  EXPECT_THAT(rdata_strings(r, RRType::NS), ElementsAre("ns.root."));
}

}  // namespace
}  // namespace endhost::dns::resolver::test
