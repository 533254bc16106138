#include "dns/client/query_client.hpp"

#include <ctime>
#include <sstream>

#include "core/run_client.hpp"
#include "core/system_random.hpp"
#include "dns/client/dig_output.hpp"
#include "dns/client/root_hints.hpp"
#include "dns/client/trace_walk.hpp"
#include "dns/client/transport.hpp"
#include "dns/header.hpp"
#include "dns/message.hpp"
#include "dns/zone_parser.hpp"

namespace endhost::dns::client {

namespace {

using clock = std::chrono::steady_clock;

// Traces resolve glueless name servers with walks of their own; this bounds the nesting.
constexpr int kMaxTraceDepth = 4;

std::string now_text() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S %Z %Y", &tm);
  return buf;
}

std::string at(const asio::ip::address& a, std::uint16_t port) {
  return a.to_string() + "#" + std::to_string(port);
}

asio::ip::address to_address(const ServerAddress& a) {
  if (a.v6) return asio::ip::make_address_v6(a.bytes);
  return asio::ip::make_address_v4(
      asio::ip::address_v4::bytes_type{a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]});
}

struct Exchange {
  Bytes wire;
  bool tcp = false;
  bool retried_over_tcp = false;
  std::int64_t ms = 0;
};

class Client {
 public:
  Client(const QueryOptions& o, std::ostream& out, std::ostream& err) : o_(o), out_(out), err_(err) {}

  awaitable<int> query();
  awaitable<int> trace();

 private:
  Bytes make(const Name& qname, RRType qtype, bool rd) {
    std::optional<Edns> edns;
    if (o_.edns) {
      edns.emplace();
      edns->udp_payload = o_.udp_payload;
    }
    Message query = make_query(random_.next16(), qname, qtype, rd, edns);
    if (!query.questions.empty()) query.questions.front().klass = o_.qclass;
    auto wire = encode_message(query);
    return wire ? *wire : Bytes{};
  }

  // UDP (unless --tcp), then TCP again if the UDP answer came back truncated (RFC 1035 §4.2.1, RFC 7766).
  awaitable<Expected<Exchange, std::string>> send(const Bytes& query, const asio::ip::address& address,
                                                  std::uint16_t port) {
    Exchange ex;
    auto start = clock::now();
    Expected<Bytes, std::string> reply = Bytes{};
    if (o_.tcp) {
      reply = co_await exchange_tcp({address, port}, query, o_.timeout);
      ex.tcp = true;
    } else {
      UdpExchangeOptions u;
      u.timeout = o_.timeout;
      u.tries = o_.tries;
      reply = co_await exchange_udp({address, port}, query, u);
      if (reply && reply->size() >= kHeaderSize && decode_header(*reply).tc) {
        ex.retried_over_tcp = true;
        ex.tcp = true;
        reply = co_await exchange_tcp({address, port}, query, o_.timeout);
      }
    }
    ex.ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start).count();
    if (!reply) co_return Unexpected(reply.error());
    ex.wire = std::move(*reply);
    co_return ex;
  }

  awaitable<std::optional<Message>> walk(TraceWalk& walk, int depth);

  const QueryOptions& o_;
  std::ostream& out_;
  std::ostream& err_;
  core::SystemRandom random_;
  std::vector<NameServer> roots_;
  int step_ = 0;
};

awaitable<int> Client::query() {
  Bytes query = make(o_.qname, o_.qtype, o_.recurse);
  if (o_.display.cmd) out_ << format_banner(o_.arguments);
  auto ex = co_await send(query, o_.server, o_.port);
  if (!ex) {
    out_ << ";; " << ex.error() << "\n;; no servers could be reached\n";
    co_return 9;
  }
  auto m = decode_message(ex->wire);
  if (!m) {
    out_ << ";; Got bad packet: " << m.error().to_string() << "\n";
    co_return 1;
  }
  ExchangeFacts facts;
  facts.server_address = at(o_.server, o_.port);
  facts.server_name = o_.server_label.empty() ? o_.server.to_string() : o_.server_label;
  facts.tcp = ex->tcp;
  facts.retried_over_tcp = ex->retried_over_tcp;
  facts.query_ms = ex->ms;
  facts.size = ex->wire.size();
  facts.when = now_text();
  out_ << format_response(*m, facts, o_.display);
  co_return 0;
}

