#include "mail/dns/mail_dns.hpp"

#include <algorithm>
#include <chrono>

#include "core/ascii_case.hpp"
#include "core/system_random.hpp"
#include "dns/client/transport.hpp"
#include "dns/header.hpp"
#include "dns/limits.hpp"
#include "dns/message.hpp"
#include "dns/name.hpp"

namespace endhost::mail::dns {

namespace wire = ::endhost::dns;

namespace {

std::string without_dot(std::string name) {
  if (name.size() > 1 && name.back() == '.') name.pop_back();
  return name;
}

std::string key_of(std::string name) {
  name = without_dot(std::move(name));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  return name;
}

// The answer of one question: its rcode and the records of `type` owned by the name or the end of the
// CNAME chain that starts at it (RFC 1034 §3.6.2; the chain is followed within the answer only).
struct Answer {
  LookupStatus status = LookupStatus::TempFail;
  std::vector<wire::ResourceRecord> records;
};

std::vector<wire::ResourceRecord> records_in(const wire::Message& m, const wire::Name& qname,
                                             wire::RRType type) {
  std::vector<wire::Name> owners{qname};
  for (std::size_t step = 0; step < m.answers.size(); ++step) {
    bool grew = false;
    for (const auto& rr : m.answers) {
      const auto* cname = std::get_if<wire::rdata::Cname>(&rr.rdata);
      if (!cname || rr.name != owners.back()) continue;
      if (std::find(owners.begin(), owners.end(), cname->target) != owners.end()) continue;
      owners.push_back(cname->target);
      grew = true;
    }
    if (!grew) break;
  }
  std::vector<wire::ResourceRecord> out;
  for (const auto& rr : m.answers)
    if (rr.type == type && std::find(owners.begin(), owners.end(), rr.name) != owners.end())
      out.push_back(rr);
  return out;
}

class ResolverMailDns final : public MailDns {
 public:
  ResolverMailDns(asio::ip::udp::endpoint resolver, std::optional<asio::ip::address> source,
                  core::SocketPlace place)
      : resolver_(std::move(resolver)), source_(std::move(source)), place_(std::move(place)) {}

  awaitable<std::pair<LookupStatus, std::vector<MxHost>>> mx(std::string domain) const override {
    Answer a = co_await ask(domain, wire::RRType::MX);
    std::vector<MxHost> hosts;
    for (const auto& rr : a.records)
      if (const auto* mx = std::get_if<wire::rdata::Mx>(&rr.rdata)) {
        std::string host = mx->exchange.to_string();
        hosts.push_back(MxHost{mx->preference, host == "." ? std::string() : without_dot(host)});
      }
    std::stable_sort(hosts.begin(), hosts.end(),
                     [](const MxHost& x, const MxHost& y) { return x.preference < y.preference; });
    co_return std::pair{finish(a.status, hosts.empty()), std::move(hosts)};
  }

  awaitable<std::pair<LookupStatus, std::vector<std::string>>> txt(std::string name) const override {
    Answer a = co_await ask(name, wire::RRType::TXT);
    std::vector<std::string> texts;
    for (const auto& rr : a.records)
      if (const auto* t = std::get_if<wire::rdata::Txt>(&rr.rdata)) {
        std::string joined;
        for (const auto& s : t->strings) joined += s;
        texts.push_back(std::move(joined));
      }
    co_return std::pair{finish(a.status, texts.empty()), std::move(texts)};
  }

  awaitable<std::pair<LookupStatus, std::vector<asio::ip::address>>> addresses(
      std::string host) const override {
    std::vector<asio::ip::address> out;
    Answer v4 = co_await ask(host, wire::RRType::A);
    if (v4.status == LookupStatus::NxDomain) co_return std::pair{LookupStatus::NxDomain, std::move(out)};
    for (const auto& rr : v4.records)
      if (const auto* a = std::get_if<wire::rdata::A>(&rr.rdata))
        out.emplace_back(asio::ip::address_v4(a->address));
    Answer v6 = co_await ask(host, wire::RRType::AAAA);
    for (const auto& rr : v6.records)
      if (const auto* a = std::get_if<wire::rdata::Aaaa>(&rr.rdata))
        out.emplace_back(asio::ip::address_v6(a->address));
    if (!out.empty()) co_return std::pair{LookupStatus::Ok, std::move(out)};
    // Neither family: a failure of either question means we cannot say the name has no address.
    if (v4.status == LookupStatus::TempFail || v6.status == LookupStatus::TempFail)
      co_return std::pair{LookupStatus::TempFail, std::move(out)};
    co_return std::pair{v6.status == LookupStatus::NxDomain ? LookupStatus::NxDomain : LookupStatus::NoData,
                        std::move(out)};
  }

 private:
  static LookupStatus finish(LookupStatus status, bool empty) {
    if (status == LookupStatus::Ok && empty) return LookupStatus::NoData;
    return status;
  }

