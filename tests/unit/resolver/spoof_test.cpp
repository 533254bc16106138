// Anti-spoofing: forged answers (wrong ID, wrong source, wrong question) are ignored while the engine waits
// for the real one, and records a server may not speak for never reach the cache (RFC 5452, RFC 2181 §5.4.1).
#include <gtest/gtest.h>

#include "hierarchy.hpp"

namespace endhost::dns::resolver::test {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

class SpoofTest : public ::testing::Test {
 protected:
  void SetUp() override { build_hierarchy(sim); }

  // Wraps the real server at `address` so that `forge` adds packets before the real answer (delay 5 ms).
  void forge_before(std::string_view address,
                    std::function<std::vector<Packet>(const Transmit&, Message real)> forge) {
    ServerEndpoint self = ep(address);
    auto zones = sim.zone_sets[self];
    sim.handlers[self] = [self, zones, forge](const Transmit& t, const Message&) {
      auto real_wire = authoritative(*zones, t);
      auto out = forge(t, decode(real_wire));
      out.push_back(Packet{self, real_wire, Millis(5)});
      return out;
    };
  }

  static Message poisoned(Message m) {
    for (auto& rr : m.answers) {
      if (rr.type == RRType::A) std::get<rdata::A>(rr.rdata).address = {6, 6, 6, 6};
    }
    return m;
  }

