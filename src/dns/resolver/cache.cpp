#include "dns/resolver/cache.hpp"

#include <algorithm>
#include <bit>

namespace endhost::dns::resolver {

namespace {

// Map node, list node and hash bucket overhead per entry, on top of the Entry and its RRset.
constexpr std::size_t kEntryOverhead = 96;

Instant expiry(Instant now, Ttl ttl, Ttl cap) {
  return now + Millis(static_cast<std::int64_t>(std::min(ttl, cap).seconds) * 1000);
}

}  // namespace

Ttl remaining_ttl(Instant expires, Instant now) {
  if (expires <= now) return Ttl{0};
  auto ms = (expires - now).count();
  return Ttl{static_cast<std::uint32_t>(std::min<std::int64_t>(ms / 1000, kMaxTtl))};
}

Cache::Cache(const CacheConfig& config) : config_(config) {
  std::size_t n = std::bit_ceil(std::max<std::size_t>(config.shards, 1));
  config_.shards = n;
  shard_budget_ = std::max(config.max_bytes / n, core::ByteCount(1));
  shards_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) shards_.push_back(std::make_unique<Shard>());
}

Cache::KeyRef Cache::key(NameView name, std::uint16_t type, Kind kind) {
  std::size_t h = name.hash();
  h ^= (static_cast<std::size_t>(type) << 8 | static_cast<std::size_t>(kind)) * 0x9E3779B97F4A7C15ull;
  h *= 0xFF51AFD7ED558CCDull;  // mix so that the high bits, which pick the shard, depend on everything
  h ^= h >> 29;
  return KeyRef{name, type, kind, h};
}

void Cache::erase(Shard& s, std::list<Entry>::iterator it) {
  s.index.erase(it->key());
  s.bytes -= it->bytes;
  s.lru.erase(it);
}

Cache::Entry* Cache::find_live(Shard& s, const KeyRef& k, Instant now) {
  auto found = s.index.find(k);
  if (found == s.index.end()) return nullptr;
  auto it = found->second;
  if (it->expires <= now) {
    erase(s, it);
    return nullptr;
  }
  if (it != s.lru.begin()) s.lru.splice(s.lru.begin(), s.lru, it);
  return &*it;
}

void Cache::store(Entry&& e, Instant now) {
  KeyRef k = key(e.name, e.type, e.kind);
  e.hash = k.hash;
  e.bytes = core::ByteCount(sizeof(Entry) + kEntryOverhead + (e.data ? e.data->memory() : 0));
  Shard& s = shard_for(k);
  std::lock_guard lock(s.mutex);
  if (auto found = s.index.find(k); found != s.index.end()) {
    // RFC 2181 §5.4.1: unexpired data is not replaced by data of lower credibility.
    if (found->second->expires > now && found->second->trust > e.trust) return;
    erase(s, found->second);
  }
  s.lru.push_front(std::move(e));
  auto it = s.lru.begin();
  s.bytes += it->bytes;
  s.index.emplace(it->key(), it);
  while (s.bytes > shard_budget_ && s.lru.size() > 1) {
    erase(s, std::prev(s.lru.end()));
    ++s.evictions;
  }
}

void Cache::remove(const KeyRef& k) {
  Shard& s = shard_for(k);
  std::lock_guard lock(s.mutex);
  if (auto found = s.index.find(k); found != s.index.end()) erase(s, found->second);
}

void Cache::put(RRsetPtr rrset, Trust trust, Instant now) {
  if (!rrset || rrset->size() == 0 || rrset->ttl.seconds == 0) return;
  Entry e;
  e.name = rrset->owner;
  e.type = to_underlying(rrset->type);
  e.kind = Kind::positive;
  e.trust = trust;
  e.expires = expiry(now, rrset->ttl, config_.max_ttl);
  e.data = std::move(rrset);
  NameView owner = e.name;
  std::uint16_t type = e.type;
  // The data exists now: an older "no such data" must not hide it (it would be found second anyway, but the
  // entry would waste room until it expires).
  remove(key(owner, type, Kind::nodata));
  store(std::move(e), now);
}

std::optional<CachedRRset> Cache::get(NameView owner, RRType type, Instant now, Trust min_trust) {
  KeyRef k = key(owner, to_underlying(type), Kind::positive);
  Shard& s = shard_for(k);
  std::lock_guard lock(s.mutex);
  Entry* e = find_live(s, k, now);
  if (!e || e->trust < min_trust) return std::nullopt;
  return CachedRRset{e->data, remaining_ttl(e->expires, now), e->trust};
}

void Cache::put_negative(NameView name, RRType type, Rcode rcode, RRsetPtr soa, Ttl ttl, Instant now) {
  if (ttl.seconds == 0) return;
  Entry e;
  e.name = Name(name);
  e.kind = rcode == Rcode::NXDOMAIN ? Kind::nxdomain : Kind::nodata;
  e.type = e.kind == Kind::nxdomain ? 0 : to_underlying(type);
  e.trust = Trust::authority_aa;
  e.rcode = rcode;
  e.expires = expiry(now, ttl, config_.max_negative_ttl);
  e.data = std::move(soa);
  store(std::move(e), now);
}

std::optional<CachedNegative> Cache::get_negative(NameView name, RRType type, Instant now) {
  for (Kind kind : {Kind::nxdomain, Kind::nodata}) {
    KeyRef k = key(name, kind == Kind::nxdomain ? 0 : to_underlying(type), kind);
    Shard& s = shard_for(k);
    std::lock_guard lock(s.mutex);
    if (Entry* e = find_live(s, k, now))
      return CachedNegative{e->rcode, e->data, remaining_ttl(e->expires, now)};
  }
  return std::nullopt;
}

std::size_t Cache::clear() {
  std::size_t dropped = 0;
  for (auto& s : shards_) {
    std::lock_guard lock(s->mutex);
    dropped += s->lru.size();
    s->index.clear();  // first: its keys borrow the names stored in the list's entries
    s->lru.clear();
    s->bytes = core::ByteCount(0);
  }
  return dropped;
}

Cache::Stats Cache::stats() const {
  Stats out;
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mutex);
    out.entries += core::ItemCount(s->lru.size());
    out.bytes += s->bytes;
    out.evictions += core::ItemCount(s->evictions);
  }
  return out;
}

}  // namespace endhost::dns::resolver
