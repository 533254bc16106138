// cache (Kurose & Ross §2.2.5): the same request set — every file of the lab's web sites, R rounds — first
// straight to the origins, then through the institutional cache after purging it. Before either run, the
// model predicts from the request set alone: a cold cache that keeps every object misses each distinct URL
// once, so h = 1 - distinct/requests, (1-h) x N requests reach the origins, and the mean response time is
// h x t(cache) + (1-h) x t(origin), with t(cache) and t(origin) measured by probes of their own (a stored
// object asked of the cache, and of its origin directly). Then the runs measure what happens, side by side.
// Then §2.2.5's own model on the access link (models.hpp): with the mean object size L, the request rate a
// the runs achieved and the access link's rate R (the emulated path's bottleneck), the traffic intensity
// La/R without the cache and (1-h)La/R with it at the measured hit rate h, the access delay Δ/(1-Δβ)
// (Δ = L/R, β the rate of objects crossing the link), and the mean response times: Internet delay + access
// delay + LAN without; h·LAN + (1-h)·(Internet + access) with. On loopback there is no access link: the model
// is then h·t(cache) + (1-h)·t(origin) with the probes' times.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <map>
#include <memory>
#include <ostream>
#include <random>
#include <vector>

#include "lab/experiments/access_load.hpp"
#include "lab/experiments/experiments_impl.hpp"
#include "lab/experiments/lab_status.hpp"
#include "lab/experiments/model_rows.hpp"
#include "lab/experiments/table.hpp"
#include "lab/http_fetch.hpp"
#include "lab/models.hpp"