  Sim sim;
};

bool is_poisoned(const ResolutionResult& r) {
  for (const auto& s : rdata_strings(r, RRType::A)) {
    if (s == "6.6.6.6") return true;
  }
  return false;
}

TEST_F(SpoofTest, WrongIdIsIgnored) {
  for (const char* a : {"10.0.3.1", "10.0.3.2"}) {
    ServerEndpoint self = ep(a);
    forge_before(a, [self](const Transmit& t, Message real) {
      Message m = poisoned(std::move(real));
      m.header.id = static_cast<std::uint16_t>(t.id + 1);
      return std::vector<Packet>{Packet{self, encode(m), Millis(1)}};
    });
  }
  auto r = sim.resolve("www.example.com.");
  EXPECT_EQ(r.rcode, Rcode::NOERROR);
  EXPECT_FALSE(is_poisoned(r));
  EXPECT_THAT(sim.verdicts, ::testing::Contains(ResponseVerdict::wrong_id));
  EXPECT_EQ(sim.verdicts.back(), ResponseVerdict::accepted);
}

TEST_F(SpoofTest, WrongSourceIsIgnoredEvenWithTheRightId) {
  for (const char* a : {"10.0.3.1", "10.0.3.2"}) {
    forge_before(a, [](const Transmit&, Message real) {
      Message m = poisoned(std::move(real));  // right ID and question, but from another address
      return std::vector<Packet>{Packet{ep("10.66.66.66"), encode(m), Millis(1)},
                                 Packet{ServerEndpoint{ep("10.0.3.1").ip, 53}, encode(m), Millis(2)}};
    });
  }
  auto r = sim.resolve("www.example.com.");
  EXPECT_EQ(r.rcode, Rcode::NOERROR);
  EXPECT_FALSE(is_poisoned(r));
  EXPECT_THAT(sim.verdicts, ::testing::Contains(ResponseVerdict::wrong_source));
  EXPECT_EQ(sim.last_stats.rejected, 2u);
}

TEST_F(SpoofTest, WrongQuestionIsIgnored) {
  for (const char* a : {"10.0.3.1", "10.0.3.2"}) {
    ServerEndpoint self = ep(a);
    forge_before(a, [self](const Transmit&, Message real) {
      Message m = poisoned(std::move(real));
      m.questions[0].name = N("other.example.com.");
      Message wrong_type = m;
      wrong_type.questions[0].name = N("www.example.com.");
      wrong_type.questions[0].type = RRType::AAAA;
      return std::vector<Packet>{Packet{self, encode(m), Millis(1)},
                                 Packet{self, encode(wrong_type), Millis(2)}};
    });
  }
  auto r = sim.resolve("www.example.com.");
  EXPECT_FALSE(is_poisoned(r));
  EXPECT_EQ(std::count(sim.verdicts.begin(), sim.verdicts.end(), ResponseVerdict::wrong_question), 2);
}

TEST_F(SpoofTest, QueriesAndNonQueryOpcodesAreNotAnswers) {
  for (const char* a : {"10.0.3.1", "10.0.3.2"}) {
    ServerEndpoint self = ep(a);
    forge_before(a, [self](const Transmit&, Message real) {
      Message not_qr = poisoned(real);
      not_qr.header.qr = false;
      Message notify = poisoned(real);
      notify.header.opcode = Opcode::NOTIFY;
      return std::vector<Packet>{Packet{self, encode(not_qr), Millis(1)},
                                 Packet{self, encode(notify), Millis(2)}};
    });
  }
  auto r = sim.resolve("www.example.com.");
  EXPECT_FALSE(is_poisoned(r));
  EXPECT_EQ(std::count(sim.verdicts.begin(), sim.verdicts.end(), ResponseVerdict::not_a_response), 2);
}

TEST_F(SpoofTest, MalformedAndShortPacketsAreIgnored) {
  for (const char* a : {"10.0.3.1", "10.0.3.2"}) {
    ServerEndpoint self = ep(a);
    forge_before(a, [self](const Transmit& t, Message real) {
      auto wire = encode(real);
      wire.resize(wire.size() - 3);  // cut inside the last record
      std::vector<std::uint8_t> tiny = {static_cast<std::uint8_t>(t.id >> 8),
                                        static_cast<std::uint8_t>(t.id)};
      return std::vector<Packet>{Packet{self, wire, Millis(1)}, Packet{self, tiny, Millis(2)}};
    });
  }
  auto r = sim.resolve("www.example.com.");
  EXPECT_EQ(r.rcode, Rcode::NOERROR);
  EXPECT_THAT(sim.verdicts, ::testing::Contains(ResponseVerdict::malformed));
}

TEST_F(SpoofTest, UdpAnswerWhileWaitingForTcpIsIgnored) {
  for (const char* a : {"10.0.3.1", "10.0.3.2"}) {
    ServerEndpoint self = ep(a);
    auto zones = sim.zone_sets[self];
    sim.handlers[self] = [self, zones](const Transmit& t, const Message& q) {
      if (t.transport == Transport::udp) {
        Message m;
        m.header.id = t.id;
        m.header.qr = true;
        m.header.tc = true;
        m.questions = q.questions;
        return std::vector<Packet>{Packet{self, encode(m)}};
      }
      Message forged = poisoned(decode(authoritative(*zones, t)));
      return std::vector<Packet>{Packet{self, encode(forged), Millis(1), Transport::udp},
                                 Packet{self, authoritative(*zones, t), Millis(3), Transport::tcp}};
    };
  }
  auto r = sim.resolve("www.example.com.");
  EXPECT_FALSE(is_poisoned(r));
  EXPECT_THAT(sim.verdicts, ::testing::Contains(ResponseVerdict::wrong_transport));
}

TEST_F(SpoofTest, OutOfBailiwickAnswerRecordsAreNotCached) {
  // The example.com servers append an answer for a name in edu, which they have no authority over.
  for (const char* a : {"10.0.3.1", "10.0.3.2"}) {
    ServerEndpoint self = ep(a);
    auto zones = sim.zone_sets[self];
    sim.handlers[self] = [self, zones](const Transmit& t, const Message&) {
      Message m = decode(authoritative(*zones, t));
      m.answers.push_back(ResourceRecord{N("www.university.edu."), RRType::A, RRClass::IN, Ttl{86400},
                                         rdata::A{{6, 6, 6, 6}}});
      m.authorities.push_back(ResourceRecord{N("university.edu."), RRType::NS, RRClass::IN, Ttl{86400},
                                             rdata::Ns{N("ns.evil.test.")}});
      m.additionals.push_back(ResourceRecord{N("ns.university.edu."), RRType::A, RRClass::IN, Ttl{86400},
                                             rdata::A{{6, 6, 6, 6}}});
      return std::vector<Packet>{Packet{self, encode(m)}};
    };
  }
  auto r = sim.resolve("www.example.com.");
  EXPECT_EQ(r.rcode, Rcode::NOERROR);
  EXPECT_GE(sim.last_stats.records_dropped, 3u);
  EXPECT_FALSE(sim.cache->get(N("www.university.edu."), RRType::A, sim.clock.now()).has_value());
  EXPECT_FALSE(sim.cache->get(N("university.edu."), RRType::NS, sim.clock.now()).has_value());
  EXPECT_FALSE(sim.cache->get(N("ns.university.edu."), RRType::A, sim.clock.now()).has_value());
  // And the real data is what a later lookup finds.
  auto real = sim.resolve("www.university.edu.");
  EXPECT_THAT(rdata_strings(real, RRType::A), ElementsAre("198.51.100.7"));
}

TEST_F(SpoofTest, OutOfBailiwickGlueIsNotCached) {
  // com's server adds "glue" for a name in edu to its referral for example.com.
  ServerEndpoint self = ep("10.0.1.1");
  auto zones = sim.zone_sets[self];
  sim.handlers[self] = [self, zones](const Transmit& t, const Message&) {
    Message m = decode(authoritative(*zones, t));
    m.additionals.push_back(
        ResourceRecord{N("ns.edu."), RRType::A, RRClass::IN, Ttl{86400}, rdata::A{{6, 6, 6, 6}}});
    m.additionals.push_back(
        ResourceRecord{N("www.example.com."), RRType::A, RRClass::IN, Ttl{86400}, rdata::A{{6, 6, 6, 6}}});
    return std::vector<Packet>{Packet{self, encode(m)}};
  };
  auto r = sim.resolve("www.example.com.");
  EXPECT_FALSE(is_poisoned(r));
  EXPECT_FALSE(sim.cache->get(N("ns.edu."), RRType::A, sim.clock.now()).has_value());
  // Additional data that is not the address of a referred name server is dropped even inside the bailiwick:
  // what is cached for www.example.com is the authoritative answer.
  auto www = sim.cache->get(N("www.example.com."), RRType::A, sim.clock.now());
  ASSERT_TRUE(www.has_value());
  EXPECT_EQ(www->trust, Trust::answer_aa);
  EXPECT_THAT(rdata_strings(std::vector<AnswerRRset>{{www->rrset, www->ttl}}, RRType::A),
              UnorderedElementsAre("192.0.2.80", "192.0.2.81"));
  // A lookup in edu goes to the real edu server, learnt from the root.
  sim.sent.clear();
  auto uni = sim.resolve("www.university.edu.");
  EXPECT_THAT(rdata_strings(uni, RRType::A), ElementsAre("198.51.100.7"));
  EXPECT_EQ(sim.sent_to("10.0.2.1"), 1u);
  EXPECT_EQ(sim.sent_to("6.6.6.6"), 0u);
}

TEST_F(SpoofTest, GlueForANameServerOutsideTheBailiwickIsNotCached) {
  // com refers glueless.com to ns.dnshost.edu and adds an address for it: com cannot vouch for edu names.
  ServerEndpoint self = ep("10.0.1.1");
  auto zones = sim.zone_sets[self];
  sim.handlers[self] = [self, zones](const Transmit& t, const Message&) {
    Message m = decode(authoritative(*zones, t));
    m.additionals.push_back(
        ResourceRecord{N("ns.dnshost.edu."), RRType::A, RRClass::IN, Ttl{86400}, rdata::A{{6, 6, 6, 6}}});
    return std::vector<Packet>{Packet{self, encode(m)}};
  };
  auto r = sim.resolve("www.glueless.com.");
  EXPECT_EQ(r.rcode, Rcode::NOERROR) << sim.trace();
  EXPECT_EQ(sim.sent_to("6.6.6.6"), 0u);
  EXPECT_EQ(sim.sent_to("10.0.4.1"), 2u) << "ns.dnshost.edu was looked up for real, then asked";
  auto a = sim.cache->get(N("ns.dnshost.edu."), RRType::A, sim.clock.now());
  ASSERT_TRUE(a.has_value());
  EXPECT_THAT(rdata_strings(std::vector<AnswerRRset>{{a->rrset, a->ttl}}, RRType::A),
              ElementsAre("10.0.4.1"));
}

TEST_F(SpoofTest, DataAfterACnameThatLeavesTheZoneIsNotBelieved) {
  // example.com's servers answer far.example.com with the CNAME and an address for its target in edu.
  for (const char* a : {"10.0.3.1", "10.0.3.2"}) {
    ServerEndpoint self = ep(a);
    auto zones = sim.zone_sets[self];
    sim.handlers[self] = [self, zones](const Transmit& t, const Message&) {
      Message m = decode(authoritative(*zones, t));
      m.answers.push_back(ResourceRecord{N("www.university.edu."), RRType::A, RRClass::IN, Ttl{86400},
                                         rdata::A{{6, 6, 6, 6}}});
      return std::vector<Packet>{Packet{self, encode(m)}};
    };
  }
  auto r = sim.resolve("far.example.com.");
  EXPECT_FALSE(is_poisoned(r));
  EXPECT_THAT(rdata_strings(r, RRType::A), ElementsAre("198.51.100.7"));
  EXPECT_EQ(sim.sent_to("10.0.5.1"), 1u) << "the target was asked of its own zone's server";
}

TEST_F(SpoofTest, GlueNeverAnswersAClient) {
  // The com referral's glue for ns1.example.com is cached, but a client asking for ns1.example.com gets the
  // authoritative answer, fetched from example.com's servers (RFC 2181 §5.4.1).
  sim.resolve("www.example.com.");
  auto glue = sim.cache->get(N("ns2.example.com."), RRType::A, sim.clock.now());
  ASSERT_TRUE(glue.has_value());
  EXPECT_EQ(glue->trust, Trust::additional);
  sim.sent.clear();
  auto r = sim.resolve("ns2.example.com.");
  EXPECT_EQ(r.rcode, Rcode::NOERROR);
  ASSERT_EQ(sim.sent.size(), 1u);
  EXPECT_EQ(sim.sent[0].server.ip.bytes[2], 3);
  EXPECT_EQ(sim.cache->get(N("ns2.example.com."), RRType::A, sim.clock.now())->trust, Trust::answer_aa);
}

TEST_F(SpoofTest, ReferralToAnUnrelatedZoneIsLame) {
  // example.com's first server refers www.example.com to "evil.net": not below example.com, so not followed.
  for (const char* a : {"10.0.3.1", "10.0.3.2"}) {
    ServerEndpoint self = ep(a);
    sim.handlers[self] = [self](const Transmit& t, const Message& q) {
      Message m;
      m.header.id = t.id;
      m.header.qr = true;
      m.questions = q.questions;
      m.authorities.push_back(
          ResourceRecord{N("evil.net."), RRType::NS, RRClass::IN, Ttl{86400}, rdata::Ns{N("ns.evil.net.")}});
      m.additionals.push_back(
          ResourceRecord{N("ns.evil.net."), RRType::A, RRClass::IN, Ttl{86400}, rdata::A{{6, 6, 6, 6}}});
      return std::vector<Packet>{Packet{self, encode(m)}};
    };
  }
  auto r = sim.resolve("www.example.com.");
  EXPECT_EQ(r.rcode, Rcode::SERVFAIL);
  EXPECT_EQ(sim.sent_to("6.6.6.6"), 0u);
  EXPECT_FALSE(sim.cache->get(N("evil.net."), RRType::NS, sim.clock.now()).has_value());
  EXPECT_FALSE(sim.cache->get(N("ns.evil.net."), RRType::A, sim.clock.now()).has_value());
}

}  // namespace
}  // namespace endhost::dns::resolver::test
