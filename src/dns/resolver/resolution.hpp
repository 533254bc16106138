// The iterative resolution of one question (RFC 1034 §5.3.3), as a sans-I/O state machine in the manner of
// Unbound's iterator: it never touches a socket or a clock. The caller (the session, or a test with a fake
// network) runs it like this:
//
//   Resolution r(ctx, qname, qtype, now);
//   while (!r.done()) {
//     send r.transmit().query to r.transmit().server (UDP from a fresh random port, or TCP);
//     for each message that arrives before r.transmit().timeout has passed:
//       if (r.on_response(from, transport, bytes, now) == ResponseVerdict::accepted) break;   // else ignore
//       it
//     if none was accepted: r.on_timeout(now);
//   }
//   use r.result();
//
// Starting from the closest delegation in the cache (or the root hints) it follows referrals down, restarts
// at CNAME targets, resolves the addresses of name servers that came without glue as nested lookups, retries
// other servers (chosen by smoothed RTT) and backs off after timeouts, falls back to TCP when an answer is
// truncated, and gives SERVFAIL when every server failed or a work limit (config.hpp) was reached. Only
// responses from the server asked, with our ID and our question, are accepted, and only the records that pass
// the bailiwick checks in classify.hpp reach the shared cache. One outstanding query at a time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/random.hpp"
#include "dns/answer.hpp"
#include "dns/message.hpp"
#include "dns/name.hpp"
#include "dns/resolver/cache.hpp"
#include "dns/resolver/cached_answer.hpp"
#include "dns/resolver/classify.hpp"
#include "dns/resolver/config.hpp"
#include "dns/resolver/engine_time.hpp"
#include "dns/resolver/infra_cache.hpp"
#include "dns/resolver/ip_address.hpp"
#include "dns/resolver/root_hints.hpp"

namespace endhost::dns::resolver {

// What a Resolution needs from its surroundings. Everything is borrowed and must outlive it; `infra` and
// `random` belong to the caller's thread, `cache` may be shared between threads.
struct ResolverContext {
  const ResolverConfig* config = nullptr;
  Cache* cache = nullptr;
  InfraCache* infra = nullptr;
  const RootHints* hints = nullptr;
  core::RandomSource* random = nullptr;
  // Optional: one line per step (query sent, referral, answer, rejected response…), for --trace.
  std::function<void(std::string_view)> trace;
};

// Why an arriving message was or was not taken as the answer (RFC 5452 §9.1).
enum class ResponseVerdict : std::uint8_t {
  accepted,
  no_query,         // no query is outstanding
  wrong_source,     // not from the address and port the query went to
  wrong_transport,  // UDP while waiting for TCP, or the other way round
  wrong_id,         // the ID is not the one we chose (or the message is shorter than a header)
  not_a_response,   // QR clear, or an opcode other than QUERY
  malformed,        // does not decode
  wrong_question,   // does not repeat our question
};

const char* to_string(ResponseVerdict v);

struct Transmit {
  ServerEndpoint server;
  Transport transport = Transport::udp;
  std::uint16_t id = 0;
  std::span<const std::uint8_t> query;  // valid until the next call on the Resolution
  Millis timeout{0};                    // how long to wait for the answer
};

struct ResolutionResult {
  Rcode rcode = Rcode::SERVFAIL;
  std::vector<AnswerRRset> answer;     // CNAMEs from the question name, then the RRset asked for
  std::vector<AnswerRRset> authority;  // the SOA of a negative answer (RFC 2308 §3)
  std::string failure;                 // SERVFAIL: why, for logs
};

struct ResolutionStats {
  std::size_t queries_sent = 0;
  std::size_t timeouts = 0;
  std::size_t rejected = 0;         // messages ignored (verdict other than accepted)
  std::size_t records_dropped = 0;  // records the bailiwick checks threw away
  std::size_t referrals = 0;
};

class Resolution {
 public:
  // Looks in the cache first; done() may be true straight away.
  Resolution(ResolverContext& ctx, const Name& qname, RRType qtype, Instant now);
  Resolution(const Resolution&) = delete;
  Resolution& operator=(const Resolution&) = delete;

  bool done() const { return done_; }
  // The query to send now. Precondition: !done().
  const Transmit& transmit() const { return transmit_; }

  // A message arrived from `from` over `via`. Unless it is accepted nothing changes, and the caller keeps
  // waiting for the real answer until the timeout.
  ResponseVerdict on_response(const ServerEndpoint& from, Transport via, std::span<const std::uint8_t> wire,
                              Instant now);
  // The timeout of transmit() has passed without an accepted answer.
  void on_timeout(Instant now);

  const ResolutionResult& result() const { return result_; }
  const ResolutionStats& stats() const { return stats_; }

 private:
  struct Candidate {
    ServerEndpoint server;
    std::size_t tries = 0;
    bool failed = false;   // answered with an error or lamely: not asked again in this lookup
    bool no_edns = false;  // answered FORMERR/NOTIMP to EDNS: asked again without (RFC 6891 §7)
  };
  struct NsName {
    Name name;
    bool tried = false;  // its address was looked up (or that was not possible)
  };
  // One lookup: the client's question, or the address of a name server (a dependency).
  struct Lookup {
    Name qname;
    RRType qtype = RRType::A;
    std::vector<AnswerRRset> chain;  // CNAMEs followed so far
    std::size_t cnames = 0;
    Name zone;                          // the delegation whose servers are asked
    std::vector<Candidate> candidates;  // their addresses
    std::vector<NsName> missing;        // their names without known addresses
    std::size_t referrals = 0;
    bool needs_delegation = true;  // find the closest delegation (start, after a CNAME)
  };
  struct Outstanding {
    bool active = false;
    std::size_t candidate = 0;
    ServerEndpoint server;
    Transport via = Transport::udp;
    std::uint16_t id = 0;
    bool edns = true;
    Instant sent;
  };

  void advance(Instant now);
  // Step 1 for the lookup on top: answer from the cache, or find where to ask. True when it completed.
  bool start_lookup(Instant now);
  void find_delegation(Lookup& l, Instant now);
  // Makes `ns` (an NS RRset of `zone`) the lookup's delegation. `glue` is tried before the cache for
  // addresses. Returns false if no server can be reached (no address and no name resolvable elsewhere).
  bool set_delegation(Lookup& l, NameView zone, const RRsetData& ns, std::span<const ScrubbedRRset> glue,
                      Instant now);
  void add_address(Lookup& l, const RRsetData& rrset);
  void use_hints(Lookup& l);
  bool send_to_best(Instant now);
  void send(std::size_t candidate, Transport via, bool edns, Instant now);
  bool start_dependency();
  void handle(const Message& m, Instant now);
  void cache_all(const Classification& c, Instant now);
  bool append_chain(Lookup& l, std::span<const RRsetPtr> rrsets);
  void complete(Rcode rcode, AnswerRRset soa);
  void fail(std::string why);
  void fail_all(std::string why);
  void trace(const std::string& line) const;
  bool tracing() const { return static_cast<bool>(ctx_.trace); }
  Ttl answer_ttl(const RRsetData& s) const;

  ResolverContext& ctx_;
  const ResolverConfig& config_;
  std::deque<Lookup> stack_;  // deque: references to lookups below the top stay valid while one is pushed
  Outstanding out_;
  Transmit transmit_;
  std::array<std::uint8_t, 512> query_buf_{};
  CachedAnswer scratch_;
  Instant started_;
  bool done_ = false;
  ResolutionResult result_;
  ResolutionStats stats_;
};

}  // namespace endhost::dns::resolver
