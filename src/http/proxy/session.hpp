// Internal to the proxy: one client connection. Reads requests (pipelined ones in order), routes each, and
// answers it from the cache, through the origin, through a CONNECT tunnel, or with an error of its own. The
// cache path (RFC 9111) is in session_cache.cpp, tunnels in tunnel.cpp, the rest in session.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/asio.hpp"
#include "core/connection.hpp"
#include "http/cache/cache_control.hpp"
#include "http/cache/cache_status.hpp"
#include "http/cache/store.hpp"
#include "http/client/exchange.hpp"
#include "http/proxy/collapse.hpp"
#include "http/proxy/messages.hpp"
#include "http/proxy/proxy_state.hpp"
#include "http/server_connection.hpp"

namespace endhost::http::proxy {

// The Allow field of a reverse proxy's 405 to CONNECT: every method it forwards (RFC 9110 §15.5.6).
inline constexpr std::string_view kProxyAllow =
    "Allow: GET, HEAD, POST, PUT, DELETE, OPTIONS, TRACE, PATCH, PURGE, CONNECT\r\n";
inline constexpr std::string_view kReverseAllow =
    "Allow: GET, HEAD, POST, PUT, DELETE, OPTIONS, TRACE, PATCH, PURGE\r\n";

// One HTTP/2 stream as a Session's client (h2_session.cpp). The session writes what it would write to an
// HTTP/1.1 client — heads as HTTP/1.1 text, then body bytes without chunk framing — and the stream maps it
// to HEADERS and DATA, so both framings share every cache decision.
class StreamSink {
 public:
  enum class BodyRead { ok, too_large, no_budget, stalled, gone };
  virtual ~StreamSink() = default;
  // A whole response head (1xx ones first, then the final one), or body bytes once the final head went.
  // false: the stream is gone.
  virtual awaitable<bool> send(std::string_view bytes) = 0;
  virtual awaitable<bool> send_file(int fd, std::uint64_t offset, std::uint64_t count) = 0;
  // The request body, as DATA brings it (its credit returned as it is buffered), into `body`, reserved
  // from `reserved`, at most `limit` bytes.
  virtual awaitable<BodyRead> read_body(std::string& body, BodyReservation& reserved,
                                        std::uint64_t limit) = 0;

  // CONNECT on the stream (RFC 9113 §8.5), after its 2xx head went with send(). The tunnel's bytes from the
  // client: appends what DATA brought to `out` (its credit returned), or says the client half-closed
  // (END_STREAM), reset the stream, or sent nothing for `idle`.
  enum class TunnelRead { data, end, gone, idle };
  virtual awaitable<TunnelRead> read_tunnel(std::string& out, std::chrono::milliseconds idle) = 0;
  // The origin half-closed (a TCP FIN): END_STREAM now, the client may still send.
  virtual void end_tunnel() = 0;
  // RST_STREAM: CONNECT_ERROR when the TCP connection failed (`tcp_error`), CANCEL when we end the tunnel.
  virtual void fail_tunnel(bool tcp_error) = 0;
};

class Session {
 public:
  Session(ProxyState& state, core::Connection& conn);
  // A session for one HTTP/2 stream of `conn`, whose responses go to `sink`.
  Session(ProxyState& state, core::Connection& conn, StreamSink& sink);
  awaitable<void> run();
  // Serves one HTTP/2 request (`head` mapped by http2_request_to_proxy, owned by the caller until the
  // coroutine ends). Returns whether the response was complete (false: the stream must be reset).
  awaitable<bool> serve_stream(const RequestHead& head, bool has_body);
  // run() stopped at an HTTP/2 connection preface (h2c, prior knowledge, RFC 9113 §3.4): what was read.
  bool saw_preface() const { return saw_preface_; }
  std::string take_preread() { return http_.take_rest(); }

 private:
  enum class ReadStatus { ok, closed, invalid, http2 };

  // What the access log says about the request being handled.
  struct Outcome {
    std::string_view cache = "-";
    unsigned status = 0;
    unsigned upstream_status = 0;
    std::uint64_t bytes = 0;
  };

  // --- session.cpp ---
  awaitable<ReadStatus> read_head();
  // Reads the whole request body into `body`, its bytes taken from `reserved` as they arrive. false: the
  // connection closes (an answer — 400, 408, 413, 503 — was sent when one could be).
  awaitable<bool> read_body(std::string& body, BodyReservation& reserved);
  awaitable<bool> write(std::string_view head, std::string_view body = {});
  awaitable<bool> write_chunk(std::string_view data);
  awaitable<bool> write_last_chunk();
  // Whether the HTTP/1.1 heads we write go to --trace (an HTTP/2 stream's are traced as frames).
  // The Via entry of the request we forward: its received-protocol is the framing it came in (the response's
  // is always HTTP/1.1, from the origin: st_.config.via).
  std::string_view request_via() const { return sink_ ? st_.config.via_h2 : st_.config.via; }
  bool trace_heads() const { return sink_ == nullptr && st_.config.client_transcript.enabled(); }
  // A short text/plain response of our own (errors, PURGE). Returns whether the connection stays open.
  // `extra` is whole field lines ("Allow: GET\r\n") added to the head.
  awaitable<bool> respond(Status status, std::string_view text, const cache::CacheStatus* cs = nullptr,
                          unsigned retry_after = 0, std::string_view extra = {});
  // RFC 9110 §7.6.2: an OPTIONS or TRACE whose Max-Forwards is 0 is answered here, as its final recipient.
  awaitable<bool> answer_max_forwards(const RequestHead& head);
  awaitable<void> refuse_body();  // 503: the body budget is spent
  awaitable<bool> handle(const RequestHead& head);
  awaitable<bool> handle_purge(const RequestHead& head);
  awaitable<bool> handle_pass(const RequestHead& head, const Route& route, std::string_view body,
                              std::optional<std::uint64_t> max_forwards = std::nullopt);
  void own_head(RequestHead& head);  // re-points `head` at owned copies before the buffer may move
  void write_access_log(const RequestHead& head, const Route* route);
  std::string date();
  cache::Time now() const;

