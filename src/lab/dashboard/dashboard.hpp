// The lab's dashboard, served over HTTP on its own lab host: one self-contained page (HTML, CSS and JS
// written by hand, no CDN), and the APIs it reads:
//   GET  /                  the page
//   GET  /api/lab           lab.json
//   GET  /api/status        every service with its status and counters, and the cache's hit-ratio history
//   GET  /api/transcripts   ?after=SEQ&before=SEQ&service=KEY&limit=N: transcript lines from the in-memory
//                           rings, as JSON (before= pages back to older lines)
//   GET  /api/experiments   the newest result of each experiment that ran against this lab
//   POST /api/experiments   an experiment's result (`endhost lab experiment` sends it), drawn by the page
//   GET  /api/events        Server-Sent Events: `transcript` events as lines arrive, `status` every second,
//                           `experiment` when a result arrives (and, on connecting, each one stored)
//   POST /api/query         {"kind": "dns"|"http"|"ping", …}: the page's buttons (actions.hpp)
//   POST /api/flush         {"kind": "resolver"}: empties the caches of those services (`dns-trace` starts
//                           cold with it)
//   GET  /api/mail          each mail server's queue, recent deliveries and switch (mail_view.hpp)
//   POST /api/switch        {"host": "mail.hamburger.edu", "on": false}: takes that server down (its port
//                           refuses connections) or brings it back (port_switch.hpp; the mail experiment)
//   GET  /api/links         every emulated link with its figures and statistics per direction
//   POST /api/link          {"link": "user<->campus", "delay_ms": 50, "rate": "10Mbit", "loss": 0.01}:
//   changes
//                           a link at run time (network/links_api.hpp); 409 when the lab runs on loopback
// Only loopback clients reach it (the lab binds 127.x); POST requires a JSON body and, when the browser sends
// Origin, our own origin, so another web page cannot make a visitor's browser trigger queries.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/socket_place.hpp"
#include "lab/dashboard/http_app.hpp"
#include "lab/dashboard/mail_view.hpp"
#include "lab/transcript_rings.hpp"
#include "lab/unit.hpp"

namespace endhost::lab {

class LinkPump;

// The largest experiment result the dashboard takes (the request body limit of its HTTP server).
inline constexpr std::size_t kMaxExperimentResultBytes = 1u << 20;

struct DashboardEntry {
  std::string key;  // "www.someschool.edu/web": the transcript's service name
  std::string host;
  std::string kind;
  std::string address;
  std::uint16_t port = 0;
  std::string protocols;  // "udp+tcp"
  std::string note;
  Unit* unit = nullptr;  // every service the lab built has one; the dashboard's own entry reads its self unit
};

struct DashboardConfig {
  std::vector<DashboardEntry> units;
  std::string self_key;  // the dashboard's own entry: counted by the Dashboard itself
  const TranscriptRings* ring = nullptr;
  std::string lab_json;
  std::vector<std::string> commands;  // copy-paste commands for the page
  std::optional<asio::ip::udp::endpoint> resolver;
  std::optional<asio::ip::tcp::endpoint> cache;
  std::optional<asio::ip::udp::endpoint> ping;
  std::optional<asio::ip::address> source;  // the buttons' queries leave from the dashboard host's address
  std::string example_url;                  // what the fetch button asks the cache for
  std::vector<MailView> mail;               // the mail servers, for /api/mail and /api/switch
  core::SocketPlace place;             // where the buttons' sockets are made (emulated: its host's namespace)
  LinkPump* links = nullptr;           // the emulated links (null: loopback), for /api/links and /api/link
  std::size_t max_streams = 64;        // concurrent /api/events clients
  std::size_t history_samples = 3600;  // one per second: an hour of hit ratio
  std::chrono::milliseconds stream_poll{250};
};

class Dashboard final : public HttpApp {
 public:
  explicit Dashboard(DashboardConfig config);

  awaitable<AppResponse> handle(const AppRequest& request) override;
  // The unit that serves this dashboard (its state is the self entry's).
  void set_self(const Unit* self) { self_ = self; }

  // Records one sample of the cache's counters; called once a second from one loop.
  void sample();
  // `with_history`: the whole hit-ratio history (for a page that just loaded); else only the newest counts.
  std::string status_json(bool with_history) const;
  std::uint64_t requests() const { return requests_.load(std::memory_order_relaxed); }
  std::string transcripts_json(std::uint64_t after, std::size_t limit, std::string_view service,
                               std::uint64_t before = UINT64_MAX) const;
  // {"results": {NAME: result…}}: the newest result of each experiment.
  std::string experiments_json() const;

 private:
  struct Sample {
    double t = 0;  // seconds since the dashboard started
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
  };
  awaitable<AppResponse> query(const AppRequest& request);
  AppResponse flush(const AppRequest& request);
  AppResponse mail_json() const;
  AppResponse switch_power(const AppRequest& request);
  awaitable<AppResponse> links_view();
  awaitable<AppResponse> change_link(const AppRequest& request);
  AppResponse store_experiment(const AppRequest& request);
  // The results stored after version `seen`, each as its JSON text; `seen` becomes the newest version.
  std::vector<std::string> experiments_after(std::uint64_t& seen) const;
  AppResponse events(const AppRequest& request);
  std::pair<std::uint64_t, std::uint64_t> cache_counts() const;
  std::string latest_status() const;  // the last sample's status (no history), for the event streams

  DashboardConfig config_;
  const Unit* self_ = nullptr;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  mutable std::mutex history_mutex_;
  std::deque<Sample> history_;
  std::string latest_status_;  // guarded by history_mutex_
  struct StoredResult {
    std::uint64_t version = 0;
    std::string json;
  };
  mutable std::mutex experiments_mutex_;
  std::map<std::string, StoredResult, std::less<>> experiments_;  // one per experiment of the registry
  std::uint64_t experiments_version_ = 0;                         // guarded by experiments_mutex_
  std::atomic<std::size_t> streams_{0};
  std::atomic<std::uint64_t> ping_seq_{0};
  std::atomic<std::uint64_t> requests_{0};
};

// The page, compiled in from dashboard.html.
std::string_view dashboard_page();

}  // namespace endhost::lab