  awaitable<Answer> ask(const std::string& name, wire::RRType type) const {
    Answer out;
    if (name.empty()) {
      out.status = LookupStatus::NxDomain;
      co_return out;
    }
    auto qname = wire::Name::from_string(name.back() == '.' ? name : name + ".");
    if (!qname) {
      out.status = LookupStatus::NxDomain;  // not a name: nothing can exist there
      co_return out;
    }
    // The query ID must be unpredictable (RFC 5452 §4).
    core::SystemRandom random;
    auto query = wire::encode_message(wire::make_query(random.next16(), *qname, type, true));
    if (!query) co_return out;
    wire::client::UdpExchangeOptions udp;
    udp.tries = 3;
    udp.timeout = std::chrono::milliseconds(2'000);
    udp.source = source_;
    udp.place = place_;
    auto reply = co_await wire::client::exchange_udp(resolver_, *query, udp);
    // Truncated: again over TCP (RFC 7766 §5), which long DKIM keys need.
    if (reply && reply->size() >= wire::kHeaderSize && wire::decode_header(*reply).tc) {
      const asio::ip::tcp::endpoint tcp_server(resolver_.address(), resolver_.port());
      reply = co_await wire::client::exchange_tcp(tcp_server, *query, udp.timeout, source_, place_);
    }
    if (!reply) co_return out;
    auto m = wire::decode_message(*reply);
    if (!m) co_return out;
    switch (m->rcode()) {
      case wire::Rcode::NOERROR:
        out.status = LookupStatus::Ok;
        out.records = records_in(*m, *qname, type);
        break;
      case wire::Rcode::NXDOMAIN:
        out.status = LookupStatus::NxDomain;
        break;
      default:
        out.status = LookupStatus::TempFail;
        break;  // SERVFAIL, REFUSED, …
    }
    co_return out;
  }

  asio::ip::udp::endpoint resolver_;
  std::optional<asio::ip::address> source_;
  core::SocketPlace place_;
};

template <class Map>
auto find_key(const Map& map, const std::string& key) {
  for (auto it = map.begin(); it != map.end(); ++it)
    if (key_of(it->first) == key) return it;
  return map.end();
}

}  // namespace

std::shared_ptr<const MailDns> resolver_mail_dns(asio::ip::udp::endpoint resolver,
                                                 std::optional<asio::ip::address> source,
                                                 core::SocketPlace place) {
  return std::make_shared<ResolverMailDns>(std::move(resolver), std::move(source), std::move(place));
}

LookupStatus FakeMailDns::status_of(const std::string& name, bool present) const {
  const std::string key = key_of(name);
  for (const auto& t : temp_fail)
    if (key_of(t) == key) return LookupStatus::TempFail;
  if (present) return LookupStatus::Ok;
  const bool exists = find_key(mx_records, key) != mx_records.end() ||
                      find_key(txt_records, key) != txt_records.end() ||
                      find_key(address_records, key) != address_records.end();
  return exists ? LookupStatus::NoData : LookupStatus::NxDomain;
}

awaitable<std::pair<LookupStatus, std::vector<MxHost>>> FakeMailDns::mx(std::string domain) const {
  ++queries;
  auto it = find_key(mx_records, key_of(domain));
  std::vector<MxHost> hosts;
  if (it != mx_records.end()) hosts = it->second;
  std::stable_sort(hosts.begin(), hosts.end(),
                   [](const MxHost& x, const MxHost& y) { return x.preference < y.preference; });
  const LookupStatus s = status_of(domain, it != mx_records.end() && !hosts.empty());
  if (s != LookupStatus::Ok) hosts.clear();
  co_return std::pair{s, std::move(hosts)};
}

awaitable<std::pair<LookupStatus, std::vector<std::string>>> FakeMailDns::txt(std::string name) const {
  ++queries;
  auto it = find_key(txt_records, key_of(name));
  std::vector<std::string> texts;
  if (it != txt_records.end()) texts = it->second;
  const LookupStatus s = status_of(name, it != txt_records.end() && !texts.empty());
  if (s != LookupStatus::Ok) texts.clear();
  co_return std::pair{s, std::move(texts)};
}

awaitable<std::pair<LookupStatus, std::vector<asio::ip::address>>> FakeMailDns::addresses(
    std::string host) const {
  ++queries;
  auto it = find_key(address_records, key_of(host));
  std::vector<asio::ip::address> out;
  if (it != address_records.end()) out = it->second;
  // A before AAAA, as the resolver's answer.
  std::stable_partition(out.begin(), out.end(), [](const asio::ip::address& a) { return a.is_v4(); });
  const LookupStatus s = status_of(host, it != address_records.end() && !out.empty());
  if (s != LookupStatus::Ok) out.clear();
  co_return std::pair{s, std::move(out)};
}

}  // namespace endhost::mail::dns
