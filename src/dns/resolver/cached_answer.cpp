#include "dns/resolver/cached_answer.hpp"

#include <algorithm>

namespace endhost::dns::resolver {

void lookup_cached_answer(Cache& cache, NameView qname, RRType qtype, Instant now, std::size_t max_chain,
                          CachedAnswer& out) {
  out.status = CachedAnswer::Status::miss;
  out.rcode = Rcode::NOERROR;
  out.count = 0;
  out.soa = {};
  max_chain = std::min(max_chain, kMaxCachedChain);
  NameView cur = qname;
  for (std::size_t hops = 0;; ++hops) {
    if (auto hit = cache.get(cur, qtype, now, Trust::answer)) {
      out.records[out.count++] = AnswerRRset{hit->rrset, hit->ttl};
      out.status = CachedAnswer::Status::positive;
      return;
    }
    if (auto neg = cache.get_negative(cur, qtype, now)) {
      out.status = CachedAnswer::Status::negative;
      out.rcode = neg->rcode;
      out.soa = AnswerRRset{neg->soa, neg->ttl};
      return;
    }
    std::optional<CachedRRset> cn;
    if (qtype != RRType::CNAME && hops < max_chain) cn = cache.get(cur, RRType::CNAME, now, Trust::answer);
    if (!cn) {
      out.next = Name(cur);
      out.status = out.count == 0 ? CachedAnswer::Status::miss : CachedAnswer::Status::partial;
      return;
    }
    out.records[out.count++] = AnswerRRset{cn->rrset, cn->ttl};
    // The RRset stays alive in `out.records`, so the view of its target does too.
    cur = out.records[out.count - 1].rrset->target(0);
  }
}

}  // namespace endhost::dns::resolver
