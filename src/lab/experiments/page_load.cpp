// page-load (Kurose & Ross §2.2.2): a base HTML file and its N referenced objects, fetched three ways —
// non-persistent (a TCP connection per object, one after the other), persistent (one connection, requests
// one after the other), and parallel (non-persistent, all N objects at once after the base page). The model
// (models.hpp): with round-trip time RTT and transmission time T for all bytes,
//   non-persistent: (N+1) x 2 RTT + T        persistent: 2 RTT + N x RTT + T
//   parallel with P connections: 2 RTT + ceil(N/P) x 2 RTT + T, here P = N: 4 RTT + T
// With emulated links RTT and the rate behind T are the path's, as the lab's topology sets them (lab.json);
// on loopback the RTT is the median TCP handshake and the rate that of a warm connection, tens of
// microseconds and gigabytes a second, so the server's time per request shows beside the model.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <memory>
#include <optional>
#include <ostream>
#include <vector>

#include "lab/experiments/experiments_impl.hpp"
#include "lab/experiments/model_rows.hpp"
#include "lab/experiments/table.hpp"
#include "lab/http_fetch.hpp"
#include "lab/models.hpp"

namespace endhost::lab {

namespace json = boost::json;

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kTimeout = std::chrono::milliseconds(10'000);
constexpr int kRepeats = 5;  // each strategy runs this many times; the median is reported

double since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// One object as fetched: when its request went out and when its response's first and last bytes came in.
struct ObjectTimes {
  std::string path;
  Clock::time_point request, first_byte, last_byte;
  std::uint64_t bytes = 0;
};

// One TCP connection: its handshake, then the objects it carried, in order.
struct ConnectionTimes {
  Clock::time_point dial, connected;
  std::vector<ObjectTimes> objects;
};

struct Run {
  std::size_t connections = 0;
  std::size_t requests = 0;
  std::uint64_t bytes = 0;
  double millis = 0;
  Clock::time_point start;
  std::vector<ConnectionTimes> timeline;  // as measured, for the figure (Figures 2.7 and 2.8)
};

struct Target {
  asio::ip::tcp::endpoint server;
  std::optional<asio::ip::address> source;  // the user's side of the lab (LabInfo::client_address)
  std::string host;                         // the Host field
  std::string page;
  std::vector<std::string> objects;
};

ObjectTimes object_times(const std::string& path, const FetchResult& r) {
  return {path, r.sent, r.first_byte, r.done, static_cast<std::uint64_t>(r.body.size())};
}

// One object on a connection of its own (non-persistent: Connection: close).
awaitable<Expected<ConnectionTimes, std::string>> fetch_alone(const Target& t, const std::string& path) {
  auto conn = co_await HttpConnection::open(t.server, kTimeout, t.source);
  if (!conn) co_return Unexpected(conn.error());
  auto res = co_await (*conn)->get(path, t.host, false, kTimeout);
  if (!res) co_return Unexpected(path + ": " + res.error());
  if (res->status != http::Status::ok)
    co_return Unexpected(path + ": status " + std::to_string(http::to_int(res->status)));
  ConnectionTimes c{(*conn)->dial_started(), (*conn)->connected(), {}};
  c.objects.push_back(object_times(path, *res));
  co_return c;
}

awaitable<Expected<Run, std::string>> non_persistent(const Target& t) {
  Run r;
  r.start = Clock::now();
  std::vector<std::string> all{t.page};
  all.insert(all.end(), t.objects.begin(), t.objects.end());
  for (const auto& path : all) {
    auto c = co_await fetch_alone(t, path);
    if (!c) co_return Unexpected(c.error());
    r.bytes += c->objects.front().bytes;
    r.timeline.push_back(std::move(*c));
    ++r.connections;
    ++r.requests;
  }
  r.millis = since(r.start);
  co_return r;
}

awaitable<Expected<Run, std::string>> persistent(const Target& t) {
  Run r;
  r.start = Clock::now();
  auto conn = co_await HttpConnection::open(t.server, kTimeout, t.source);
  if (!conn) co_return Unexpected(conn.error());
  r.connections = 1;
  r.timeline.push_back({(*conn)->dial_started(), (*conn)->connected(), {}});
  std::vector<std::string> all{t.page};
  all.insert(all.end(), t.objects.begin(), t.objects.end());
  for (std::size_t i = 0; i < all.size(); ++i) {
    bool last = i + 1 == all.size();
    auto res = co_await (*conn)->get(all[i], t.host, !last, kTimeout);
    if (!res) co_return Unexpected(all[i] + ": " + res.error());
    if (!last && !res->keep_alive)
      co_return Unexpected(all[i] + ": the server closed a persistent connection");
    r.bytes += res->body.size();
    r.timeline.front().objects.push_back(object_times(all[i], *res));
    ++r.requests;
  }
  r.millis = since(r.start);
  co_return r;
}

// The base page, then every object on its own connection, all at once (a browser's parallel connections).
awaitable<Expected<Run, std::string>> parallel(const Target& t) {
  Run r;
  r.start = Clock::now();
  auto base = co_await fetch_alone(t, t.page);
  if (!base) co_return Unexpected(base.error());
  r.bytes += base->objects.front().bytes;
  r.timeline.push_back(std::move(*base));
  r.connections = r.requests = 1;
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer all_done(ex, std::chrono::steady_clock::time_point::max());
  auto state = std::make_shared<std::pair<std::size_t, std::string>>(t.objects.size(), std::string());
  // Each object's connection, in the order of the page's references.
  auto fetched = std::make_shared<std::vector<std::optional<ConnectionTimes>>>(t.objects.size());
  // The target as a named local: a lambda inside a coroutine does not capture the coroutine's parameters
  // (GCC 12 rule 4, docs/internals/core.md). It outlives the spawned fetches: this coroutine waits for all.
  const Target& target = t;
  for (std::size_t i = 0; i < target.objects.size(); ++i) {
    const std::string& path = target.objects[i];
    asio::co_spawn(
        ex,
        [&target, path, i, state, fetched]() -> awaitable<void> {
          auto c = co_await fetch_alone(target, path);
          if (c)
            (*fetched)[i] = std::move(*c);
          else if (state->second.empty())
            state->second = c.error();
        },
        [state, &all_done](std::exception_ptr) {
          if (--state->first == 0) all_done.cancel();
        });
  }
  if (!t.objects.empty()) co_await all_done.async_wait(use_nothrow);
  if (!state->second.empty()) co_return Unexpected(state->second);
  for (auto& c : *fetched) {
    if (!c) co_return Unexpected(std::string("a parallel fetch did not finish"));
    r.bytes += c->objects.front().bytes;
    r.timeline.push_back(std::move(*c));
  }
  r.connections += t.objects.size();
  r.requests += t.objects.size();
  r.millis = since(r.start);
  co_return r;
}

// Runs the strategy kRepeats times; the run reported (and drawn) is the one whose time is the median.
awaitable<Expected<Run, std::string>> median_of(
    awaitable<Expected<Run, std::string>> (*strategy)(const Target&), const Target& t) {
  std::vector<Run> runs;
  for (int i = 0; i < kRepeats; ++i) {
    auto r = co_await strategy(t);
    if (!r) co_return r;
    runs.push_back(std::move(*r));
  }
  std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) { return a.millis < b.millis; });
  co_return std::move(runs[runs.size() / 2]);
}

