// An experiment's view of the lab's counters, read from the dashboard's /api/status: how many requests the
// origins served, what the cache and the resolver counted. Empty when the lab has no dashboard.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

}  // namespace endhost::lab
