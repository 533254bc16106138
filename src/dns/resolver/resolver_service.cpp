#include "dns/resolver/resolver_service.hpp"

#include <array>
#include <unordered_map>

#include "core/system_random.hpp"
#include "dns/query.hpp"
#include "dns/resolver/cached_answer.hpp"
#include "dns/resolver/resolution.hpp"
#include "dns/resolver/response_writer.hpp"
#include "dns/resolver/upstream.hpp"

namespace endhost::dns::resolver {

struct ResolverService::Metrics {
  explicit Metrics(core::MetricsRegistry& m)
      : queries(m.counter("endhost_resolver_queries_total", "Client queries received")),
        cache_answers(
            m.counter("endhost_resolver_cache_answers_total", "Client queries answered from the cache")),
        refused(m.counter("endhost_resolver_refused_total",
                          "Client queries refused (not in --allow, or not IN)")),
        servfail(m.counter("endhost_resolver_servfail_total", "Resolutions that ended in SERVFAIL")),
        dropped(m.counter("endhost_resolver_dropped_total", "Client queries dropped (too many in flight)")),
        upstream(
            m.counter("endhost_resolver_upstream_queries_total", "Queries sent to authoritative servers")),
        timeouts(m.counter("endhost_resolver_upstream_timeouts_total", "Upstream queries that timed out")),
        rejected(m.counter("endhost_resolver_rejected_responses_total",
                           "Upstream messages ignored: wrong source, ID or question (possible spoofing)")),
        bailiwick(m.counter("endhost_resolver_dropped_records_total",
                            "Records dropped by the bailiwick checks before reaching the cache")) {}
  core::Counter& queries;
  core::Counter& cache_answers;
  core::Counter& refused;
  core::Counter& servfail;
  core::Counter& dropped;
  core::Counter& upstream;
  core::Counter& timeouts;
  core::Counter& rejected;
  core::Counter& bailiwick;
};

namespace {

struct PendingKey {
  Name qname;  // lower-cased
  RRType qtype;
  friend bool operator==(const PendingKey&, const PendingKey&) = default;
};
struct PendingKeyHash {
  std::size_t operator()(const PendingKey& k) const { return k.qname.hash() ^ to_underlying(k.qtype); }
};

// A client waiting for a resolution in progress.
struct Waiter {
  ParsedQuery query;
  ClientSocket* socket;
  asio::ip::udp::endpoint to;
};

struct Pending {
  std::vector<Waiter> waiters;
};

}  // namespace

struct ResolverService::LoopState {
  LoopState(const ResolverServiceConfig& c, Cache& cache)
      : infra(c.engine.timing, c.engine.max_servers_tracked), out(new std::uint8_t[kMaxMessageSize]) {
    ctx.config = &c.engine;
    ctx.cache = &cache;
    ctx.infra = &infra;
    ctx.hints = &c.hints;
    ctx.random = &random;
  }
  InfraCache infra;
  core::SystemRandom random;
  ResolverContext ctx;
  CachedAnswer cached;
  std::unique_ptr<std::uint8_t[]> out;  // kMaxMessageSize: every answer is written here before it is sent
  std::unordered_map<PendingKey, Pending, PendingKeyHash> pending;
  std::size_t tcp_resolutions = 0;  // TCP clients' questions being resolved (they count toward the limit)

