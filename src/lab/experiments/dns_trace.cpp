// dns-trace (Kurose & Ross §2.4.2, Figure 2.19): the iterative resolution of gaia.cs.umass.edu, one query at
// a time from the lab's root server down, every step shown (dns/client/trace_walk.hpp decides where to go);
// then the same question twice through the lab's local DNS server, its cache emptied first (through the
// dashboard, so that a lab that already resolved the name starts cold too): the first walks the hierarchy,
// the second is served from its cache. The model: iteratively, one query and one reply per server on the
// path; through the local server 2 more messages (the client's query and the final reply), and only those 2
// once the answer is cached. In time (§2.4.2, models.hpp): a lookup is the sum of the round trips to each
// server asked — iteratively from here, Σ RTT(user, server); through the local server RTT(user, local) +
// Σ RTT(local, server); once cached, RTT(user, local). The RTTs are the emulated paths' (lab.json's
// topology), or on loopback the median of 5 queries to the root server, measured here.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <ostream>

#include "core/system_random.hpp"
#include "dns/client/trace_walk.hpp"
#include "dns/client/transport.hpp"
#include "dns/message.hpp"
#include "lab/experiments/experiments_impl.hpp"
#include "lab/experiments/lab_status.hpp"
#include "lab/experiments/model_rows.hpp"
#include "lab/experiments/table.hpp"
#include "lab/models.hpp"

namespace endhost::lab {

namespace json = boost::json;

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kName = "gaia.cs.umass.edu";

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
  Clock::time_point sent, received;  // the query went out; the reply (or the giving up) came
  double ms = 0;
};

// From `source` when set (LabInfo::client_address): the servers' transcripts then show the user's side.
awaitable<Exchange> ask(asio::ip::udp::endpoint server, const dns::Name& qname, bool recursion,
                        std::optional<asio::ip::address> source) {
  Exchange x;
  x.sent = x.received = Clock::now();
  auto wire = dns::encode_message(dns::make_query(random_id(), qname, dns::RRType::A, recursion));
  if (!wire) {
    x.error = "cannot encode the query";
    co_return x;
  }
  dns::client::UdpExchangeOptions options;
  options.timeout = std::chrono::milliseconds(2000);
  options.tries = 2;
  options.source = source;
  x.sent = Clock::now();
  auto answer = co_await dns::client::exchange_udp(server, std::move(*wire), options);
  x.received = Clock::now();
  x.ms = std::chrono::duration<double, std::milli>(x.received - x.sent).count();
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

// The lab host of "ADDRESS:PORT", else the address itself (a client outside the lab's hosts).
std::string host_of(const LabInfo& lab, std::string_view peer) {
  std::string address(peer.substr(0, peer.rfind(':')));
  for (const auto& h : lab.hosts) {
    if (h.address == address) return h.name;
  }
  return address;
}

// The DNS messages of one resolution as the lab's servers recorded them in their transcripts: every query
// a DNS server or the local DNS server received ('C' lines: from the peer to the service's host) and every
// reply it sent ('S' lines), in the order recorded, times in ms since the first. Notes are left out.
json::array messages_from_transcripts(const LabInfo& lab, const std::vector<TranscriptLine>& lines) {
  json::array out;
  std::int64_t first = 0;
  for (const auto& l : lines) {
    auto slash = l.service.rfind('/');
    std::string_view kind =
        slash == std::string::npos ? std::string_view() : std::string_view(l.service).substr(slash + 1);
    if ((kind != "dns" && kind != "resolver") || (l.who != 'C' && l.who != 'S')) continue;
    if (out.empty()) first = l.unix_micros;
    std::string service_host = l.service.substr(0, slash);
    std::string peer_host = host_of(lab, l.peer);
    const bool query = l.who == 'C';
    out.push_back(json::object{{"from", query ? peer_host : service_host},
                               {"to", query ? service_host : peer_host},
                               {"kind", query ? "query" : "reply"},
                               {"t_ms", static_cast<double>(l.unix_micros - first) / 1000.0},
                               {"service", l.service},
                               {"peer", l.peer},
                               {"text", l.text}});
  }
  return out;
}

// The transcript lines after `after`, once the local DNS server's reply to its client is among them (it is
// recorded just after the reply is sent, so it may trail the answer by a moment): at most ~1 s of asking.
awaitable<std::vector<TranscriptLine>> resolution_lines(const LabInfo& lab, std::uint64_t after) {
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  std::vector<TranscriptLine> lines;
  for (int attempt = 0; attempt < 50; ++attempt) {
    auto got = co_await read_transcripts(lab, after);
    if (got) {
      lines = std::move(*got);
      for (const auto& l : lines) {
        if (l.who == 'S' && l.service.size() > 9 && l.service.ends_with("/resolver")) co_return lines;
      }
    }
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(use_nothrow);
  }
  co_return lines;
}

}  // namespace