  // --- session_cache.cpp ---
  awaitable<bool> handle_cacheable(const RequestHead& head, const Route& route);
  awaitable<bool> serve_hit(const RequestHead& head, const cache::Found& found, cache::CacheStatus cs,
                            bool omit_no_cache_fields);
  awaitable<bool> fetch(const RequestHead& head, const Route& route, cache::Forward fwd,
                        const cache::Found* stored, FlightGuard guard, const cache::CacheControl& req_cc);
  // Exchange::start, with the interim responses before the final one (102, 103) forwarded to an HTTP/1.1
  // client as they come (RFC 9110 §15.2), never stored.
  awaitable<Expected<void, ClientError>> start_upstream(Exchange& ex, const RequestHead& head,
                                                        const Route& route, std::string_view request,
                                                        bool idempotent = true);
  // Sends an upstream response downstream, storing it when allowed (`may_store`; a 206 only with
  // `may_store_partial`, false when it would replace a complete stored response). Consumes the exchange.
  awaitable<bool> forward_response(const RequestHead& head, Exchange& ex, cache::Forward fwd,
                                   FlightGuard& guard, cache::Time request_time,
                                   const cache::CacheControl* req_cc, bool may_store,
                                   bool may_store_partial = true);

  // --- tunnel.cpp ---
  awaitable<bool> handle_connect(const RequestHead& head);
  // CONNECT on an HTTP/2 stream (RFC 9113 §8.5): the same checks, the tunnel's bytes in DATA frames.
  awaitable<void> handle_connect_stream(const RequestHead& head);

  ProxyState& st_;
  core::Connection& conn_;
  StreamSink* sink_ = nullptr;
  LoopData& loop_;
  std::size_t shard_;
  ServerConnection http_;  // the client's HTTP/1 connection: framing, pipelining, drain, close policy
  std::string out_;
  std::string key_;
  Error parse_error_{};
  bool keep_alive_ = true;
  bool head_request_ = false;     // the request being answered is a HEAD: our own answers have no body
  bool stream_has_body_ = false;  // HTTP/2: DATA follows the request's HEADERS
  bool broken_ = false;           // the response was cut short (the origin failed inside its body)
  bool saw_preface_ = false;
  Outcome outcome_;
  std::chrono::steady_clock::time_point started_;
  Request owned_;  // the request head, copied when its bytes may move (requests with a body)
  std::vector<FieldView> owned_views_;
};

// The status for an upstream request that failed before a response: 403 when the destination was refused
// (forward-mode guard, destination.hpp), 504 on a timeout, 502 otherwise.
inline Status upstream_failure_status(ClientErrc code) {
  return code == ClientErrc::refused   ? Status::forbidden
         : code == ClientErrc::timeout ? Status::gateway_timeout
                                       : Status::bad_gateway;
}

// Whether and how an upstream response to a GET is stored: a writer ready for its body, or why not (the
// Cache-Status detail). Decided from the head alone (RFC 9111 §3), before any body byte is forwarded.
struct StorePlan {
  cache::ObjectWriter writer;
  bool storing = false;
  std::string not_stored;
};
StorePlan plan_store(ProxyState& st, const std::string& key, FieldsView request_fields,
                     const cache::CacheControl& req_cc, const ResponseHead& rh, cache::Time request_time,
                     cache::Time response_time, std::string_view date);

// The Set-Cookie policy (docs/internals/cache.md, "Set-Cookie"). In reverse mode the origin is the site
// itself and states cacheability, so RFC 9111 §3.1/§7.3 is followed: a response that is otherwise storable
// is stored with its Set-Cookie. In forward mode the cache sits in front of browsers and origins it does
// not know: only `public` or `s-maxage` responses are stored, and Set-Cookie is removed from what is
// stored unless the response is `public`, so one client's session never reaches the next.
bool store_set_cookie_as_rfc(const ProxyConfig& config);
void strip_set_cookie(const ProxyConfig& config, Fields& stored);

// Finish a stored object on the disk pool (fsync and rename block) while the calling coroutine waits.
awaitable<cache::ObjectPtr> commit_on_disk(ProxyState& st, cache::ObjectWriter writer, std::size_t shard);
awaitable<cache::ObjectPtr> freshen_on_disk(ProxyState& st, cache::ObjectPtr old, cache::ObjectMeta meta);

// A stale response may be refreshed in the background while it is served (RFC 5861 §3). Runs on the
// caller's loop, detached from any client connection; collapsed with any fetch of the same key.
void spawn_background_revalidation(ProxyState& state, LoopData& loop, Route route, Request request,
                                   cache::ObjectPtr stored);

}  // namespace endhost::http::proxy