awaitable<std::optional<Message>> Client::walk(TraceWalk& w, int depth) {
  std::optional<Message> last;
  for (;;) {
    if (auto ask = w.next()) {
      auto address = to_address(ask->address);
      std::string where = at(address, o_.query_port);
      out_ << "\n;; Step " << ++step_ << ": asking " << ask->server.to_string() << " at " << where
           << ", a server for " << ask->zone.to_string() << ", about " << w.qname().to_string() << " "
           << to_string(w.qtype()) << "\n";
      Bytes query = make(w.qname(), w.qtype(), false);  // RD=0: iterative, each server answers for itself
      auto ex = co_await send(query, address, o_.query_port);
      if (!ex) {
        out_ << ";; " << ex.error() << "\n";
        w.on_no_response();
        continue;
      }
      auto m = decode_message(ex->wire);
      if (!m) {
        out_ << ";; bad response from " << where << ": " << m.error().to_string() << "\n";
        w.on_no_response();
        continue;
      }
      Name asked_zone = ask->zone;
      auto reply = w.on_response(*m);
      std::string received = "received " + std::to_string(ex->wire.size()) + " bytes from " + where + "(" +
                             ask->server.to_string() + ") in " + std::to_string(ex->ms) + " ms" +
                             (ex->tcp ? " over TCP" : "");
      switch (reply) {
        case TraceWalk::Reply::referral: {
          out_ << format_records(m->authorities) << format_records(m->additionals);
          std::size_t glued = 0;
          for (const auto& s : w.servers()) glued += s.addresses.empty() ? 0 : 1;
          out_ << ";; Referral from " << asked_zone.to_string() << " to " << w.zone().to_string() << ": "
               << w.servers().size() << " name server" << (w.servers().size() == 1 ? "" : "s") << ", "
               << glued << " with glue; " << received << "\n";
          break;
        }
        case TraceWalk::Reply::answer:
          out_ << format_records(m->answers);
          out_ << ";; Answer" << (m->header.aa ? " (authoritative)" : "") << ", " << received << "\n";
          last = std::move(*m);
          break;
        case TraceWalk::Reply::nxdomain:
        case TraceWalk::Reply::nodata:
          out_ << format_records(m->authorities);
          out_ << ";; " << to_string(reply) << ": " << w.qname().to_string() << " "
               << (reply == TraceWalk::Reply::nxdomain ? "does not exist"
                                                       : ("has no " + to_string(w.qtype())))
               << " (authoritative); " << received << "\n";
          last = std::move(*m);
          break;
        case TraceWalk::Reply::lame:
        case TraceWalk::Reply::error:
          out_ << ";; No usable answer (" << to_string(reply) << ", status " << to_string(m->rcode()) << "), "
               << received << "; trying the next server\n";
          break;
      }
      continue;
    }
    if (auto name = w.needs_address()) {
      std::vector<ServerAddress> found;
      if (depth < kMaxTraceDepth) {
        out_ << "\n;; " << name->to_string() << " came without glue: finding its address from the root\n";
        TraceWalk sub(*name, RRType::A, roots_);
        auto answer = co_await walk(sub, depth + 1);
        if (answer) {
          for (const auto& rr : answer->answers) {
            if (rr.type != RRType::A) continue;
            ServerAddress a;
            const auto& v4 = std::get<rdata::A>(rr.rdata).address;
            std::copy(v4.begin(), v4.end(), a.bytes.begin());
            found.push_back(a);
          }
        }
        out_ << ";; back to " << w.qname().to_string() << " " << to_string(w.qtype()) << "\n";
      }
      w.provide_addresses(*name, std::move(found));
      continue;
    }
    break;
  }
  if (w.outcome() == TraceWalk::Outcome::failed) out_ << ";; Trace failed: " << w.failure() << "\n";
  co_return last;
}

awaitable<int> Client::trace() {
  auto text = file_loader(1 << 20)(o_.root_hints);
  if (!text) {
    err_ << "endhost dns query: cannot read --root-hints " << o_.root_hints << ": " << text.error() << "\n";
    co_return 1;
  }
  auto roots = parse_root_hints(*text, o_.root_hints);
  if (!roots) {
    err_ << "endhost dns query: --root-hints " << roots.error() << "\n";
    co_return 1;
  }
  roots_ = *roots;
  out_ << format_banner(o_.arguments) << ";; Root hints from " << o_.root_hints << ":\n";
  for (const auto& s : roots_) {
    out_ << ".\t\t\tIN\tNS\t" << s.name.to_string() << "\n";
    for (const auto& a : s.addresses)
      out_ << s.name.to_string() << "\t\tIN\t" << (a.v6 ? "AAAA" : "A") << "\t" << a.to_string() << "\n";
  }
  TraceWalk w(o_.qname, o_.qtype, roots_);
  co_await walk(w, 0);
  switch (w.outcome()) {
    case TraceWalk::Outcome::answer:
    case TraceWalk::Outcome::nxdomain:
    case TraceWalk::Outcome::nodata:
      out_ << "\n;; Done: " << w.qname().to_string() << " " << to_string(w.qtype()) << " resolved in "
           << step_ << " step" << (step_ == 1 ? "" : "s") << ", from the root down to "
           << w.zone().to_string() << "\n";
      co_return 0;
    default:
      co_return 9;
  }
}

}  // namespace

std::string first_nameserver(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key, value;
    if (words >> key >> value && key == "nameserver") return value;
  }
  return {};
}

int run_query(const QueryOptions& options, std::ostream& out, std::ostream& err) {
  Client client(options, out, err);
  return core::run_client([&] { return options.trace ? client.trace() : client.query(); }, err,
                          "endhost dns query");
}

}  // namespace endhost::dns::client