  std::span<std::uint8_t> out_span() { return {out.get(), kMaxMessageSize}; }
};

namespace {

enum class Step : std::uint8_t { answered, resolve, drop };

bool refused_qtype(RRType t) {
  // Zone transfers are an authoritative server's business (RFC 5936); the resolver refuses them.
  return t == RRType::AXFR || t == RRType::IXFR;
}

}  // namespace

namespace {

// Everything that can be answered without asking the network: protocol errors, refusals, cache hits. Writes
// into `out` and returns answered, or says the question must be resolved (or ignored).
Step answer_now(ResolverService::LoopState& ls, const ResolverServiceConfig& config, Cache& cache,
                ResolverService::Metrics& m, std::size_t shard, const ParsedQuery& q, const IpAddress& client,
                Transport via, std::span<std::uint8_t> out, std::size_t& size) {
  ResponseOptions opts{via, config.max_udp_payload};
  auto reply = [&](Rcode rcode) {
    size = write_response(q, rcode, {}, {}, opts, out).size;
    return size > 0 ? Step::answered : Step::drop;
  };
  // RFC 1035 §4.1.1: no ID to answer to, or a response (answering those invites loops).
  if (q.verdict == QueryVerdict::drop) return Step::drop;
  m.queries.inc(1, shard);
  // RFC 5358: not an open resolver.
  if (!config.acl.allows(client.octets())) {
    m.refused.inc(1, shard);
    return reply(Rcode::REFUSED);
  }
  if (q.verdict == QueryVerdict::formerr) return reply(Rcode::FORMERR);
  if (q.verdict == QueryVerdict::notimp) return reply(Rcode::NOTIMP);
  if (q.has_edns && q.edns_version > 0) return reply(Rcode::BADVERS);  // RFC 6891 §6.1.3
  if (q.qclass != RRClass::IN || refused_qtype(q.qtype)) {
    m.refused.inc(1, shard);
    return reply(Rcode::REFUSED);
  }
  if (is_meta_type(q.qtype))
    return reply(Rcode::NOTIMP);  // ANY, MAILA, MAILB: see docs/internals/resolver.md
  lookup_cached_answer(cache, q.qname, q.qtype, engine_now(), config.engine.limits.max_cname_chain,
                       ls.cached);
  if (ls.cached.status == CachedAnswer::Status::positive ||
      ls.cached.status == CachedAnswer::Status::negative) {
    m.cache_answers.inc(1, shard);
    std::span<const AnswerRRset> authority;
    if (ls.cached.soa.rrset) authority = std::span<const AnswerRRset>(&ls.cached.soa, 1);
    size = write_response(q, ls.cached.rcode, ls.cached.answer(), authority, opts, out).size;
    return size > 0 ? Step::answered : Step::drop;
  }
  // RD clear: the client asked us not to recurse (RFC 1034 §4.3.1), so it gets what the cache holds and
  // nothing more, as BIND answers: the cached CNAMEs so far and a referral to the closest zone whose servers
  // are cached (NOERROR, empty answer otherwise). See docs/internals/resolver.md.
  if (!q.header.rd) {
    m.cache_answers.inc(1, shard);
    AnswerRRset referral;
    const Instant now = engine_now();
    for (NameView z = ls.cached.next.view();; z = z.parent()) {
      if (auto ns = cache.get(z, RRType::NS, now)) {
        referral = AnswerRRset{ns->rrset, ns->ttl};
        break;
      }
      if (z.is_root()) break;
    }
    std::span<const AnswerRRset> authority;
    if (referral.rrset) authority = std::span<const AnswerRRset>(&referral, 1);
    size = write_response(q, Rcode::NOERROR, ls.cached.answer(), authority, opts, out).size;
    return size > 0 ? Step::answered : Step::drop;
  }
  return Step::resolve;
}

awaitable<ResolutionResult> run_resolution(ResolverService::LoopState& ls,
                                           const ResolverServiceConfig& config, ResolverService::Metrics& m,
                                           std::size_t shard, Name qname, RRType qtype, std::string peer) {
  // A context of our own, so that --trace lines name the client this resolution is for.
  ResolverContext ctx = ls.ctx;
  // The trace outlives suspensions: it captures a frame local, never the by-value parameter (GCC 12 may bind
  // a capture of a coroutine parameter to the caller's copy; docs/internals/core.md, rule 4).
  const std::string client = std::move(peer);
  const core::Transcript& transcript = config.transcript;
  if (transcript.enabled()) {
    ctx.trace = [&transcript, &client](std::string_view line) { transcript.note(client, line); };
  }
  Resolution r(ctx, qname, qtype, engine_now());
  while (!r.done()) co_await exchange(r, ls.random, config.source_address, config.socket_place);
  const auto& s = r.stats();
  m.upstream.inc(s.queries_sent, shard);
  m.timeouts.inc(s.timeouts, shard);
  m.rejected.inc(s.rejected, shard);
  m.bailiwick.inc(s.records_dropped, shard);
  if (r.result().rcode == Rcode::SERVFAIL) m.servfail.inc(1, shard);
  co_return r.result();
}

std::string describe(const ParsedQuery& q) {
  return q.has_question ? q.qname.to_string() + " " + to_string(q.qtype) : std::string("(no question)");
}

}  // namespace

ResolverService::ResolverService(core::EventLoops& loops, core::Logger& log, core::MetricsRegistry& metrics,
                                 ResolverServiceConfig config)
    : event_loops_(loops),
      log_(log),
      config_(std::move(config)),
      cache_(config_.cache),
      metrics_(std::make_unique<Metrics>(metrics)),
      udp_(loops, log, std::max<std::size_t>(config_.max_udp_payload, kMinUdpPayload),
           [this](ClientSocket& s, std::span<const std::uint8_t> d, const asio::ip::udp::endpoint& from,
                  std::span<std::uint8_t> reply) { return on_datagram(s, d, from, reply); }),
      tcp_(loops, log,
           core::TcpServerOptions{"resolver",
                                  config_.max_connections,
                                  [this](core::Connection& c) { return serve_tcp(c); },
                                  {}}) {
  if (config_.tls) tcp_.set_tls(config_.tls, {"dot"});  // RFC 7858 §3.1 over the same framing
  for (std::size_t i = 0; i < loops.size(); ++i) {
    loops_.push_back(std::make_unique<LoopState>(config_, cache_));
  }
  // Drained by the host that adopts the service, through it: once each.
  drain_with(udp_);
  drain_with(tcp_);
}

ResolverService::~ResolverService() = default;

Expected<std::uint16_t, std::string> ResolverService::listen(const asio::ip::address& address,
                                                             std::uint16_t port,
                                                             const core::SocketPlace& place) {
  if (port != 0) {
    if (auto ok = udp_.listen({address, port}, place); !ok) return Unexpected(ok.error());
    if (auto ok = tcp_.listen({address, port}, place); !ok) return Unexpected(ok.error());
    return port;
  }
  // Port 0: a port free for both protocols. The UDP probe is held while TCP binds the same number.
  std::string last_error = "no port free for both UDP and TCP";
  for (int attempt = 0; attempt < 20; ++attempt) {
    asio::ip::udp::socket probe(event_loops_[0].io());
    boost::system::error_code ec;
    core::open_socket(probe, address.is_v6() ? asio::ip::udp::v6() : asio::ip::udp::v4(), ec, place);
    if (!ec) probe.bind({address, 0}, ec);
    if (ec) return Unexpected("cannot listen on " + address.to_string() + ": " + ec.message());
    std::uint16_t candidate = probe.local_endpoint().port();
    if (auto ok = tcp_.listen({address, candidate}, place); !ok) {
      last_error = ok.error();
      continue;
    }
    probe.close();
    if (auto ok = udp_.listen({address, candidate}, place); !ok) return Unexpected(ok.error());
    return candidate;
  }
  return Unexpected(last_error);
}

Expected<void, std::string> ResolverService::bind(core::Binder& binder) {
  for (const auto& ep : config_.listen) {
    if (auto ok = listen(ep.address(), ep.port(), binder.place()); !ok) return Unexpected(ok.error());
  }
  for (const auto& ep : udp_endpoints()) binder.listening("udp", ep);
  for (const auto& ep : tcp_endpoints()) binder.listening("tcp", ep);
  return {};
}

void ResolverService::start() {
  std::string allowed;
  for (const auto& c : config_.acl.blocks()) allowed += (allowed.empty() ? "" : ",") + c.to_string();
  log_.info("resolver ready", {{"root_servers", config_.hints.servers.size()},
                               {"allow", allowed},
                               {"query_port", config_.engine.query_port}});
  udp_.start();
  tcp_.start();
}

std::vector<core::NamedCount> ResolverService::counters() const {
  return {{"queries", metrics_->queries.value()},
          {"from cache", metrics_->cache_answers.value()},
          {"upstream queries", metrics_->upstream.value()}};
}

std::size_t ResolverService::on_datagram(ClientSocket& socket, std::span<const std::uint8_t> data,
                                         const asio::ip::udp::endpoint& from, std::span<std::uint8_t> reply) {
  core::assert_on_loop(socket.loop());  // ls has no lock: it is this loop's
  std::size_t shard = socket.loop().index();
  LoopState& ls = *loops_[shard];
  ParsedQuery q = parse_query(data);
  const bool tracing = config_.transcript.enabled();
  std::string peer = tracing ? core::endpoint_text(from) : std::string();
  if (tracing && q.verdict != QueryVerdict::drop) config_.transcript.client(peer, describe(q));
  std::size_t size = 0;
  Step step = answer_now(ls, config_, cache_, *metrics_, shard, q, to_ip(from.address()), Transport::udp,
                         reply, size);
  if (step == Step::answered) {
    if (tracing) {
      config_.transcript.server(peer, "answered at once: " + to_string(static_cast<Rcode>(reply[3] & 0x0F)) +
                                          ", " + std::to_string(size) + " octets");
    }
    return size;
  }
  if (step == Step::drop) return 0;

  PendingKey key{q.qname, q.qtype};
  key.qname.to_lower();
  q.edns_options = {};  // a view into `data`, which is gone after this call
  if (auto it = ls.pending.find(key); it != ls.pending.end()) {
    if (it->second.waiters.size() < config_.max_waiters) {
      it->second.waiters.push_back(Waiter{q, &socket, from});
    } else {
      metrics_->dropped.inc(1, shard);
    }
    return 0;
  }
  if (ls.pending.size() + ls.tcp_resolutions >= config_.max_resolutions_per_loop) {
    metrics_->dropped.inc(1, shard);
    return 0;
  }
  ls.pending[key].waiters.push_back(Waiter{q, &socket, from});
  in_flight_.fetch_add(1, std::memory_order_relaxed);
  auto task = [](ResolverService* self, LoopState& state, std::size_t loop, PendingKey k, Name qname,
                 RRType qtype, std::string who) -> awaitable<void> {
    ResolutionResult result;
    result.rcode = Rcode::SERVFAIL;
    try {
      result = co_await run_resolution(state, self->config_, *self->metrics_, loop, qname, qtype, who);
    } catch (const std::exception& e) {
      self->log_.warn("resolution failed", {{"name", qname.to_string()}, {"error", e.what()}});
    }
    auto node = state.pending.extract(k);
    if (!node.empty()) {
      for (auto& w : node.mapped().waiters) {
        auto written =
            write_response(w.query, result.rcode, result.answer, result.authority,
                           ResponseOptions{Transport::udp, self->config_.max_udp_payload}, state.out_span());
        if (written.size > 0) w.socket->send_to(std::span(state.out.get(), written.size), w.to);
        if (self->config_.transcript.enabled()) {
          self->config_.transcript.server(core::endpoint_text(w.to),
                                          to_string(result.rcode) + ", " +
                                              std::to_string(result.answer.size()) + " RRsets" +
                                              (written.truncated ? ", truncated" : ""));
        }
      }
    }
    self->in_flight_.fetch_sub(1, std::memory_order_relaxed);
  };
  asio::co_spawn(socket.loop().io(), task(this, ls, shard, std::move(key), q.qname, q.qtype, std::move(peer)),
                 asio::detached);
  return 0;
}

awaitable<void> ResolverService::serve_tcp(core::Connection& conn) {
  std::size_t shard = conn.loop().index();
  LoopState& ls = *loops_[shard];
  const IpAddress client = to_ip(conn.remote().address());
  const bool tracing = config_.transcript.enabled();
  // Sized to the largest message this client has sent, not to the 64 KiB maximum: thousands of idle
  // connections must not hold 64 KiB each.
  std::vector<std::uint8_t> in;
  std::vector<std::uint8_t> reply;
  for (;;) {
    if (!conn.begin_idle()) break;
    conn.expires_after(config_.tcp_idle_timeout);
    std::array<std::uint8_t, 2> len{};
    auto [ec, n] = co_await asio::async_read(conn.stream(), asio::buffer(len), use_nothrow);
    conn.end_idle();
    if (ec) break;
    std::size_t size = static_cast<std::size_t>(len[0]) << 8 | len[1];
    conn.expires_after(config_.tcp_io_timeout);
    if (in.size() < size) in.resize(size);
    auto [ec2, n2] = co_await asio::async_read(conn.stream(), asio::buffer(in.data(), size), use_nothrow);
    if (ec2) break;
    ParsedQuery q = parse_query(std::span(in.data(), size));
    // RFC 7766 §8: on TCP a message we cannot answer (no ID) ends the connection.
    if (q.verdict == QueryVerdict::drop) break;
    if (tracing) config_.transcript.client(conn.peer(), describe(q));
    std::size_t out_size = 0;
    Step step =
        answer_now(ls, config_, cache_, *metrics_, shard, q, client, Transport::tcp, ls.out_span(), out_size);
    if (step == Step::drop) break;
    if (step == Step::answered) {
      reply.assign(ls.out.get(), ls.out.get() + out_size);
    } else {
      ResolutionResult result;  // SERVFAIL unless resolved
      if (ls.pending.size() + ls.tcp_resolutions < config_.max_resolutions_per_loop) {
        // Counted while it runs, and uncounted even if it throws (the TCP server then closes the connection).
        struct Counted {
          std::size_t& loop_count;
          std::atomic<std::size_t>& total;
          Counted(std::size_t& l, std::atomic<std::size_t>& t) : loop_count(l), total(t) {
            ++loop_count;
            total.fetch_add(1, std::memory_order_relaxed);
          }
          ~Counted() {
            --loop_count;
            total.fetch_sub(1, std::memory_order_relaxed);
          }
        } counted(ls.tcp_resolutions, in_flight_);
        result = co_await run_resolution(ls, config_, *metrics_, shard, q.qname, q.qtype, conn.peer());
      } else {
        metrics_->dropped.inc(1, shard);
      }
      auto written = write_response(q, result.rcode, result.answer, result.authority,
                                    ResponseOptions{Transport::tcp, config_.max_udp_payload}, ls.out_span());
      reply.assign(ls.out.get(), ls.out.get() + written.size);
    }
    if (tracing) config_.transcript.server(conn.peer(), std::to_string(reply.size()) + " octets");
    std::array<std::uint8_t, 2> prefix{static_cast<std::uint8_t>(reply.size() >> 8),
                                       static_cast<std::uint8_t>(reply.size())};
    conn.expires_after(config_.tcp_io_timeout);
    std::array<asio::const_buffer, 2> bufs{asio::buffer(prefix), asio::buffer(reply)};
    auto [ec3, n3] = co_await asio::async_write(conn.stream(), bufs, use_nothrow);
    if (ec3 || conn.draining()) break;
  }
}

}  // namespace endhost::dns::resolver