double offset(Clock::time_point t, Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(t - start).count();
}

// The run's connections as JSON, every time in ms since the run began.
json::array timeline_json(const Run& r) {
  json::array conns;
  for (const auto& c : r.timeline) {
    json::array objects;
    for (const auto& o : c.objects) {
      objects.push_back(json::object{{"path", o.path},
                                     {"request_ms", offset(o.request, r.start)},
                                     {"first_byte_ms", offset(o.first_byte, r.start)},
                                     {"last_byte_ms", offset(o.last_byte, r.start)},
                                     {"bytes", o.bytes}});
    }
    conns.push_back(json::object{{"connect_ms", offset(c.dial, r.start)},
                                 {"connected_ms", offset(c.connected, r.start)},
                                 {"objects", std::move(objects)}});
  }
  return conns;
}

}  // namespace

awaitable<int> page_load_experiment(const LabInfo& lab, const ExperimentOptions& /*options*/,
                                    std::ostream& out, json::object& data) {
  const LabInfo::WebHost* web = nullptr;
  for (const auto& w : lab.web) {
    if (!w.pages.empty()) {
      web = &w;
      break;
    }
  }
  if (!web) {
    out << "page-load: no web host of this lab serves a page with objects (a site file with objects = N)\n";
    co_return 1;
  }
  Target t;
  t.server = asio::ip::tcp::endpoint(asio::ip::make_address(web->address), web->port);
  t.source = lab.client_address();
  t.host = web->port == 80 ? web->host : fmt::format("{}:{}", web->host, web->port);
  t.page = web->pages.front().path;
  t.objects = web->pages.front().objects;
  const std::size_t n = t.objects.size();

  // RTT: the TCP handshake, which costs exactly one round trip (the median of several).
  std::vector<double> handshakes;
  for (int i = 0; i < 9; ++i) {
    auto start = Clock::now();
    auto conn = co_await HttpConnection::open(t.server, kTimeout, t.source);
    if (!conn) {
      out << "page-load: " << conn.error() << "\n";
      co_return 1;
    }
    handshakes.push_back(since(start));
  }
  const double measured_rtt = median(handshakes);
  // The model's figures: the emulated path's when the lab sets them, else the ones measured here.
  std::string not_emulated;
  const std::optional<NetworkBasis> emulated = emulated_basis(lab, web->host, &not_emulated);
  const NetworkBasis basis =
      emulated ? *emulated : measured_basis(lab, web->host, measured_rtt, "the TCP handshake, median of 9");
  const double rtt = basis.rtt_ms;

  auto np = co_await median_of(non_persistent, t);
  auto pe = co_await median_of(persistent, t);
  auto pa = co_await median_of(parallel, t);
  for (auto* r : {&np, &pe, &pa}) {
    if (!*r) {
      out << "page-load: " << r->error() << "\n";
      co_return 1;
    }
  }
  // Transmission rate: the largest object, again and again on a warm persistent connection; each request
  // costs one RTT plus its transmission (and the server's own time, which the rate therefore includes).
  double rate = 0;  // bytes per millisecond
  {
    auto conn = co_await HttpConnection::open(t.server, kTimeout, t.source);
    if (!conn) {
      out << "page-load: " << conn.error() << "\n";
      co_return 1;
    }
    std::vector<double> rates;
    for (int i = 0; i < 7; ++i) {
      auto start = Clock::now();
      auto res =
          co_await (*conn)->get(t.objects.empty() ? t.page : t.objects.front(), t.host, true, kTimeout);
      double took = since(start);
      if (!res) {
        out << "page-load: " << res.error() << "\n";
        co_return 1;
      }
      if (i > 0) rates.push_back(static_cast<double>(res->body.size()) / std::max(took - measured_rtt, 1e-3));
    }
    rate = median(rates);
  }
  // T: all bytes at the path's bottleneck when the lab sets one, else at the rate measured.
  const bool set_rate = basis.emulated && basis.rate_bps > 0;
  const double transfer = set_rate ? models::transmission_ms(pe->bytes, basis.rate_bps)
                                   : (rate > 0 ? static_cast<double>(pe->bytes) / rate : 0);
  const std::uint64_t rate_bps =
      set_rate ? basis.rate_bps : static_cast<std::uint64_t>(std::llround(rate * 8.0 * 1000.0));

  out << fmt::format("page-load: http://{}{}, a base file and {} objects, {} bytes in all\n", t.host, t.page,
                     n, pe->bytes);
  out << basis_text(lab, basis);
  out << fmt::format("RTT (TCP handshake, median of 9): {} ms{}\n", ms(measured_rtt),
                     basis.emulated ? fmt::format("; the model's, set by the links: {} ms", ms(rtt)) : "");
  if (set_rate) {
    out << fmt::format("T, transmission of all bytes: {} ms (at the path's bottleneck, {})\n\n", ms(transfer),
                       format_rate(basis.rate_bps));
  } else {
    out << fmt::format(
        "T, transmission of all bytes: {} ms (at {:.1f} MB/s, measured on a warm connection)\n\n",
        ms(transfer), rate / 1000.0);
  }
  Table table({"strategy", "connections", "requests", "measured ms", "model ms", "model", "measured / model",
               "measured / RTT"});
  json::array strategies;
  std::vector<ModelRow> rows;
  auto row = [&table, &strategies, &rows, rtt, transfer, rate_bps, &pe](const std::string& name, const Run& r,
                                                                        double model_rtts, double model_ms) {
    table.add({name, std::to_string(r.connections), std::to_string(r.requests), ms(r.millis), ms(model_ms),
               fmt::format("{:g} RTT + T", model_rtts),
               model_ms > 0 ? fmt::format("{:.2f}", r.millis / model_ms) : std::string("—"),
               fmt::format("{:.0f}", rtt > 0 ? r.millis / rtt : 0.0)});
    strategies.push_back(json::object{{"name", name},
                                      {"connections", r.connections},
                                      {"requests", r.requests},
                                      {"measured_ms", r.millis},
                                      {"model_rtts", model_rtts},
                                      {"model_ms", model_ms},
                                      {"timeline", timeline_json(r)}});
    rows.push_back({name, model_ms, r.millis,
                    json::object{{"rtt_ms", rtt},
                                 {"rate_bps", rate_bps},
                                 {"transmission_ms", transfer},
                                 {"model_rtts", model_rtts},
                                 {"objects", r.requests - 1},
                                 {"connections", r.connections},
                                 {"bytes", (*pe).bytes}}});
  };
  row("non-persistent", *np, models::non_persistent_rtts(n), models::non_persistent_ms(n, rtt, transfer));
  row("persistent", *pe, models::persistent_rtts(n), models::persistent_ms(n, rtt, transfer));
  row(fmt::format("parallel ({})", n), *pa, models::parallel_rtts(n, n),
      models::parallel_ms(n, n, rtt, transfer));
  out << table.render();
  data["url"] = fmt::format("http://{}{}", t.host, t.page);
  data["server"] = json::object{{"host", web->host}, {"address", web->address}, {"port", web->port}};
  data["objects"] = n;
  data["bytes"] = pe->bytes;
  data["rtt_ms"] = rtt;
  data["measured_rtt_ms"] = measured_rtt;
  data["rate_bps"] = rate_bps;
  data["transmission_ms"] = transfer;
  data["repeats"] = kRepeats;
  data["network"] = basis_json(basis);
  data["strategies"] = std::move(strategies);
  data["rows"] = rows_json(rows);
  out << fmt::format(
      "\nThe model (Kurose & Ross §2.2.2) counts round trips: non-persistent 2 RTT per object, persistent 1 "
      "RTT\n"
      "per object after the first, parallel 2 RTT for the base and 2 RTT for all objects together, plus "
      "T.\n");
  if (basis.emulated) {
    out << fmt::format(
        "The links set RTT = {} ms; a measured time above the model is TCP's slow start (a window of 10\n"
        "segments grows each round trip) and the servers' own time, which the model leaves out.\n",
        ms(rtt));
  } else {
    out << fmt::format(
        "On loopback an RTT is {} ms, so opening a connection costs little more than a request: the gap\n"
        "between non-persistent and persistent is the work of {} extra TCP handshakes and teardowns.\n",
        ms(rtt), n);
  }
  const bool consistent = np->connections == n + 1 && pe->connections == 1 && pa->connections == n + 1 &&
                          np->bytes == pe->bytes && pa->bytes == pe->bytes;
  if (!consistent) out << "page-load: the three strategies did not fetch the same bytes\n";
  co_return consistent ? 0 : 1;
}

}  // namespace endhost::lab
