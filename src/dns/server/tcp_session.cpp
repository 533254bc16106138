#include "dns/server/tcp_session.hpp"

#include <chrono>
#include <optional>
#include <vector>

#include "core/address_acl_asio.hpp"
#include "core/byte_buffer.hpp"
#include "dns/serial.hpp"
#include "dns/server/bare_response.hpp"
#include "dns/transfer.hpp"

namespace endhost::dns::server {

namespace {

// Enough for most queries and their pipelined successors; grows to fit a larger message (at most
// 2 + 65535 octets, the framing's own limit, which is also the buffer's).
constexpr std::size_t kInitialReadBuffer = 4096;
constexpr std::size_t kMaxReadBuffer = 2 + 65535;

}  // namespace

TcpSessions::TcpSessions(QueryHandler& handler, TcpSessionConfig config, core::Logger& log,
                         core::MetricsRegistry& metrics)
    : handler_(handler),
      config_(config),
      log_(log),
      transfers_ok_(
          &metrics.counter("endhost_dns_transfers_total", "Zone transfers served", {{"result", "complete"}})),
      transfers_refused_(&metrics.counter("endhost_dns_transfers_total", "Zone transfers served",
                                          {{"result", "refused"}})) {}

awaitable<void> TcpSessions::serve(core::Connection& conn) {
  const std::size_t loop = conn.loop().index();
  const auto& trace = handler_.config().transcript;
  std::string_view peer = trace.enabled() ? std::string_view(conn.peer()) : std::string_view();
  trace.note(peer, "connection opened");
  core::ByteBuffer in(kMaxReadBuffer, kInitialReadBuffer);
  std::vector<std::uint8_t> out;
  for (;;) {
    // Answer every complete message already buffered (RFC 7766 §6.2.1.1: pipelining), then write once.
    // Consuming moves no bytes: each message's span stays valid until the next read.
    bool close = false;
    while (in.size() >= 2) {
      const std::span<const std::uint8_t> buffered = in.readable_bytes();
      std::size_t len = static_cast<std::size_t>(buffered[0]) << 8 | buffered[1];
      if (buffered.size() - 2 < len) break;
      std::span<const std::uint8_t> message = buffered.subspan(2, len);
      in.consume(2 + len);
      ParsedQuery q = parse_query(message);
      if (q.verdict == QueryVerdict::drop) {
        // No ID to answer to, or a response sent to a server: this is not a DNS client. Hang up.
        handler_.count(loop, AnswerKind::dropped);
        close = true;
        break;
      }
      if (q.verdict == QueryVerdict::answer && (q.qtype == RRType::AXFR || q.qtype == RRType::IXFR)) {
        bool sent = co_await flush(conn, out);
        if (sent) sent = co_await transfer(conn, q, message);
        if (!sent) {
          close = true;
          break;
        }
        continue;
      }
      auto response = handler_.handle(loop, q, Transport::tcp, conn.remote().address(), peer, message);
      if (response.empty()) continue;
      out.push_back(static_cast<std::uint8_t>(response.size() >> 8));
      out.push_back(static_cast<std::uint8_t>(response.size()));
      out.insert(out.end(), response.begin(), response.end());
      if (out.size() >= config_.write_batch) {
        const bool flushed = co_await flush(conn, out);
        if (!flushed) {
          close = true;
          break;
        }
      }
    }
    if (close) break;
    const bool flushed = co_await flush(conn, out);
    if (!flushed || conn.draining()) break;
    // Make room for the whole of the message being received.
    const std::span<const std::uint8_t> partial = in.readable_bytes();
    const std::size_t need =
        partial.size() >= 2 ? 2 + (static_cast<std::size_t>(partial[0]) << 8 | partial[1]) : 2;
    auto space = in.read_space(need - partial.size());
    if (!space) break;  // cannot happen: the maximum is the framing's own
    bool idle = in.empty();
    if (idle && !conn.begin_idle()) break;
    conn.expires_after(idle ? config_.idle_timeout : config_.io_timeout);
    auto [ec, n] =
        co_await conn.stream().async_read_some(asio::buffer(space->data(), space->size()), use_nothrow);
    if (idle) conn.end_idle();
    if (ec) {
      if (conn.timed_out()) trace.note(peer, idle ? "idle timeout: closing" : "read timeout: closing");
      break;
    }
    in.commit(n);
  }
  trace.note(peer, "connection closed");
}

// Coroutine parameters are never captured by lambdas here (GCC 12 may bind such a capture to the caller's
// copy of the parameter); these helpers take what they need as arguments instead.
awaitable<bool> TcpSessions::flush(core::Connection& conn, std::vector<std::uint8_t>& out) {
  if (out.empty()) co_return true;
  conn.expires_after(config_.io_timeout);
  auto [ec, n] = co_await asio::async_write(conn.stream(), asio::buffer(out), use_nothrow);
  out.clear();
  co_return !ec;
}

awaitable<bool> TcpSessions::refuse(core::Connection& conn, const ParsedQuery& q, Rcode rcode,
                                    const char* why, TsigSigner* signer) {
  std::string zone_name = q.qname.to_string();
  transfers_refused_->inc(1, conn.loop().index());
  log_.info("zone transfer refused",
            {{"service", "dns"}, {"peer", conn.peer()}, {"zone", zone_name}, {"reason", why}});
  const auto& trace = handler_.config().transcript;
  trace.client(conn.peer(), "AXFR " + zone_name);
  trace.server(conn.peer(), std::string(dns::to_string(rcode)) + ": " + why);
  // Header, question, and room for a TSIG (QueryHandler::check_tsig's 128 + key name).
  std::array<std::uint8_t, 2 + kMaxNameWireSize + kHeaderSize + 4 + 128 + kMaxNameWireSize> buf{};
  std::size_t n = write_bare_response(q, rcode, false, std::span(buf).subspan(2));
  if (signer) {
    // RFC 8945 §5.3: the request verified, so even a policy refusal is signed; only BADKEY, BADSIG and
    // BADTRUNC answers (check_tsig) go unsigned.
    auto now = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    auto signed_n = signer->sign(std::span(buf).subspan(2), n, now);
    if (!signed_n) co_return false;
    n = *signed_n;
  }
  buf[0] = static_cast<std::uint8_t>(n >> 8);
  buf[1] = static_cast<std::uint8_t>(n);
  conn.expires_after(config_.io_timeout);
  auto [ec, written] =
      co_await asio::async_write(conn.stream(), asio::buffer(buf.data(), 2 + n), use_nothrow);
  co_return !ec;
}

awaitable<bool> TcpSessions::transfer(core::Connection& conn, const ParsedQuery& q,
                                      std::span<const std::uint8_t> message) {
  const std::size_t loop = conn.loop().index();
  const auto& trace = handler_.config().transcript;
  std::string zone_name = q.qname.to_string();
  auto address = conn.remote().address();
  std::vector<std::uint8_t> buf(2 + kMaxMessageSize);
  // A signed request (RFC 8945): a bad signature is answered at once; a good one authorizes the transfer
  // as --allow-transfer does, and every message of the answer is signed (§5.3.1).
  std::optional<TsigSigner> signer;
  std::size_t room = 0;
  if (q.has_tsig) {
    QueryHandler::TsigOutcome t = handler_.check_tsig(q, message, std::span(buf).subspan(2));
    if (!t.signer) {
      buf[0] = static_cast<std::uint8_t>(t.reply >> 8);
      buf[1] = static_cast<std::uint8_t>(t.reply);
      conn.expires_after(config_.io_timeout);
      auto [ec, written] =
          co_await asio::async_write(conn.stream(), asio::buffer(buf.data(), 2 + t.reply), use_nothrow);
      co_return !ec;
    }
    signer = std::move(t.signer);
    room = t.room;
  }
  bool allowed = signer || (config_.allow_transfer && core::allows(*config_.allow_transfer, address));
  // The set is held for the whole transfer: a reload meanwhile does not pull the zone from under us.
  std::shared_ptr<const ZoneSet> zones = handler_.zones().hold(loop);
  const Zone* zone = zones->find_exact(q.qname);
  // RFC 5936 §2.2.1: REFUSED for policy, NOTAUTH for a zone we do not serve; §4.1 leaves the ACL to us.
  TsigSigner* const signing = signer ? &*signer : nullptr;
  if (!allowed) co_return co_await refuse(conn, q, Rcode::REFUSED, "client not in --allow-transfer", signing);
  if (q.qclass != RRClass::IN)
    co_return co_await refuse(conn, q, Rcode::REFUSED, "class not served", signing);
  if (!zone) co_return co_await refuse(conn, q, Rcode::NOTAUTH, "not a zone served here", signing);

  // IXFR (RFC 1995 §4): the current SOA alone when the client is up to date, the journal's deltas when it
  // knows the client's version, else the whole zone in AXFR form.
  const bool is_ixfr = q.qtype == RRType::IXFR;
  std::optional<IxfrStream> ixfr;
  const char* form = "AXFR";
  auto journal = zones->journal(zone->origin());
  if (is_ixfr && !serial_newer(zone->soa().serial, *q.ixfr_serial)) {
    ixfr.emplace(*zone, std::span<const ZoneDelta>(), q);
    form = "IXFR up to date";
  } else if (is_ixfr && journal) {
    if (auto deltas = journal->from(*q.ixfr_serial)) {
      ixfr.emplace(*zone, *deltas, q);
      form = "IXFR";
    }
  }
  if (is_ixfr && !ixfr) form = "IXFR in AXFR form";
  trace.client(conn.peer(), std::string(is_ixfr ? "IXFR " : "AXFR ") + zone_name);
  AxfrStream stream(*zone, q);
  const std::span<std::uint8_t> body = std::span(buf).subspan(2);
  const std::span<std::uint8_t> unsigned_body = body.first(body.size() - room);
  std::size_t messages = 0, octets = 0;
  while (ixfr ? !ixfr->done() : !stream.done()) {
    auto n = ixfr ? ixfr->next(unsigned_body) : stream.next(unsigned_body);
    if (!n) {
      log_.error("zone transfer failed",
                 {{"service", "dns"}, {"zone", zone_name}, {"error", n.error().to_string()}});
      co_return false;
    }
    if (*n == 0) break;
    std::size_t size = *n;
    if (signer) {
      auto now = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
      auto signed_size = signer->sign(body, size, now);
      if (!signed_size) co_return false;
      size = *signed_size;
    }
    buf[0] = static_cast<std::uint8_t>(size >> 8);
    buf[1] = static_cast<std::uint8_t>(size);
    conn.expires_after(config_.io_timeout);
    auto [ec, written] =
        co_await asio::async_write(conn.stream(), asio::buffer(buf.data(), 2 + size), use_nothrow);
    if (ec) {
      log_.info("zone transfer aborted",
                {{"service", "dns"}, {"peer", conn.peer()}, {"zone", zone_name}, {"error", ec.message()}});
      co_return false;
    }
    ++messages;
    octets += size;
  }
  transfers_ok_->inc(1, loop);
  log_.info("zone transfer", {{"service", "dns"},
                              {"peer", conn.peer()},
                              {"zone", zone_name},
                              {"form", form},
                              {"serial", static_cast<std::int64_t>(zone->soa().serial)},
                              {"records", zone->record_count()},
                              {"messages", messages},
                              {"octets", octets}});
  trace.server(conn.peer(), std::string(form) + " " + zone_name + ": " +
                                std::to_string(zone->record_count()) + " records in " +
                                std::to_string(messages) + " messages");
  co_return true;
}

}  // namespace endhost::dns::server
