// dns-trace (Kurose & Ross §2.4.2, Figure 2.19): the iterative resolution of gaia.cs.umass.edu, one query at
// a time from the lab's root server down, every step shown (dns/client/trace_walk.hpp decides where to go);
// then the same question twice through the lab's local DNS server, its cache emptied first (through the
// dashboard, so that a lab that already resolved the name starts cold too): the first walks the hierarchy,
// the second is served from its cache. The model: iteratively, one query and one reply per server on the
// path; through the local server 2 more messages (the client's query and the final reply), and only those 2
// once the answer is cached.
#include <fmt/format.h>

#include <ostream>

#include "core/system_random.hpp"
#include "dns/client/trace_walk.hpp"
#include "dns/client/transport.hpp"
#include "dns/message.hpp"
#include "lab/experiments/experiments_impl.hpp"
#include "lab/experiments/lab_status.hpp"
#include "lab/experiments/table.hpp"

namespace endhost::lab {

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kName = "gaia.cs.umass.edu";

double since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

dns::client::ServerAddress server_address(const std::string& ipv4) {
  dns::client::ServerAddress a;
  auto bytes = asio::ip::make_address_v4(ipv4).to_bytes();
  std::copy(bytes.begin(), bytes.end(), a.bytes.begin());
  return a;
}

std::string address_text(const dns::client::ServerAddress& a) {
  return fmt::format("{}.{}.{}.{}", a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]);
}

// One getrandom(2) call per query: an experiment asks a few dozen.
std::uint16_t random_id() {
  core::SystemRandom random;
  return random.next16();
}

struct Exchange {
  std::optional<dns::Message> reply;
  std::string error;
  double ms = 0;
};

// From `source` when set (LabInfo::client_address): the servers' transcripts then show the user's side.
awaitable<Exchange> ask(asio::ip::udp::endpoint server, const dns::Name& qname, bool recursion,
                        std::optional<asio::ip::address> source) {
  Exchange x;
  auto wire = dns::encode_message(dns::make_query(random_id(), qname, dns::RRType::A, recursion));
  if (!wire) {
    x.error = "cannot encode the query";
    co_return x;
  }
  auto start = Clock::now();
  dns::client::UdpExchangeOptions options;
  options.timeout = std::chrono::milliseconds(2000);
  options.tries = 2;
  options.source = source;
  auto answer = co_await dns::client::exchange_udp(server, std::move(*wire), options);
  x.ms = since(start);
  if (!answer) {
    x.error = answer.error();
    co_return x;
  }
  auto m = dns::decode_message(*answer);
  if (!m) {
    x.error = "the reply does not decode";
    co_return x;
  }
  x.reply = std::move(*m);
  co_return x;
}

std::string answer_text(const dns::Message& m) {
  std::string out;
  for (const auto& rr : m.answers) {
    if (!out.empty()) out += ", ";
    out += dns::to_string(rr.type) + " " + dns::rdata_to_string(rr.type, rr.rdata);
  }
  return out.empty() ? dns::to_string(m.rcode()) : out;
}

}  // namespace