awaitable<int> dns_trace_experiment(const LabInfo& lab, const ExperimentOptions& /*options*/,
                                    std::ostream& out, json::object& data) {
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
  data["name"] = kName;
  data["type"] = "A";
  // The iterative walk's messages as this program sent and received them, times in ms since the first query.
  // The asking side is named as the servers' transcripts name it: the lab host whose address it sends from
  // (the dashboard's), else "this host" (a lab without a dashboard: the system picks the address).
  const std::string asker = source ? host_of(lab, source->to_string() + ":0") : std::string("this host");
  json::array walk_messages;
  std::optional<Clock::time_point> walk_start;
  auto walk_message = [&walk_messages, &walk_start](std::string from, std::string to, std::string kind,
                                                    Clock::time_point at, std::string text,
                                                    std::string address) {
    if (!walk_start) walk_start = at;
    walk_messages.push_back(
        json::object{{"from", std::move(from)},
                     {"to", std::move(to)},
                     {"kind", std::move(kind)},
                     {"t_ms", std::chrono::duration<double, std::milli>(at - *walk_start).count()},
                     {"server_address", std::move(address)},
                     {"text", std::move(text)}});
  };
  const std::string question = std::string(kName) + " A";
  int step = 0;
  double iterative_ms = 0;
  std::string final_answer;
  std::vector<std::string> asked;  // the servers that answered, in order, by host name
  while (auto next = walk.next()) {
    ++step;
    asio::ip::udp::endpoint ep(asio::ip::make_address(address_text(next->address)), lab.dns_port);
    Exchange x = co_await ask(ep, *qname, false, source);
    iterative_ms += x.ms;
    std::string server = next->server.to_string(), zone = next->zone.to_string();
    std::string server_host = server.ends_with('.') ? server.substr(0, server.size() - 1) : server;
    walk_message(asker, server_host, "query", x.sent, question, address_text(next->address));
    if (!x.reply) {
      walk_message(server_host, asker, "no reply", x.received, x.error, address_text(next->address));
      walk.on_no_response();
      steps.add(
          {std::to_string(step), server, address_text(next->address), zone, "no reply", x.error, ms(x.ms)});
      continue;
    }
    auto reply = walk.on_response(*x.reply);
    asked.push_back(server_host);
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
    walk_message(server_host, asker, "reply", x.received,
                 std::string(dns::client::to_string(reply)) + ": " + detail, address_text(next->address));
  }
  out << steps.render();
  data["iterative"] =
      json::object{{"asker", asker}, {"servers_asked", step}, {"messages", std::move(walk_messages)}};
  if (walk.outcome() != dns::client::TraceWalk::Outcome::answer) {
    out << "dns-trace: the walk ended without an answer: " << walk.failure() << "\n";
    co_return 1;
  }
  const int servers_asked = step;
  data["answer"] = final_answer;

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
  double recursive_ms[2] = {0, 0};
  json::array recursive;
  bool second_cached = false;
  bool first_walked = false;
  for (int run = 1; run <= 2; ++run) {
    auto before = co_await read_counters(lab);
    auto seq_before = co_await read_transcript_seq(lab);
    Exchange x = co_await ask(resolver, *qname, true, source);
    auto after = co_await read_counters(lab);
    if (!x.reply) {
      out << "dns-trace: the local DNS server did not answer: " << x.error << "\n";
      co_return 1;
    }
    recursive_ms[run - 1] = x.ms;
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
    // Who sent what when, as the lab's servers recorded it (not as the model says it should be).
    json::array recorded;
    if (seq_before) {
      auto lines = co_await resolution_lines(lab, *seq_before);
      recorded = messages_from_transcripts(lab, lines);
    }
    recursive.push_back(json::object{{"label", run == 1 ? "first query" : "second query"},
                                     {"from_cache", from_cache},
                                     {"answer", answer_text(*x.reply)},
                                     {"ms", x.ms},
                                     {"upstream_queries", sent},
                                     {"model_messages", run == 1 ? 2 + 2 * servers_asked : 2},
                                     {"messages", std::move(recorded)}});
  }
  out << "\n" << local.render();
  data["resolver"] = json::object{
      {"host", lab.resolver->host}, {"address", lab.resolver->address}, {"port", lab.resolver->port}};
  data["recursive"] = std::move(recursive);
  out << fmt::format(
      "\nIteratively, {} servers were asked (root, TLD, then the authoritative chain: {} ms in all). The "
      "local\n"
      "DNS server does the same walk for its client, so a first query costs 2 + 2 x {} messages (Figure "
      "2.19\n"
      "counts 8 for its three servers); once the answer is cached, only the 2 between client and server "
      "remain.\n",
      servers_asked, ms(iterative_ms), servers_asked);

  // The times against the sum of round trips: the emulated paths' RTTs, or one measured RTT on loopback.
  const std::string user = lab.user_host();
  // With emulated links every server's own path gives its round trip, whatever the delay to the local
  // server (on the default lab, the same LAN: none). The basis printed is the path to the first server
  // asked (the root), which has a delay.
  const bool links_emulated = lab.network == "emulated" && lab.topology;
  const std::optional<NetworkBasis> emulated =
      links_emulated ? emulated_basis(lab, asked.empty() ? lab.resolver->host : asked.front()) : std::nullopt;
  double rtt = 0;
  std::string rtt_source;
  if (!links_emulated) {
    std::vector<double> probes;
    const LabInfo::Host* root = lab.find_host(asked.empty() ? std::string() : asked.front());
    for (int i = 0; i < 5 && root; ++i) {
      asio::ip::udp::endpoint ep(asio::ip::make_address(root->address), lab.dns_port);
      Exchange probe = co_await ask(ep, *qname, false, source);
      if (probe.reply) probes.push_back(probe.ms);
    }
    std::sort(probes.begin(), probes.end());
    rtt = probes.empty() ? 0 : probes[probes.size() / 2];
    rtt_source = fmt::format("a query to {} and its reply, median of 5", root ? root->name : "the root");
  }
  // The lab as a named local: a lambda inside a coroutine does not capture the coroutine's parameters (GCC 12
  // rule 4, docs/internals/core.md).
  const LabInfo& info = lab;
  auto path_rtt = [&info, links_emulated, rtt](const std::string& from, const std::string& to) {
    if (!links_emulated) return rtt;
    auto p = info.topology->path(from, to);
    return p ? p->rtt_ms : 0.0;
  };
  std::vector<double> from_user, from_local;
  for (const auto& server : asked) {
    from_user.push_back(path_rtt(user, server));
    from_local.push_back(path_rtt(lab.resolver->host, server));
  }
  const double to_local = path_rtt(user, lab.resolver->host);
  const NetworkBasis basis =
      emulated ? *emulated
               : measured_basis(lab, lab.resolver->host, rtt,
                                links_emulated ? "the path to the first server asked sets no delay" : rtt_source);
  std::vector<ModelRow> rows;
  rows.push_back({"iterative, from here", models::lookup_ms(from_user), iterative_ms,
                  json::object{{"servers", static_cast<std::int64_t>(asked.size())},
                               {"rtt_ms", json::value_from(from_user)}}});
  from_local.insert(from_local.begin(), to_local);
  rows.push_back({"first query, through " + lab.resolver->host, models::lookup_ms(from_local),
                  recursive_ms[0],
                  json::object{{"servers", static_cast<std::int64_t>(asked.size()) + 1},
                               {"rtt_ms", json::value_from(from_local)}}});
  rows.push_back({"second query (cached)", to_local, recursive_ms[1],
                  json::object{{"servers", 1}, {"rtt_ms", json::array{to_local}}}});
  out << "\n" << basis_text(lab, basis);
  out << "lookup time = the sum of the round trips to each server asked (§2.4.2):\n" << rows_table(rows);
  data["network"] = basis_json(basis);
  data["rows"] = rows_json(rows);
  // Without a dashboard nothing was counted or flushed: there is nothing to check.
  if (!lab.dashboard) co_return 0;
  co_return second_cached && (first_walked || !flushed) ? 0 : 1;
}

}  // namespace endhost::lab
