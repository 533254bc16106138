// The resolver's shared cache of RRsets and negative answers (RFC 1035 §7.4, RFC 2181 §5.4.1, RFC 2308 §5),
// used by every event loop at once. It is split into shards, each a hash index plus an LRU list behind its
// own small mutex (Unbound's slabbed hash tables do the same), so two threads only wait for each other when
// they touch the same shard at the same moment; the lock is held for a lookup or an insert, never across I/O.
// Entries expire at their TTL (capped by CacheConfig), and each shard evicts its least recently used entries
// once it holds more than its share of CacheConfig::max_bytes. All times are passed in (engine_time.hpp).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "dns/name.hpp"
#include "dns/resolver/config.hpp"
#include "dns/resolver/engine_time.hpp"
#include "dns/resolver/rrset.hpp"
#include "dns/types.hpp"

namespace endhost::dns::resolver {

// How credible cached data is (RFC 2181 §5.4.1), lowest first. Data of lower trust never replaces unexpired
// data of higher trust, and data below `answer` is never given to a client as an answer (§5.4.1: glue and
// referral NS "should not be cached in such a way that they would ever be returned as answers").
enum class Trust : std::uint8_t {
  additional = 1,    // the additional section: glue
  referral = 2,      // the authority section of a non-authoritative answer: a referral's NS
  answer = 3,        // the answer section of a non-authoritative answer
  authority_aa = 4,  // the authority section of an authoritative answer
  answer_aa = 5,     // the answer section of an authoritative answer
};

struct CachedRRset {
  RRsetPtr rrset;
  Ttl ttl;  // what is left of the TTL now (RFC 1035 §7.4: answers from the cache carry the decremented TTL)
  Trust trust = Trust::additional;
};

struct CachedNegative {
  Rcode rcode = Rcode::NXDOMAIN;  // NXDOMAIN, or NOERROR for NODATA
  RRsetPtr soa;                   // the SOA that came with it, owned by the zone apex (RFC 2308 §3)
  Ttl ttl;                        // what is left of the negative TTL now
};

class Cache {
 public:
  explicit Cache(const CacheConfig& config);
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;

  // Stores an RRset until now + min(ttl, max_ttl), unless an unexpired entry of higher trust is there. A TTL
  // of 0 means "use only for the transaction in progress" (RFC 1035 §3.2.1): nothing is stored. Storing data
  // for a name and type removes a NODATA entry for them.
  void put(RRsetPtr rrset, Trust trust, Instant now);
  // The unexpired RRset of at least `min_trust`, or nothing.
  std::optional<CachedRRset> get(NameView owner, RRType type, Instant now,
                                 Trust min_trust = Trust::additional);

  // RFC 2308 §5: NXDOMAIN is cached for the name (any type), NODATA for the name and type; `ttl` is the
  // negative TTL already derived from the SOA (§3: min of its TTL and MINIMUM), capped by max_negative_ttl.
  void put_negative(NameView name, RRType type, Rcode rcode, RRsetPtr soa, Ttl ttl, Instant now);
  std::optional<CachedNegative> get_negative(NameView name, RRType type, Instant now);

  // Drops every entry (`unbound-control flush_zone .`, `rndc flush`): the next questions walk the hierarchy
  // again. Resolutions in flight may store their answers afterwards. Returns the entries dropped.
  std::size_t clear();

  struct Stats {
    core::ItemCount entries{0};
    core::ByteCount bytes{0};
    core::ItemCount evictions{0};  // entries dropped for room, not for age
  };
  Stats stats() const;
  const CacheConfig& config() const { return config_; }

 private:
  enum class Kind : std::uint8_t { positive, nodata, nxdomain };
  // An index key borrowing the owner name stored in the entry itself (list nodes never move).
  struct KeyRef {
    NameView name;
    std::uint16_t type;
    Kind kind;
    std::size_t hash;
  };
  struct KeyHash {
    std::size_t operator()(const KeyRef& k) const { return k.hash; }
  };
  struct KeyEq {
    bool operator()(const KeyRef& a, const KeyRef& b) const {
      return a.type == b.type && a.kind == b.kind && a.name == b.name;
    }
  };
  struct Entry {
    Name name;
    std::uint16_t type = 0;
    Kind kind = Kind::positive;
    Trust trust = Trust::additional;
    Rcode rcode = Rcode::NOERROR;
    Instant expires;
    RRsetPtr data;  // the RRset, or the SOA of a negative entry
    core::ByteCount bytes{0};
    std::size_t hash = 0;

    KeyRef key() const { return KeyRef{name, type, kind, hash}; }
  };
  struct Shard {
    std::mutex mutex;
    std::list<Entry> lru;  // most recently used first
    std::unordered_map<KeyRef, std::list<Entry>::iterator, KeyHash, KeyEq> index;
    core::ByteCount bytes{0};
    std::uint64_t evictions = 0;
  };

  static KeyRef key(NameView name, std::uint16_t type, Kind kind);
  Shard& shard_for(const KeyRef& k) { return *shards_[(k.hash >> 32) & (shards_.size() - 1)]; }
  // Inserts or replaces under the shard lock, then evicts down to the shard's budget.
  void store(Entry&& e, Instant now);
  static void erase(Shard& s, std::list<Entry>::iterator it);
  void remove(const KeyRef& k);
  // The live entry for k (expired ones are erased), moved to the front of the LRU list. Caller holds the
  // lock.
  Entry* find_live(Shard& s, const KeyRef& k, Instant now);

  CacheConfig config_;
  core::ByteCount shard_budget_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

// Seconds left until `expires`, rounded down (0 once less than a second is left).
Ttl remaining_ttl(Instant expires, Instant now);

}  // namespace endhost::dns::resolver