awaitable<int> dns_trace_experiment(const LabInfo& lab, std::ostream& out) {
  const std::optional<asio::ip::address> source = lab.client_address();
  auto qname = dns::Name::from_string(std::string(kName) + ".");
  std::vector<dns::client::NameServer> roots;
  for (const auto& [origin, servers] : lab.zones) {
    if (origin != ".") continue;
    for (const auto& s : servers) {
      const LabInfo::Host* h = lab.find_host(s);
      auto name = dns::Name::from_string(s + ".");
      if (h && name) roots.push_back({*name, {server_address(h->address)}});
    }
  }
  if (roots.empty() || !qname) {
    out << "dns-trace: this lab has no root server (a host with dns.zones = [\".\"])\n";
    co_return 1;
  }

  out << fmt::format("dns-trace: {} A, iteratively from the lab's root (port {}), recursion not desired\n\n",
                     kName, lab.dns_port);
  Table steps({"step", "asked", "address", "as authority for", "reply", "next", "ms"});
  dns::client::TraceWalk walk(*qname, dns::RRType::A, roots);
  int step = 0;
  double iterative_ms = 0;
  std::string final_answer;
  while (auto next = walk.next()) {
    ++step;
    asio::ip::udp::endpoint ep(asio::ip::make_address(address_text(next->address)), lab.dns_port);
    Exchange x = co_await ask(ep, *qname, false, source);
    iterative_ms += x.ms;
    std::string server = next->server.to_string(), zone = next->zone.to_string();
    if (!x.reply) {
      walk.on_no_response();
      steps.add(
          {std::to_string(step), server, address_text(next->address), zone, "no reply", x.error, ms(x.ms)});
      continue;
    }
    auto reply = walk.on_response(*x.reply);
    std::string detail;
    if (reply == dns::client::TraceWalk::Reply::referral) {
      detail = "referral to " + walk.zone().to_string() + " (";
      for (std::size_t i = 0; i < walk.servers().size(); ++i) {
        detail += (i ? ", " : "") + walk.servers()[i].name.to_string();
      }
      detail += ")";
    } else {
      detail = answer_text(*x.reply);
      final_answer = detail;
    }
    steps.add({std::to_string(step), server, address_text(next->address), zone, dns::client::to_string(reply),
               detail, ms(x.ms)});
  }
  out << steps.render();
  if (walk.outcome() != dns::client::TraceWalk::Outcome::answer) {
    out << "dns-trace: the walk ended without an answer: " << walk.failure() << "\n";
    co_return 1;
  }
  const int servers_asked = step;

  // The same question, recursively, through the local DNS server, twice.
  if (!lab.resolver) {
    out << "\n(this lab runs no local DNS server: nothing to compare with)\n";
    co_return 0;
  }
  asio::ip::udp::endpoint resolver(asio::ip::make_address(lab.resolver->address), lab.resolver->port);
  // A running lab may have resolved the name already (the dashboard's button, dig): start cold.
  auto flushed = co_await flush_resolver_cache(lab);
  if (!flushed) {
    out << "\n(the local DNS server's cache could not be emptied: " << flushed.error()
        << "; the first query may be answered from it)\n";
  }
  Table local(
      {"through " + lab.resolver->host, "answer", "ms", "queries it sent", "messages", "model messages"});
  bool second_cached = false;
  bool first_walked = false;
  for (int run = 1; run <= 2; ++run) {
    auto before = co_await read_counters(lab);
    Exchange x = co_await ask(resolver, *qname, true, source);
    auto after = co_await read_counters(lab);
    if (!x.reply) {
      out << "dns-trace: the local DNS server did not answer: " << x.error << "\n";
      co_return 1;
    }
    std::string sent = "?";
    std::string messages = "?";
    bool from_cache = false;
    if (before && after) {
      auto upstream =
          after->sum("resolver", "upstream queries") - before->sum("resolver", "upstream queries");
      from_cache = after->sum("resolver", "from cache") > before->sum("resolver", "from cache");
      sent = std::to_string(upstream);
      messages = std::to_string(2 + 2 * upstream);
    }
    if (run == 1) first_walked = !from_cache && sent != "?" && sent != "0";
    if (run == 2) second_cached = from_cache;
    std::string label = run == 1 ? "first query" : "second query";
    if (from_cache) label += " (cache)";
    local.add(
        {label, answer_text(*x.reply), ms(x.ms), sent, messages,
         run == 1 ? fmt::format("{} (2 + 2 x {})", 2 + 2 * servers_asked, servers_asked) : "2 (cached)"});
  }
  out << "\n" << local.render();
  out << fmt::format(
      "\nIteratively, {} servers were asked (root, TLD, then the authoritative chain: {} ms in all). The "
      "local\n"
      "DNS server does the same walk for its client, so a first query costs 2 + 2 x {} messages (Figure "
      "2.19\n"
      "counts 8 for its three servers); once the answer is cached, only the 2 between client and server "
      "remain.\n",
      servers_asked, ms(iterative_ms), servers_asked);
  // Without a dashboard nothing was counted or flushed: there is nothing to check.
  if (!lab.dashboard) co_return 0;
  co_return second_cached && (first_walked || !flushed) ? 0 : 1;
}

}  // namespace endhost::lab
