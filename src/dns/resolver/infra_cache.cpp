#include "dns/resolver/infra_cache.hpp"

#include <algorithm>
#include <cmath>

namespace endhost::dns::resolver {

InfraCache::InfraCache(const TimingConfig& timing, std::size_t max_entries)
    : timing_(timing), max_entries_(std::max<std::size_t>(max_entries, 1)) {}

const InfraCache::Entry* InfraCache::live(const ServerEndpoint& server, Instant now) const {
  auto it = entries_.find(server);
  if (it == entries_.end() || now - it->second.updated >= timing_.infra_ttl) return nullptr;
  return &it->second;
}

InfraCache::Entry& InfraCache::slot(const ServerEndpoint& server, Instant now) {
  auto it = entries_.find(server);
  if (it != entries_.end()) {
    if (now - it->second.updated >= timing_.infra_ttl) it->second = Entry{};
    return it->second;
  }
  if (entries_.size() >= max_entries_) {
    // Full: forget what is stale; if nothing is, forget one entry (its server is then merely "unknown"
    // again).
    std::erase_if(entries_, [&](const auto& kv) { return now - kv.second.updated >= timing_.infra_ttl; });
    if (entries_.size() >= max_entries_) entries_.erase(entries_.begin());
  }
  return entries_[server];
}

Millis InfraCache::selection_rtt(const ServerEndpoint& server, Instant now) const {
  const Entry* e = live(server, now);
  if (!e) return timing_.initial_timeout;
  if (e->timeouts > 0) return e->rto;
  return e->measured ? Millis(static_cast<std::int64_t>(std::lround(e->srtt))) : timing_.initial_timeout;
}

Millis InfraCache::timeout(const ServerEndpoint& server, Instant now) const {
  const Entry* e = live(server, now);
  if (!e || e->rto.count() == 0) return timing_.initial_timeout;
  return e->rto;
}

std::size_t InfraCache::timeouts_in_row(const ServerEndpoint& server, Instant now) const {
  const Entry* e = live(server, now);
  return e ? e->timeouts : 0;
}

void InfraCache::on_answer(const ServerEndpoint& server, Millis rtt, Instant now) {
  Entry& e = slot(server, now);
  double r = static_cast<double>(std::max<std::int64_t>(rtt.count(), 0));
  // RFC 6298 §2.2 and §2.3, with alpha = 1/8 and beta = 1/4.
  if (!e.measured) {
    e.srtt = r;
    e.rttvar = r / 2;
    e.measured = true;
  } else {
    e.rttvar = 0.75 * e.rttvar + 0.25 * std::fabs(e.srtt - r);
    e.srtt = 0.875 * e.srtt + 0.125 * r;
  }
  auto rto = Millis(static_cast<std::int64_t>(std::ceil(e.srtt + 4 * e.rttvar)));
  e.rto = std::clamp(rto, timing_.min_timeout, timing_.max_timeout);
  e.timeouts = 0;
  e.updated = now;
}

void InfraCache::on_timeout(const ServerEndpoint& server, Instant now) {
  Entry& e = slot(server, now);
  Millis current = e.rto.count() == 0 ? timing_.initial_timeout : e.rto;
  // RFC 6298 §5.5: back off by doubling.
  e.rto = std::min(current * 2, timing_.max_timeout);
  ++e.timeouts;
  e.updated = now;
}

}  // namespace endhost::dns::resolver
