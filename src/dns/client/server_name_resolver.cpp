#include "dns/client/server_name_resolver.hpp"

#include "core/host_port.hpp"

#include "core/connection.hpp"
#include "core/system_random.hpp"
#include "dns/client/transport.hpp"
#include "dns/header.hpp"
#include "dns/message.hpp"

namespace endhost::dns::client {

namespace {

using SteadyClock = std::chrono::steady_clock;
using core::ResolveErrc;
using core::ResolveError;

struct Answer {
  Rcode rcode = Rcode::NOERROR;
  core::Addresses addresses;
};

// The addresses of `qname` in `m`'s answer section, following CNAMEs from qname (at most as many steps as
// there are records, so a CNAME loop ends).
core::Addresses addresses_in(const Message& m, const Name& qname, RRType type) {
  std::vector<Name> owners{qname};
  for (std::size_t step = 0; step < m.answers.size(); ++step) {
    bool grew = false;
    for (const auto& rr : m.answers) {
      const auto* cname = std::get_if<rdata::Cname>(&rr.rdata);
      if (!cname || rr.name != owners.back()) continue;
      if (std::find(owners.begin(), owners.end(), cname->target) != owners.end()) continue;
      owners.push_back(cname->target);
      grew = true;
    }
    if (!grew) break;
  }
  core::Addresses out;
  for (const auto& rr : m.answers) {
    if (rr.type != type || std::find(owners.begin(), owners.end(), rr.name) == owners.end()) continue;
    if (const auto* a = std::get_if<rdata::A>(&rr.rdata)) out.emplace_back(asio::ip::address_v4(a->address));
    if (const auto* a6 = std::get_if<rdata::Aaaa>(&rr.rdata))
      out.emplace_back(asio::ip::address_v6(a6->address));
  }
  return out;
}

awaitable<Expected<Answer, ResolveError>> ask(const asio::ip::udp::endpoint& server, const std::string& host,
                                              const Name& qname, RRType type, SteadyClock::duration budget,
                                              const core::SocketPlace& place) {
  const std::string where = core::endpoint_text(server);
  // The query ID must be unpredictable (RFC 5452 §4).
  core::SystemRandom random;
  auto query = encode_message(make_query(random.next16(), qname, type, true));
  if (!query) co_return Unexpected(ResolveError{ResolveErrc::failed, "cannot encode a query for " + host});
  UdpExchangeOptions udp;
  udp.tries = 2;
  udp.timeout = std::max(std::chrono::milliseconds(1),
                         std::chrono::duration_cast<std::chrono::milliseconds>(budget / udp.tries));
  udp.place = place;
  Expected<Bytes, std::string> reply = co_await exchange_udp(server, *query, udp);
  if (reply && reply->size() >= kHeaderSize && decode_header(*reply).tc) {
    const asio::ip::tcp::endpoint tcp_server(server.address(), server.port());
    reply = co_await exchange_tcp(tcp_server, *query, udp.timeout, std::nullopt, place);
  }
  if (!reply)
    co_return Unexpected(ResolveError{
        reply.error().find("no answer") == 0 ? ResolveErrc::timeout : ResolveErrc::failed,
        "cannot resolve host " + host + " through the resolver at " + where + ": " + reply.error()});
  auto m = decode_message(*reply);
  if (!m)
    co_return Unexpected(ResolveError{
        ResolveErrc::failed,
        "cannot resolve host " + host + ": the resolver at " + where + " sent a malformed answer"});
  co_return Answer{m->rcode(), addresses_in(*m, qname, type)};
}

}  // namespace

awaitable<core::ResolveResult> ServerNameResolver::resolve(const std::string& host,
                                                           SteadyClock::time_point until) const {
  auto qname = Name::from_string(host.back() == '.' ? host : host + ".");
  if (!qname)
    co_return Unexpected(
        ResolveError{ResolveErrc::not_found, "cannot resolve host " + host + ": not a valid name"});
  core::Addresses out;
  const RRType types[] = {RRType::A, RRType::AAAA};
  for (std::size_t i = 0; i < 2; ++i) {
    const auto left = until - SteadyClock::now();
    if (left <= SteadyClock::duration::zero()) break;
    // The first query leaves the second half of the time; the second takes what is left.
    const auto budget = i == 0 ? left / 2 : left;
    auto answer = co_await ask(server_, host, *qname, types[i], budget, place_);
    if (!answer) {
      if (!out.empty()) break;  // the AAAA query failed but we have IPv4 addresses: good enough
      co_return Unexpected(answer.error());
    }
    if (answer->rcode == Rcode::NXDOMAIN)
      co_return Unexpected(
          ResolveError{ResolveErrc::not_found, "cannot resolve host " + host + ": no such name"});
    if (answer->rcode != Rcode::NOERROR) {
      if (!out.empty()) break;
      co_return Unexpected(ResolveError{
          ResolveErrc::failed, "cannot resolve host " + host + ": the resolver at " +
                                   core::endpoint_text(server_) + " answered " + to_string(answer->rcode)});
    }
    out.insert(out.end(), answer->addresses.begin(), answer->addresses.end());
  }
  if (out.empty()) {
    if (SteadyClock::now() >= until)
      co_return Unexpected(ResolveError{ResolveErrc::timeout, "resolving " + host + ": timed out"});
    co_return Unexpected(
        ResolveError{ResolveErrc::not_found, "cannot resolve host " + host + ": it has no address"});
  }
  co_return out;
}

Expected<std::shared_ptr<const core::NameResolver>, std::string> name_resolver_for(const std::string& spec) {
  if (spec.empty())
    return std::shared_ptr<const core::NameResolver>(std::make_shared<core::SystemNameResolver>());
  auto hp = core::parse_host_port(spec, 53);
  if (!hp) return Unexpected("--dns-servers: " + hp.error());
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(hp->host, ec);
  if (ec) return Unexpected("--dns-servers takes an IP address, not a name: '" + hp->host + "'");
  return std::shared_ptr<const core::NameResolver>(
      std::make_shared<ServerNameResolver>(asio::ip::udp::endpoint(address, hp->port)));
}

}  // namespace endhost::dns::client
