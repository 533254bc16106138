// MailDns against a scripted DNS server on loopback (MX sorted by preference, the null MX, CNAME chains,
// TXT strings joined, NXDOMAIN, NoData, SERVFAIL, A then AAAA), and the fake's rules.
#include "mail/dns/mail_dns.hpp"

#include <gtest/gtest.h>

#include "dns/message.hpp"
#include "dns/name.hpp"

#include <map>
#include <set>

namespace endhost::mail::dns {
namespace {

namespace wire = ::endhost::dns;
using udp = asio::ip::udp;

wire::Name name(const std::string& s) {
  return *wire::Name::from_string(s);
}

wire::ResourceRecord rr(const std::string& owner, wire::RRType type, wire::Rdata data) {
  wire::ResourceRecord r;
  r.name = name(owner);
  r.type = type;
  r.ttl = wire::Ttl(300);
  r.rdata = std::move(data);
  return r;
}

// Answers every query from a table keyed by "name type".
class FakeServer {
 public:
  explicit FakeServer(asio::io_context& io)
      : socket_(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}
  udp::endpoint endpoint() const { return socket_.local_endpoint(); }

  awaitable<void> serve() {
    for (;;) {
      std::vector<std::uint8_t> buf(4096);
      udp::endpoint from;
      auto [ec, n] = co_await socket_.async_receive_from(asio::buffer(buf), from, use_nothrow);
      if (ec) co_return;
      buf.resize(n);
      auto q = wire::decode_message(buf);
      if (!q) continue;
      wire::Message a = *q;
      a.header.qr = true;
      a.header.ra = true;
      a.edns.reset();
      const std::string key =
          q->questions[0].name.to_string() + " " + std::to_string(static_cast<int>(q->questions[0].type));
      const std::string owner = q->questions[0].name.to_string();
      if (servfail.count(owner)) {
        a.set_rcode(wire::Rcode::SERVFAIL);
      } else if (!exists.count(owner)) {
        a.set_rcode(wire::Rcode::NXDOMAIN);
      } else if (auto it = answers.find(key); it != answers.end()) {
        a.answers = it->second;
      }
      auto out = wire::encode_message(a);
      co_await socket_.async_send_to(asio::buffer(*out), from, use_nothrow);
    }
  }

  std::map<std::string, std::vector<wire::ResourceRecord>> answers;
  std::set<std::string> exists, servfail;
  void add(const std::string& owner, wire::RRType type, std::vector<wire::ResourceRecord> rrs) {
    answers[owner + " " + std::to_string(static_cast<int>(type))] = std::move(rrs);
    exists.insert(owner);
  }
  udp::socket socket_;
};

template <class T>
T run(asio::io_context& io, awaitable<T> op) {
  std::optional<T> out;
  asio::co_spawn(
      io, [&]() -> awaitable<void> { out = co_await std::move(op); }, asio::detached);
  while (!out) io.run_one();
  return std::move(*out);
}

TEST(ResolverMailDns, AsksTheResolver) {
  asio::io_context io;
  FakeServer server(io);
  server.add("hamburger.edu.", wire::RRType::MX,
             {rr("hamburger.edu.", wire::RRType::MX, wire::rdata::Mx{20, name("backup.hamburger.edu.")}),
              rr("hamburger.edu.", wire::RRType::MX, wire::rdata::Mx{10, name("mx.hamburger.edu.")})});
  server.add("nomail.test.", wire::RRType::MX,
             {rr("nomail.test.", wire::RRType::MX, wire::rdata::Mx{0, name(".")})});
  server.add("mx.hamburger.edu.", wire::RRType::A,
             {rr("mx.hamburger.edu.", wire::RRType::CNAME, wire::rdata::Cname{name("host.hamburger.edu.")}),
              rr("host.hamburger.edu.", wire::RRType::A, wire::rdata::A{{127, 0, 0, 3}})});
  server.add("mx.hamburger.edu.", wire::RRType::AAAA, {});
  server.add("_dmarc.crepes.fr.", wire::RRType::TXT,
             {rr("_dmarc.crepes.fr.", wire::RRType::TXT, wire::rdata::Txt{{"v=DMARC1; ", "p=none"}})});
  server.exists.insert("crepes.fr.");
  server.servfail.insert("broken.test.");
  asio::co_spawn(io, server.serve(), asio::detached);
  auto dns = resolver_mail_dns(server.endpoint());

  auto [s1, mx] = run(io, dns->mx("hamburger.edu"));
  EXPECT_EQ(s1, LookupStatus::Ok);
  EXPECT_EQ(mx, (std::vector<MxHost>{{10, "mx.hamburger.edu"}, {20, "backup.hamburger.edu"}}));
  auto [s2, null_mx] = run(io, dns->mx("nomail.test"));
  EXPECT_EQ(s2, LookupStatus::Ok);
  EXPECT_EQ(null_mx, (std::vector<MxHost>{{0, ""}}));
  EXPECT_EQ(run(io, dns->mx("crepes.fr")).first, LookupStatus::NoData);
  EXPECT_EQ(run(io, dns->mx("nowhere.test")).first, LookupStatus::NxDomain);
  EXPECT_EQ(run(io, dns->mx("broken.test")).first, LookupStatus::TempFail);
  auto [s3, addrs] = run(io, dns->addresses("mx.hamburger.edu"));
  EXPECT_EQ(s3, LookupStatus::Ok);
  EXPECT_EQ(addrs, std::vector<asio::ip::address>{asio::ip::make_address("127.0.0.3")});
  EXPECT_EQ(run(io, dns->addresses("crepes.fr")).first, LookupStatus::NoData);
  auto [s4, txt] = run(io, dns->txt("_dmarc.crepes.fr"));
  EXPECT_EQ(s4, LookupStatus::Ok);
  EXPECT_EQ(txt, std::vector<std::string>{"v=DMARC1; p=none"});
}

TEST(ResolverMailDns, NoAnswerIsATemporaryFailure) {
  asio::io_context io;
  udp::socket silent(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  auto dns = resolver_mail_dns(silent.local_endpoint());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(run(io, dns->mx("hamburger.edu")).first, LookupStatus::TempFail);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(FakeMailDns, Rules) {
  asio::io_context io;
  FakeMailDns dns;
  dns.mx_records["Hamburger.edu."] = {{20, "b"}, {10, "a"}};
  dns.address_records["a"] = {asio::ip::make_address("::1"), asio::ip::make_address("127.0.0.1")};
  dns.temp_fail.push_back("flaky.test");
  auto [s, mx] = run(io, dns.mx("hamburger.EDU"));
  EXPECT_EQ(s, LookupStatus::Ok);
  EXPECT_EQ(mx.front().host, "a");
  EXPECT_EQ(run(io, dns.txt("hamburger.edu")).first, LookupStatus::NoData);
  EXPECT_EQ(run(io, dns.txt("other.test")).first, LookupStatus::NxDomain);
  EXPECT_EQ(run(io, dns.mx("flaky.test")).first, LookupStatus::TempFail);
  EXPECT_TRUE(run(io, dns.addresses("a")).second.front().is_v4());
  EXPECT_EQ(dns.queries, 5u);
}

}  // namespace
}  // namespace endhost::mail::dns