namespace endhost::lab {

namespace json = boost::json;

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kTimeout = std::chrono::milliseconds(10'000);
constexpr int kRounds = 3;
constexpr std::size_t kMaxUrls = 64;
constexpr int kProbes = 5;  // requests per probe; the median is t(origin) or t(cache)

double since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

struct Url {
  asio::ip::tcp::endpoint origin;
  std::string name;  // the origin's host name in the lab
  std::string host;  // Host field: name[:port]
  std::string path;
  std::string absolute() const { return "http://" + host + path; }
};

// A persistent connection that reopens itself when the server closed it.
class Client {
 public:
  // From `source` (LabInfo::client_address), so that the servers' logs tell the user's side from the lab's.
  Client(asio::ip::tcp::endpoint server, std::optional<asio::ip::address> source)
      : server_(server), source_(std::move(source)) {}
  awaitable<Expected<FetchResult, std::string>> request(std::string method, std::string target,
                                                        std::string host) {
    if (!conn_ || !conn_->is_open()) {
      auto c = co_await HttpConnection::open(server_, kTimeout, source_);
      if (!c) co_return Unexpected(c.error());
      conn_ = std::move(*c);
    }
    co_return co_await conn_->request(std::move(method), std::move(target), std::move(host), true, kTimeout);
  }

 private:
  asio::ip::tcp::endpoint server_;
  std::optional<asio::ip::address> source_;
  std::unique_ptr<HttpConnection> conn_;
};

bool is_hit(const FetchResult& r) {
  auto status = r.fields.get("Cache-Status");
  // RFC 9211 §2.1: "hit" means the response came from the cache without going forward.
  return status &&
         (status->find("; hit") != std::string_view::npos || status->find(";hit") != std::string_view::npos);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

bool has_directive(std::string_view cache_control, std::string_view directive) {
  // Directives are case-insensitive tokens separated by commas (RFC 9111 §5.2); a plain search is enough for
  // the few this experiment looks for, none of which is a prefix of another it could meet.
  std::string lower(cache_control);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find(directive) != std::string::npos;
}

// May a shared cache keep this response at all? Not when the origin says no-store or private, nor when it
// sets a cookie without saying public: that answer belongs to one visitor (RFC 9111 §3, §5.2.2.3, §5.2.2.7;
// RFC 6265 §8.6 on caching Set-Cookie).
bool shareable(const FetchResult& r) {
  std::string_view cc = r.fields.get("Cache-Control").value_or("");
  if (has_directive(cc, "no-store") || has_directive(cc, "private")) return false;
  if (r.fields.contains("Set-Cookie") && !has_directive(cc, "public")) return false;
  return true;
}

// The access link loaded as §2.2.5 loads it: requests arriving at a rate a, independently of their answers
// (access_load.hpp), chosen so that the intensity La/R is kLoadIntensity without the cache. Then the same
// rate through the cache, a fraction kLoadHitRatio of the requests asking for stored objects and the rest
// for objects it cannot have (a query of their own), so that only the misses cross the access link.
constexpr double kLoadIntensity = 0.9;  // near the book's 1.0, where the mean delay would have no limit
constexpr double kLoadHitRatio = 0.4;   // the book's
constexpr double kLoadSeconds = 15;
constexpr double kWarmSeconds = 3;
// The zero-load run: the same requests at intensity 0.05, whose mean is the response time without a queue
// (the RTT, L/R and what the model leaves out: the hosts' and the emulator's own time).
constexpr double kIdleIntensity = 0.05;
constexpr std::size_t kIdleRequests = 30;
// RFC 6928: TCP's initial window, 10 segments of 1448 bytes (1500-byte MTU, timestamps). Objects within
// it are sent in one round trip on any connection, idle or not (Linux restarts slow start after an idle
// RTO), so the link's queue, not slow start, is what the load measures.
constexpr std::size_t kSegment = 1448;
constexpr std::size_t kInitialWindow = 10 * kSegment;
constexpr std::size_t kHeaderBytes = 52;  // IPv4 20 + TCP 20 + timestamps 12, per segment

awaitable<Expected<json::object, std::string>> access_load(const LabInfo& lab, const std::vector<Url>& set,
                                                           const std::vector<std::size_t>& sizes,
                                                           const TopologyPlan& topology, std::ostream& out,
                                                           std::vector<ModelRow>& rows) {
  // The objects: those of one origin (the one with most) whose response fits the initial window.
  std::map<std::string, std::vector<std::size_t>> by_origin;
  for (std::size_t i = 0; i < set.size(); ++i) {
    if (sizes[i] >= 1000 && sizes[i] + 512 <= kInitialWindow) by_origin[set[i].host].push_back(i);
  }
  if (by_origin.empty())
    co_return Unexpected(std::string("no object of the lab's sites fits TCP's initial window (1 to 14 kB)"));
  auto best = std::max_element(by_origin.begin(), by_origin.end(), [](const auto& a, const auto& b) {
    return a.second.size() < b.second.size();
  });
  std::vector<const Url*> objects;
  for (std::size_t i : best->second) objects.push_back(&set[i]);
  const Url& first = *objects.front();
  const auto source = lab.client_address();

  // L on the wire: the response (its head measured once) in segments with their headers.
  std::vector<double> wire_bits;
  {
    Client c(first.origin, source);
    for (const Url* u : objects) {
      auto r = co_await c.request("GET", u->path, u->host);
      if (!r || r->status != http::Status::ok) co_return Unexpected(u->absolute() + ": no answer");
      const std::size_t payload = r->head.size() + r->body.size();
      const std::size_t segments = (payload + kSegment - 1) / kSegment;
      wire_bits.push_back(8.0 * static_cast<double>(payload + segments * kHeaderBytes));
    }
  }
  double l_bits = 0;
  for (double b : wire_bits) l_bits += b;
  l_bits /= static_cast<double>(wire_bits.size());
  double var = 0;
  for (double b : wire_bits) var += (b - l_bits) * (b - l_bits);
  const double cv2 = var / static_cast<double>(wire_bits.size()) / (l_bits * l_bits);

  auto to_origin = topology.path(lab.user_host(), first.name);
  auto to_cache = topology.path(lab.user_host(), lab.cache->host);
  if (!to_origin || !to_cache) co_return Unexpected(std::string("the topology has no path to the origin"));
  const double r_bps = static_cast<double>(to_origin->return_rate_bps);
  if (r_bps <= 0) co_return Unexpected(std::string("the path to the origin sets no rate"));
  const double internet = to_origin->rtt_ms;
  const double lan = to_cache->rtt_ms + models::transmission_ms(static_cast<std::uint64_t>(l_bits / 8),
                                                                to_cache->return_rate_bps);
  const double a = kLoadIntensity * r_bps / l_bits;
  const auto count = static_cast<std::size_t>(a * kLoadSeconds);
  const double delta_ms = l_bits / r_bps * 1000.0;
  // The pool: the requests out at once, a·(RTT + the delay at the intensity), with room for the tail.
  const auto pool = static_cast<std::size_t>(
      std::min(512.0, 16 + 2 * a * (internet + delta_ms / (1 - kLoadIntensity)) / 1000.0));

  // Without the cache: every request to the origin, across the access link.
  std::vector<LoadRequest> direct;
  for (std::size_t i = 0; i < count; ++i) {
    const Url& u = *objects[i % objects.size()];
    direct.push_back({u.path, u.host});
  }
  const LoadResult without = co_await open_loop_load({first.origin, source, a, pool, 1}, std::move(direct));
  if (!without.error.empty()) co_return Unexpected(without.error);

  // With it: the objects stored first, a warm-up at the rate (the cache opens its connections to the
  // origin), then the measured run.
  asio::ip::tcp::endpoint proxy(asio::ip::make_address(lab.cache->address), lab.cache->port);
  {
    Client via(proxy, source);
    for (const Url* u : objects) {
      auto r = co_await via.request("GET", u->absolute(), u->host);
      if (!r || r->status != http::Status::ok)
        co_return Unexpected(u->absolute() + " via the cache: no answer");
    }
  }
  // A miss asks for a URL the cache has never seen: a query naming this run (a clock reading) and the
  // request.
  const auto run_id = static_cast<std::uint64_t>(Clock::now().time_since_epoch().count());
  std::mt19937_64 gen(7);
  std::bernoulli_distribution hit(kLoadHitRatio);
  auto mix = [&](std::size_t n, std::string_view tag) {
    std::vector<LoadRequest> v;
    for (std::size_t i = 0; i < n; ++i) {
      const Url& u = *objects[i % objects.size()];
      v.push_back(
          {hit(gen) ? u.absolute() : fmt::format("{}?{}-{}={}", u.absolute(), tag, run_id, i), u.host});
    }
    return v;
  };
  // The zero-load times, straight and through the cache.
  const double idle_rate = kIdleIntensity * r_bps / l_bits;
  std::vector<LoadRequest> idle_direct;
  for (std::size_t i = 0; i < kIdleRequests; ++i) {
    const Url& u = *objects[i % objects.size()];
    idle_direct.push_back({u.path, u.host});
  }
  const LoadResult idle0 =
      co_await open_loop_load({first.origin, source, idle_rate, 8, 4}, std::move(idle_direct));
  if (!idle0.error.empty()) co_return Unexpected(idle0.error);
  const LoadResult warm = co_await open_loop_load({proxy, source, a, pool, 2},
                                                  mix(static_cast<std::size_t>(a * kWarmSeconds), "warm"));
  if (!warm.error.empty()) co_return Unexpected(warm.error);
  // After the warm-up, so that the cache's misses find its connections to the origin open.
  const LoadResult idle1 =
      co_await open_loop_load({proxy, source, idle_rate, 8, 5}, mix(kIdleRequests, "idle"));
  if (!idle1.error.empty()) co_return Unexpected(idle1.error);
  const LoadResult with = co_await open_loop_load({proxy, source, a, pool, 3}, mix(count, "miss"));
  if (!with.error.empty()) co_return Unexpected(with.error);
  const double h = with.completed ? static_cast<double>(with.hits) / static_cast<double>(with.completed) : 0;

  const models::CacheModel m0 =
      models::cache_model(without.offered_per_s, l_bits, r_bps, internet, to_origin->rtt_ms - internet, 0);
  const models::CacheModel m1 = models::cache_model(with.offered_per_s, l_bits, r_bps, internet, lan, h);
  const double pk0 = models::access_delay_pk_ms(l_bits, r_bps, without.offered_per_s, cv2);
  const double pk1 = models::access_delay_pk_ms(l_bits, r_bps, (1 - h) * with.offered_per_s, cv2);
  const double pk_with = h * lan + (1 - h) * (internet + pk1 + lan);
  // On the zero-load times: their own small wait taken out, the wait at the run's intensity put in.
  const double pk_idle = models::access_delay_pk_ms(l_bits, r_bps, idle0.offered_per_s, cv2);
  const double pk_idle_miss =
      models::access_delay_pk_ms(l_bits, r_bps, (1 - kLoadHitRatio) * idle1.offered_per_s, cv2);
  const double base0 = idle0.mean_ms - pk_idle;
  const double base_miss = idle1.miss_mean_ms - pk_idle_miss;
  const double base_hit = idle1.hit_mean_ms;
  const double measured_base_without = base0 + pk0;
  const double measured_base_with = h * base_hit + (1 - h) * (base_miss + pk1);
  out << fmt::format(
      "\nThe access link loaded (§2.2.5): {} objects of {} ({:.0f} bytes on the wire, c² = {:.3f}), "
      "requests arriving\nindependently (Poisson) at a = {:.1f}/s for {:.0f} s, pool of {} connections "
      "opened first ({} opened late),\nΔ = L/R = {} ms; Internet RTT {} ms, LAN {} ms (RTT + L at its rate)\n"
      "  without the cache: intensity La/R = {:.2f}, access delay Δ/(1-Δβ) = {} ms, M/D/1 (P-K) {} ms\n"
      "  with the cache at the measured h = {:.2f}: intensity (1-h)La/R = {:.2f}, access delay {} ms, "
      "M/D/1 {} ms\n",
      objects.size(), first.host, l_bits / 8, cv2, a, kLoadSeconds, pool,
      without.opened_late + with.opened_late, ms(delta_ms), ms(internet), ms(lan), m0.intensity_without,
      ms(m0.access_delay_without_ms), ms(pk0), h, m1.intensity_with, ms(m1.access_delay_with_ms), ms(pk1));
  auto figures = [&](const LoadResult& r, double intensity, double access, double hr) {
    return json::object{{"rate_bps", r_bps},
                        {"object_bytes", l_bits / 8},
                        {"size_cv2", cv2},
                        {"requests_per_s", r.offered_per_s},
                        {"intensity", intensity},
                        {"access_delay_ms", access},
                        {"internet_delay_ms", internet},
                        {"lan_ms", lan},
                        {"hit_ratio", hr},
                        {"requests", r.completed},
                        {"opened_late", r.opened_late},
                        {"open_loop", true}};
  };
  std::vector<ModelRow> load_rows;
  load_rows.push_back({"load, without the cache: Δ/(1-Δβ)", m0.response_without_ms, without.mean_ms,
                       figures(without, m0.intensity_without, m0.access_delay_without_ms, 0)});
  load_rows.push_back({"load, without the cache: M/D/1", internet + pk0, without.mean_ms,
                       figures(without, m0.intensity_without, pk0, 0)});
  load_rows.push_back({"load, without the cache: M/D/1 + zero-load time", measured_base_without,
                       without.mean_ms, figures(without, m0.intensity_without, pk0, 0)});
  load_rows.push_back({"load, with the cache: Δ/(1-Δβ)", m1.response_with_ms, with.mean_ms,
                       figures(with, m1.intensity_with, m1.access_delay_with_ms, h)});
  load_rows.push_back(
      {"load, with the cache: M/D/1", pk_with, with.mean_ms, figures(with, m1.intensity_with, pk1, h)});
  load_rows.push_back({"load, with the cache: M/D/1 + zero-load times", measured_base_with, with.mean_ms,
                       figures(with, m1.intensity_with, pk1, h)});
  out << rows_table(load_rows);
  out << fmt::format(
      "  zero-load times (intensity {:.2f}, {} requests): straight {} ms (the model's RTT + Δ is {} ms); "
      "through the cache, a hit {} ms, a miss {} ms\n",
      kIdleIntensity, kIdleRequests, ms(idle0.mean_ms), ms(internet + pk_idle), ms(base_hit),
      ms(idle1.miss_mean_ms));
  out << fmt::format(
      "  measured response times: without the cache median {} ms, 90th percentile {} ms; with it {} ms, {} "
      "ms\n",
      ms(without.median_ms), ms(without.p90_ms), ms(with.median_ms), ms(with.p90_ms));
  out << "Δ/(1-Δβ) is the M/M/1 delay: exact for sizes as variable as exponential ones (c² = 1). These "
         "objects "
         "are\nall about one size, and each fits TCP's initial window, so it enters the link's queue whole "
         "and "
         "leaves\nit in turn: an M/D/1 queue, whose wait (Pollaczek-Khinchine) is half as long. Both models "
         "count the\nRTT and L/R only; the zero-load run measures what else a response costs here (the "
         "servers, "
         "the cache,\nthe emulator), and the last rows add the M/D/1 wait at the run's intensity to it.\n";
  for (auto& r : load_rows) rows.push_back(std::move(r));
  co_return json::object{{"requests_per_s", a},
                         {"seconds", kLoadSeconds},
                         {"connections", pool},
                         {"object_bytes", l_bits / 8},
                         {"size_cv2", cv2},
                         {"hit_ratio", h},
                         {"intensity_without", m0.intensity_without},
                         {"intensity_with", m1.intensity_with},
                         {"mean_without_ms", without.mean_ms},
                         {"zero_load_ms", idle0.mean_ms},
                         {"zero_load_hit_ms", base_hit},
                         {"zero_load_miss_ms", idle1.miss_mean_ms},
                         {"mean_with_ms", with.mean_ms}};
}

}  // namespace

awaitable<int> cache_experiment(const LabInfo& lab, const ExperimentOptions& /*options*/, std::ostream& out,
                                json::object& data) {
  if (!lab.cache) {
    out << "cache: this lab runs no Web cache (a host with proxy = {})\n";
    co_return 1;
  }
  std::vector<Url> urls;
  for (const auto& w : lab.web) {
    asio::ip::tcp::endpoint ep(asio::ip::make_address(w.address), w.port);
    std::string host = w.port == 80 ? w.host : fmt::format("{}:{}", w.host, w.port);
    for (const auto& p : w.paths) {
      if (urls.size() < kMaxUrls) urls.push_back({ep, w.host, host, p});
    }
  }
  if (urls.empty()) {
    out << "cache: the lab's web hosts serve no files\n";
    co_return 1;
  }
  // The report stream as a named local: a lambda inside a coroutine does not capture the coroutine's
  // parameters (GCC 12 rule 4, docs/internals/core.md).
  std::ostream& report = out;
  auto failed = [&report](std::string_view what, const Url& u, const Expected<FetchResult, std::string>& r) {
    report << "cache: " << what << u.absolute() << ": "
           << (r ? "status " + std::to_string(http::to_int(r->status)) : r.error()) << "\n";
  };

  // The request set: every URL whose origin lets a shared cache keep it (a page that sets a cookie is the
  // visitor's own, RFC 9111 §3 and §5.2.2.7), asked once each per round.
  std::map<std::string, std::unique_ptr<Client>> origins;
  const auto source = lab.client_address();
  auto origin = [&origins, &source](const Url& u) -> Client& {
    auto& c = origins[u.host];
    if (!c) c = std::make_unique<Client>(u.origin, source);
    return *c;
  };
  std::vector<Url> set;
  std::vector<std::string> left_out;
  std::uint64_t set_bytes = 0;         // the bodies of the request set, for the mean object size L
  std::vector<std::size_t> set_sizes;  // each one's body, for the load's objects
  for (const auto& u : urls) {
    auto r = co_await origin(u).request("GET", u.path, u.host);
    if (!r || r->status != http::Status::ok) {
      failed("", u, r);
      co_return 1;
    }
    if (shareable(*r)) {
      set.push_back(u);
      set_bytes += r->body.size();
      set_sizes.push_back(r->body.size());
    } else {
      left_out.push_back(u.absolute());
    }
  }
  if (set.empty()) {
    out << "cache: no file of the lab's sites may be kept by a shared cache\n";
    co_return 1;
  }
  const std::size_t distinct = set.size();
  const std::size_t n = distinct * kRounds;

  // The probes, before the runs: one stored object, asked of its origin and (once stored) of the cache.
  asio::ip::tcp::endpoint proxy(asio::ip::make_address(lab.cache->address), lab.cache->port);
  Client via(proxy, source);
  const Url& probe = set.front();
  std::vector<double> origin_probes, cache_probes;
  for (int i = 0; i < kProbes; ++i) {
    auto start = Clock::now();
    auto r = co_await origin(probe).request("GET", probe.path, probe.host);
    origin_probes.push_back(since(start));
    if (!r || r->status != http::Status::ok) {
      failed("probing the origin, ", probe, r);
      co_return 1;
    }
  }
  {
    auto stored = co_await via.request("GET", probe.absolute(), probe.host);  // a miss that stores it
    if (!stored || stored->status != http::Status::ok) {
      failed("probing the cache, ", probe, stored);
      co_return 1;
    }
  }
  for (int i = 0; i < kProbes; ++i) {
    auto start = Clock::now();
    auto r = co_await via.request("GET", probe.absolute(), probe.host);
    double took = since(start);
    if (!r || r->status != http::Status::ok) {
      failed("probing the cache, ", probe, r);
      co_return 1;
    }
    if (is_hit(*r)) cache_probes.push_back(took);
  }
  if (cache_probes.empty()) {
    out << "cache: the cache did not keep " << probe.absolute() << ": no hit to time\n";
    co_return 1;
  }
  const double t_origin = median(origin_probes);
  const double t_cache = median(cache_probes);
  const double predicted_h = 1.0 - static_cast<double>(distinct) / static_cast<double>(n);
  const std::size_t predicted_hits = n - distinct;
  const std::size_t predicted_origin = distinct;
  const double predicted_ms = predicted_h * t_cache + (1 - predicted_h) * t_origin;

  // Every request of both runs as it went, for the figure: URL, round, time, and whether it was a hit.
  json::array direct_requests, via_requests;
  // Without the cache: every request goes to its origin.
  double direct_ms = 0;
  std::vector<double> direct_round_ms(kRounds, 0.0);
  for (int round = 0; round < kRounds; ++round) {
    for (const auto& u : set) {
      auto start = Clock::now();
      auto r = co_await origin(u).request("GET", u.path, u.host);
      const double took = since(start);
      direct_ms += took;
      direct_round_ms[round] += took;
      direct_requests.push_back(
          json::object{{"url", u.absolute()}, {"round", round + 1}, {"ms", took}, {"hit", false}});
      if (!r || r->status != http::Status::ok) {
        failed("", u, r);
        co_return 1;
      }
    }
  }

  // Through the cache, starting cold: PURGE (allowed from loopback) every URL first.
  for (const auto& u : set) {
    auto r = co_await via.request("PURGE", u.absolute(), u.host);
    // 200: purged; 404: not stored. Anything else (403 from an address the cache does not take PURGE
    // from) leaves the cache warm, and the run would count the earlier runs' objects as its hits.
    if (!r || (r->status != http::Status::ok && r->status != http::Status::not_found)) {
      failed("PURGE ", u, r);
      co_return 1;
    }
  }
  auto before = co_await read_counters(lab);
  struct Round {
    std::size_t hits = 0;
    double ms = 0;
  };
  std::vector<Round> rounds(kRounds);
  double via_ms = 0;
  std::size_t hits = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (const auto& u : set) {
      auto start = Clock::now();
      auto r = co_await via.request("GET", u.absolute(), u.host);
      double took = since(start);
      if (!r || r->status != http::Status::ok) {
        failed("via the cache, ", u, r);
        co_return 1;
      }
      rounds[round].ms += took;
      via_ms += took;
      const bool hit = is_hit(*r);
      if (hit) {
        ++rounds[round].hits;
        ++hits;
      }
      via_requests.push_back(
          json::object{{"url", u.absolute()}, {"round", round + 1}, {"ms", took}, {"hit", hit}});
    }
  }
  auto after = co_await read_counters(lab);
  // Origin requests: what the origins themselves counted (dashboard), else the responses not served as hits.
  std::size_t origin_requests = n - hits;
  bool counted_by_origins = false;
  if (before && after) {
    origin_requests = after->requests("web") - before->requests("web");
    counted_by_origins = true;
  }
  const double h = static_cast<double>(hits) / static_cast<double>(n);

  out << fmt::format("cache: {} URLs of the lab's sites, {} rounds ({} requests), cache {}:{} purged first\n",
                     distinct, kRounds, n, lab.cache->address, lab.cache->port);
  for (const auto& u : left_out)
    out << "  left out, not for a shared cache (its origin says so): " << u << "\n";
  out << fmt::format(
      "Probes, before the runs (median of {} requests each): t(origin) = {} ms straight to the origin,\n"
      "t(cache) = {} ms for a hit at the cache ({}).\n\n",
      kProbes, ms(t_origin), ms(t_cache), probe.absolute());
  Table per_round({"round", "requests", "hits", "hit ratio", "mean ms"});
  for (int i = 0; i < kRounds; ++i) {
    per_round.add({std::to_string(i + 1), std::to_string(distinct), std::to_string(rounds[i].hits),
                   ratio(static_cast<double>(rounds[i].hits) / static_cast<double>(distinct)),
                   ms(rounds[i].ms / static_cast<double>(distinct))});
  }
  out << per_round.render() << "\n";

  Table table({"", "predicted", "measured"});
  table.add({"hits (hit ratio)", fmt::format("{} ({})", predicted_hits, ratio(predicted_h)),
             fmt::format("{} ({})", hits, ratio(h))});
  table.add({"origin requests", std::to_string(predicted_origin), std::to_string(origin_requests)});
  table.add({"mean ms with the cache", ms(predicted_ms), ms(via_ms / static_cast<double>(n))});
  table.add({"mean ms without the cache", ms(t_origin), ms(direct_ms / static_cast<double>(n))});
  out << table.render();
  out << fmt::format(
      "\nPredicted before the runs: a cold cache that keeps every object misses each of the {} distinct URLs "
      "once,\nso h = 1 - {}/{}; (1-h) x N requests reach the origins; mean time = h x t(cache) + (1-h) x "
      "t(origin).\nA miss also pays the cache's own hop and its connection to the origin, which the formula "
      "leaves out.\nOrigin requests measured {}.\n",
      distinct, distinct, n,
      counted_by_origins ? "are the origins' own counts (dashboard)"
                         : "are the responses that were not hits");

  // §2.2.5 on the access link, at the measured hit rate.
  const double object_bits = 8.0 * static_cast<double>(set_bytes) / static_cast<double>(distinct);
  const double rate_without = static_cast<double>(n) / std::max(direct_ms / 1000.0, 1e-9);
  const double rate_with = static_cast<double>(n) / std::max(via_ms / 1000.0, 1e-9);
  std::string not_emulated;
  const std::optional<NetworkBasis> emulated = emulated_basis(lab, probe.name, &not_emulated);
  std::vector<ModelRow> rows;
  const double measured_without = direct_ms / static_cast<double>(n);
  const double measured_with = via_ms / static_cast<double>(n);
  json::object access;
  if (emulated && emulated->rate_bps > 0) {
    const TopologyPlan& topology = *lab.topology;
    auto rtt = [&topology](const std::string& a, const std::string& b) {
      auto p = topology.path(a, b);
      return p ? p->rtt_ms : 0.0;
    };
    const double lan = rtt(lab.user_host(), lab.cache->host);
    const double internet = rtt(lab.cache->host, probe.name);
    const double rate = static_cast<double>(emulated->rate_bps);
    const models::CacheModel without = models::cache_model(rate_without, object_bits, rate, internet, lan, 0);
    const models::CacheModel with = models::cache_model(rate_with, object_bits, rate, internet, lan, h);
    out << "\n" << basis_text(lab, *emulated);
    out << fmt::format(
        "access link (§2.2.5): R = {}, L = {:.0f} bytes (the mean object), Δ = L/R = {} ms; Internet delay "
        "(cache ↔ origin RTT) {} ms, LAN (you ↔ cache RTT) {} ms\n"
        "  without the cache: a = {:.2f} requests/s, intensity La/R = {:.2f}, access delay Δ/(1-Δβ) = {} ms\n"
        "  with the cache at h = {:.2f}: a = {:.2f} requests/s, intensity (1-h)La/R = {:.2f}, access delay "
        "{} "
        "ms\n",
        format_rate(emulated->rate_bps), object_bits / 8,
        ms(models::transmission_ms(set_bytes / distinct, emulated->rate_bps)), ms(internet), ms(lan),
        rate_without, without.intensity_without, ms(without.access_delay_without_ms), h, rate_with,
        with.intensity_with, ms(with.access_delay_with_ms));
    rows.push_back({"one client, without the cache", without.response_without_ms, measured_without,
                    json::object{{"rate_bps", emulated->rate_bps},
                                 {"object_bytes", object_bits / 8},
                                 {"requests_per_s", rate_without},
                                 {"intensity", without.intensity_without},
                                 {"access_delay_ms", without.access_delay_without_ms},
                                 {"internet_delay_ms", internet},
                                 {"lan_ms", lan},
                                 {"hit_ratio", 0.0}}});
    rows.push_back({"one client, with the cache", with.response_with_ms, measured_with,
                    json::object{{"rate_bps", emulated->rate_bps},
                                 {"object_bytes", object_bits / 8},
                                 {"requests_per_s", rate_with},
                                 {"intensity", with.intensity_with},
                                 {"access_delay_ms", with.access_delay_with_ms},
                                 {"internet_delay_ms", internet},
                                 {"lan_ms", lan},
                                 {"hit_ratio", h}}});
    access = json::object{{"rate_bps", emulated->rate_bps},
                          {"object_bytes", object_bits / 8},
                          {"intensity_without", without.intensity_without},
                          {"intensity_with", with.intensity_with},
                          {"access_delay_without_ms", without.access_delay_without_ms},
                          {"access_delay_with_ms", with.access_delay_with_ms}};
    out << rows_table(rows);
    out << "One client asks in turn, so it never queues behind itself (intensity near 0): the access delay "
           "is "
           "Δ,\nand a miss through the cache also pays the cache's handshake with each origin (one more "
           "RTT).\n";
    auto load = co_await access_load(lab, set, set_sizes, topology, out, rows);
    if (!load) {
      out << "cache: the access-link load: " << load.error() << "\n";
      co_return 1;
    }
    access["load"] = std::move(*load);
  } else {
    const NetworkBasis basis =
        measured_basis(lab, probe.name, t_origin, "a request to the origin, median of 5");
    out << "\n" << basis_text(lab, basis);
    out << fmt::format(
        "No access link to load on loopback: the intensity La/R (L = {:.0f} bytes, a = {:.2f} requests/s) "
        "has "
        "no R,\nso the model is the probes': h·t(cache) + (1-h)·t(origin) at the measured h = {:.2f}.\n",
        object_bits / 8, rate_without, h);
    rows.push_back(
        {"mean response without the cache", t_origin, measured_without,
         json::object{
             {"object_bytes", object_bits / 8}, {"requests_per_s", rate_without}, {"hit_ratio", 0.0}}});
    rows.push_back({"mean response with the cache", h * t_cache + (1 - h) * t_origin, measured_with,
                    json::object{{"object_bytes", object_bits / 8},
                                 {"requests_per_s", rate_with},
                                 {"hit_ratio", h},
                                 {"t_cache_ms", t_cache},
                                 {"t_origin_ms", t_origin}}});
    out << rows_table(rows);
    data["network"] = basis_json(basis);
  }
  if (emulated) data["network"] = basis_json(*emulated);
  data["access_link"] = std::move(access);
  data["rows"] = rows_json(rows);

  // The model per round as well: a cold cache misses every URL in the first round and hits every one after.
  json::array model_rounds, measured_rounds;
  for (int i = 0; i < kRounds; ++i) {
    const double round_h = i == 0 ? 0.0 : 1.0;
    model_rounds.push_back(json::object{{"round", i + 1},
                                        {"hit_ratio", round_h},
                                        {"mean_with_ms", round_h * t_cache + (1 - round_h) * t_origin},
                                        {"mean_without_ms", t_origin}});
    measured_rounds.push_back(
        json::object{{"round", i + 1},
                     {"hits", rounds[i].hits},
                     {"mean_with_ms", rounds[i].ms / static_cast<double>(distinct)},
                     {"mean_without_ms", direct_round_ms[i] / static_cast<double>(distinct)}});
  }
  json::array left_out_json;
  for (const auto& u : left_out) left_out_json.push_back(json::string(u));
  data["cache"] = json::object{{"address", lab.cache->address}, {"port", lab.cache->port}};
  data["distinct"] = distinct;
  data["rounds"] = kRounds;
  data["requests"] = n;
  data["left_out"] = std::move(left_out_json);
  data["probes"] = json::object{{"url", probe.absolute()},
                                {"origin_ms", json::value_from(origin_probes)},
                                {"cache_ms", json::value_from(cache_probes)},
                                {"t_origin_ms", t_origin},
                                {"t_cache_ms", t_cache}};
  data["model"] = json::object{
      {"hits", predicted_hits},       {"hit_ratio", predicted_h},    {"origin_requests", predicted_origin},
      {"mean_with_ms", predicted_ms}, {"mean_without_ms", t_origin}, {"rounds", std::move(model_rounds)}};
  data["measured"] = json::object{{"hits", hits},
                                  {"hit_ratio", h},
                                  {"origin_requests", origin_requests},
                                  {"origin_requests_counted_by_origins", counted_by_origins},
                                  {"mean_with_ms", via_ms / static_cast<double>(n)},
                                  {"mean_without_ms", direct_ms / static_cast<double>(n)},
                                  {"rounds", std::move(measured_rounds)}};
  data["runs"] =
      json::array{json::object{{"name", "without the cache"}, {"requests", std::move(direct_requests)}},
                  json::object{{"name", "with the cache"}, {"requests", std::move(via_requests)}}};
  co_return hits == predicted_hits ? 0 : 1;
}

}  // namespace endhost::lab
