// Answers a question from the cache alone, the way a resolver does before (and instead of) asking anyone
// (RFC 1034 §5.3.3 step 1): the RRset itself, or a cached negative answer, possibly at the end of a chain of
// cached CNAMEs. Only data credible enough to be an answer is used (RFC 2181 §5.4.1: never glue).
#pragma once

#include <array>
#include <cstddef>

#include "dns/name.hpp"
#include "dns/resolver/cache.hpp"
#include "dns/types.hpp"

namespace endhost::dns::resolver {

// An RRset with the TTL to put on it in an answer.
struct AnswerRRset {
  RRsetPtr rrset;
  Ttl ttl;
};

// Longest CNAME chain a cached answer can hold (ResolverLimits::max_cname_chain is capped to this).
inline constexpr std::size_t kMaxCachedChain = 16;

struct CachedAnswer {
  enum class Status : std::uint8_t {
    miss,      // nothing cached for the name: resolve `next` (== the question name)
    partial,   // a chain of cached CNAMEs ends at `next`, for which nothing is cached
    positive,  // complete: the chain and the RRset asked for
    negative,  // complete: the chain, then NXDOMAIN or NODATA with the SOA
  };
  Status status = Status::miss;
  Rcode rcode = Rcode::NOERROR;
  std::array<AnswerRRset, kMaxCachedChain + 1> records;  // the chain, then the answer RRset
  std::size_t count = 0;
  AnswerRRset soa;  // negative only (may be empty when the SOA was not cached)
  Name next;        // miss and partial: the name still to resolve

  std::span<const AnswerRRset> answer() const { return {records.data(), count}; }
};

// Fills `out` (reused by the caller, so the fast path does not allocate). `max_chain` is capped at
// kMaxCachedChain; a longer chain is reported as partial at the name where it was cut.
void lookup_cached_answer(Cache& cache, NameView qname, RRType qtype, Instant now, std::size_t max_chain,
                          CachedAnswer& out);

}  // namespace endhost::dns::resolver
