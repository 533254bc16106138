// Turns an authoritative server's response to one of our queries into what the resolver acts on, keeping only
// records that server may speak for. This is the resolver's defence against cache poisoning (RFC 5452 §6,
// RFC 2181 §5.4.1, the Kaminsky attack): the `zone` argument is the bailiwick, the zone whose servers were
// asked, and
//   - every record owned outside the bailiwick is dropped, whatever section it is in;
//   - the answer section is read only as the CNAME chain starting at the question name; anything else there
//     (an extra A record for some other name, say) is dropped;
//   - the authority section is read only for the SOA or NS of an ancestor of the name the chain ended at;
//   - the additional section is read only for addresses of the NS names of that NS RRset (glue).
// What survives is returned with its RFC 2181 credibility for the cache. The caller has already checked that
// the response answers our question (source, ID, question); this function trusts nothing else in it.
#pragma once

#include <cstddef>
#include <vector>

#include "dns/message.hpp"
#include "dns/name.hpp"
#include "dns/resolver/cache.hpp"
#include "dns/resolver/rrset.hpp"

namespace endhost::dns::resolver {

enum class ResponseKind : std::uint8_t {
  answer,    // data of the type asked, at qname or at the end of a CNAME chain
  cname,     // a chain that leaves the bailiwick or ends without an answer: go on at final_name
  nxdomain,  // final_name does not exist (RFC 2308 §2.1)
  nodata,    // final_name exists without data of the type (RFC 2308 §2.2)
  referral,  // a delegation closer to final_name: ask referral_ns's servers
  lame,      // neither data, nor a negative answer, nor a referral further down (an upward referral, say)
  error,     // an RCODE other than NOERROR and NXDOMAIN
};

const char* to_string(ResponseKind k);

struct ScrubbedRRset {
  RRsetPtr rrset;
  Trust trust;
};

struct Classification {
  ResponseKind kind = ResponseKind::lame;
  std::vector<RRsetPtr> chain;           // CNAMEs in order from qname, then (kind answer) the answer RRset
  Name final_name;                       // where the chain ended: qname when there is no CNAME
  RRsetPtr soa;                          // nxdomain, nodata: the zone's SOA, if the server sent it
  Ttl negative_ttl;                      // RFC 2308 §5: min(SOA TTL, SOA MINIMUM); 0 without SOA
  RRsetPtr referral_ns;                  // referral: NS RRset of the child zone (its owner)
  std::vector<ScrubbedRRset> cacheable;  // everything worth caching, with its credibility
  std::size_t dropped = 0;               // records discarded
  const char* reason = "";               // lame and error: why, for logs and traces
};

// `qname`/`qtype` is the question we sent, `zone` the bailiwick. `max_chain` bounds the CNAMEs followed
// inside this one response.
Classification classify_response(const Message& response, NameView qname, RRType qtype, NameView zone,
                                 std::size_t max_chain);

}  // namespace endhost::dns::resolver
