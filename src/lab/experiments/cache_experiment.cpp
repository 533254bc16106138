// cache (Kurose & Ross §2.2.5): the same request set — every file of the lab's web sites, R rounds — first
// straight to the origins, then through the institutional cache after purging it. The model: a cold cache
// that keeps everything serves (R-1)/R of R identical rounds; of N requests (1-h)N reach the origins; the
// mean response time is h x t(hit) + (1-h) x t(miss).
#include <fmt/format.h>

#include <map>
#include <memory>
#include <ostream>
#include <vector>

#include "lab/experiments/experiments_impl.hpp"
#include "lab/experiments/lab_status.hpp"
#include "lab/experiments/table.hpp"
#include "lab/http_fetch.hpp"

namespace endhost::lab {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kTimeout = std::chrono::milliseconds(10'000);
constexpr int kRounds = 3;
constexpr std::size_t kMaxUrls = 64;

double since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

struct Url {
  asio::ip::tcp::endpoint origin;
  std::string host;  // Host field: name[:port]
  std::string path;
  std::string absolute() const { return "http://" + host + path; }
};

// A persistent connection that reopens itself when the server closed it.
class Client {
 public:
  explicit Client(asio::ip::tcp::endpoint server) : server_(server) {}
  awaitable<Expected<FetchResult, std::string>> request(std::string method, std::string target,
                                                        std::string host) {
    if (!conn_ || !conn_->is_open()) {
      auto c = co_await HttpConnection::open(server_, kTimeout);
      if (!c) co_return Unexpected(c.error());
      conn_ = std::move(*c);
    }
    co_return co_await conn_->request(std::move(method), std::move(target), std::move(host), true, kTimeout);
  }

 private:
  asio::ip::tcp::endpoint server_;
  std::unique_ptr<HttpConnection> conn_;
};

bool is_hit(const FetchResult& r) {
  auto status = r.fields.get("Cache-Status");
  // RFC 9211 §2.1: "hit" means the response came from the cache without going forward.
  return status &&
         (status->find("; hit") != std::string_view::npos || status->find(";hit") != std::string_view::npos);
}

}  // namespace

awaitable<int> cache_experiment(const LabInfo& lab, std::ostream& out) {
  if (!lab.cache) {
    out << "cache: this lab runs no Web cache (a host with proxy = {})\n";
    co_return 1;
  }
  std::vector<Url> urls;
  for (const auto& w : lab.web) {
    asio::ip::tcp::endpoint ep(asio::ip::make_address(w.address), w.port);
    std::string host = w.port == 80 ? w.host : fmt::format("{}:{}", w.host, w.port);
    for (const auto& p : w.paths) {
      if (urls.size() < kMaxUrls) urls.push_back({ep, host, p});
    }
  }
  if (urls.empty()) {
    out << "cache: the lab's web hosts serve no files\n";
    co_return 1;
  }
  const std::size_t n = urls.size() * kRounds;

  // Without the cache: every request goes to its origin.
  std::map<std::string, std::unique_ptr<Client>> origins;
  double direct_ms = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (const auto& u : urls) {
      auto& c = origins[u.host];
      if (!c) c = std::make_unique<Client>(u.origin);
      auto start = Clock::now();
      auto r = co_await c->request("GET", u.path, u.host);
      direct_ms += since(start);
      if (!r || r->status != http::Status::ok) {
        out << "cache: " << u.absolute() << ": "
            << (r ? "status " + std::to_string(http::to_int(r->status)) : r.error()) << "\n";
        co_return 1;
      }
    }
  }

  // Through the cache, starting cold: PURGE (allowed from loopback) every URL first.
  asio::ip::tcp::endpoint proxy(asio::ip::make_address(lab.cache->address), lab.cache->port);
  Client via(proxy);
  for (const auto& u : urls) {
    auto r = co_await via.request("PURGE", u.absolute(), u.host);
    if (!r) {
      out << "cache: PURGE " << u.absolute() << ": " << r.error() << "\n";
      co_return 1;
    }
  }
  auto before = co_await read_counters(lab);
  struct Round {
    std::size_t hits = 0;
    double ms = 0;
  };
  std::vector<Round> rounds(kRounds);
  double hit_ms = 0, miss_ms = 0;
  std::size_t hits = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (const auto& u : urls) {
      auto start = Clock::now();
      auto r = co_await via.request("GET", u.absolute(), u.host);
      double took = since(start);
      if (!r || r->status != http::Status::ok) {
        out << "cache: via the cache, " << u.absolute() << ": "
            << (r ? "status " + std::to_string(http::to_int(r->status)) : r.error()) << "\n";
        co_return 1;
      }
      rounds[round].ms += took;
      if (is_hit(*r)) {
        ++rounds[round].hits;
        ++hits;
        hit_ms += took;
      } else {
        miss_ms += took;
      }
    }
  }
  auto after = co_await read_counters(lab);
  const std::size_t misses = n - hits;
  // Origin requests: what the origins themselves counted (dashboard), else the responses not served as hits.
  std::size_t origin_requests = misses;
  bool counted_by_origins = false;
  if (before && after) {
    origin_requests = after->requests("web") - before->requests("web");
    counted_by_origins = true;
  }
  const double h = static_cast<double>(hits) / static_cast<double>(n);
  const double t_hit = hits ? hit_ms / static_cast<double>(hits) : 0;
  const double t_miss = misses ? miss_ms / static_cast<double>(misses) : 0;
  const double via_ms = hit_ms + miss_ms;

  out << fmt::format(
      "cache: {} URLs of the lab's sites, {} rounds ({} requests), cache {}:{} purged first\n\n", urls.size(),
      kRounds, n, lab.cache->address, lab.cache->port);
  Table per_round({"round", "requests", "hits", "hit ratio", "mean ms"});
  for (int i = 0; i < kRounds; ++i) {
    per_round.add({std::to_string(i + 1), std::to_string(urls.size()), std::to_string(rounds[i].hits),
                   ratio(static_cast<double>(rounds[i].hits) / static_cast<double>(urls.size())),
                   ms(rounds[i].ms / static_cast<double>(urls.size()))});
  }
  out << per_round.render() << "\n";

  Table table({"", "requests", "hit ratio", "origin requests", "mean response ms"});
  table.add({"without the cache (measured)", std::to_string(n), "-", std::to_string(n),
             ms(direct_ms / static_cast<double>(n))});
  table.add({"with the cache (measured)", std::to_string(n), ratio(h), std::to_string(origin_requests),
             ms(via_ms / static_cast<double>(n))});
  const double model_h = static_cast<double>(kRounds - 1) / kRounds;
  table.add({"with the cache (model)", std::to_string(n), ratio(model_h),
             fmt::format("{:.0f}", (1 - model_h) * static_cast<double>(n)),
             ms(model_h * t_hit + (1 - model_h) * t_miss)});
  out << table.render();
  out << fmt::format(
      "\nModel: a cold cache that keeps every object answers all but the first of {} identical rounds, h = "
      "(R-1)/R;\n"
      "(1-h) x N requests reach the origins; mean time = h x t(hit) + (1-h) x t(miss), with t(hit) = {} ms "
      "and\n"
      "t(miss) = {} ms measured through the cache. Origin requests {}.\n",
      kRounds, ms(t_hit), ms(t_miss),
      counted_by_origins ? "are the origins' own counts (dashboard)"
                         : "are the responses that were not hits");
  co_return hits > 0 ? 0 : 1;
}

}  // namespace endhost::lab
