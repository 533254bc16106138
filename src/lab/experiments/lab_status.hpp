// An experiment's view of the lab's counters, read from the dashboard's /api/status: how many requests the
// origins served, what the cache and the resolver counted. Empty when the lab has no dashboard.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/asio.hpp"
#include "core/expected.hpp"
#include "lab/lab_map.hpp"

namespace endhost::lab {

class LabCounters {
 public:
  // Sum of counter `name` over every running service of `kind`.
  std::uint64_t sum(std::string_view kind, std::string_view name) const;
  // Sum of the headline count (requests or queries answered) over every running service of `kind`.
  std::uint64_t requests(std::string_view kind) const { return sum(kind, {}); }

  struct Entry {
    std::string kind;
    std::string name;  // "" for the headline count
    std::uint64_t value = 0;
  };
  std::vector<Entry> entries;
};

awaitable<std::optional<LabCounters>> read_counters(const LabInfo& lab);

// Empties the local DNS server's cache through the dashboard (POST /api/flush), so the next question walks
// the hierarchy from the root; works for a lab in another process as for one in this. The error says why
// not (no dashboard, no resolver, no answer).
awaitable<Expected<void, std::string>> flush_resolver_cache(const LabInfo& lab);

// Gives an experiment's result (one JSON object) to the dashboard (POST /api/experiments), which keeps the
// newest of each experiment and draws it. The error says why not.
awaitable<Expected<void, std::string>> publish_experiment(const LabInfo& lab, std::string result_json);

// The dashboard's transcript lines after sequence number `after` (GET /api/transcripts), oldest first, and
// the newest sequence number it has given out: what the lab's own services recorded, for an experiment that
// shows who sent what when. Empty when the lab has no dashboard or it did not answer.
struct TranscriptLine {
  std::uint64_t seq = 0;
  std::int64_t unix_micros = 0;
  std::string service;  // "a.root-servers.net/dns"
  std::string peer;     // "127.20.0.13:40123"
  char who = 'N';       // 'C' from the peer, 'S' to the peer, 'N' a note
  std::string text;
};
// Turns a mail host's switch off (its server down: connections refused) or on (POST /api/switch).
awaitable<Expected<void, std::string>> set_server_switch(const LabInfo& lab, std::string host, bool on);
// Every mail server's queue, recent deliveries and switch (GET /api/mail, mail_view.hpp); nullopt when the
// dashboard did not answer.
awaitable<std::optional<boost::json::value>> read_mail_view(const LabInfo& lab);
// One DNS question through the lab's resolver, asked by the dashboard (POST /api/query): the dig-like text
// of the answer, or why there is none.
awaitable<Expected<std::string, std::string>> ask_dns(const LabInfo& lab, std::string name, std::string type);

awaitable<std::optional<std::uint64_t>> read_transcript_seq(const LabInfo& lab);
awaitable<std::optional<std::vector<TranscriptLine>>> read_transcripts(const LabInfo& lab,
                                                                       std::uint64_t after);

}  // namespace endhost::lab
