// One HTTP/2 connection to an origin (RFC 9113), shared by every request the client sends it: each
// perform() is a stream, so `fetch --page --mode h2` gets a page's objects concurrently over one
// connection. A reader and a writer coroutine move bytes between the socket and the sans-I/O
// http2::ClientConnection; each request waits on its own stream's events. One event loop, no locks.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/asio.hpp"
#include "core/transcript.hpp"
#include "http/client/connection_pool.hpp"
#include "http/client/http_client.hpp"
#include "http2/client_connection.hpp"

namespace endhost::http {

class H2Origin : public std::enable_shared_from_this<H2Origin>,
                 private http2::ClientHandler,
                 private http2::FrameTrace {
 public:
  // `connection` is connected (and TLS with ALPN h2, or plain for prior knowledge). start() must follow.
  H2Origin(std::unique_ptr<UpstreamConnection> connection, const ExchangeOptions& options);
  ~H2Origin() override;

  // Starts the reader and writer coroutines on the connection's executor.
  void start();
  // Whether a new request can go on this connection (it has not failed or been told to go away).
  bool usable() const;
  // One request and its response, as HttpClient::perform.
  awaitable<Expected<Incoming, ClientError>> perform(const Outgoing& request, const HeadHandler& on_head,
                                                     const BodySink& on_body);
  // Sends GOAWAY and closes once the streams are done; traces nothing from here on (the client is ending).
  void close();

 private:
  // What one request waits for: its events in order, and a timer that stands for "something happened".
  struct Waiter {
    explicit Waiter(asio::any_io_executor ex) : signal(ex) {}
    asio::steady_timer signal;
    std::optional<Response> head;
    bool head_taken = false;
    std::deque<std::string> pieces;
    bool done = false;
    std::optional<ClientError> error;
    void wake() { signal.cancel(); }
  };

  // http2::ClientHandler
  void on_response(std::uint32_t stream, int status, std::span<const http2::hpack::HeaderField> fields,
                   bool end_stream) override;
  void on_data(std::uint32_t stream, std::string_view data, bool end_stream) override;
  void on_reset(std::uint32_t stream, http2::ErrorCode code) override;
  // http2::FrameTrace: -v
  void frame(bool from_client, std::string_view line) override;

  awaitable<void> read_loop();
  awaitable<void> write_loop();
  void kick() { write_signal_.cancel(); }
  void fail_all(const ClientError& error);
  Waiter* waiter(std::uint32_t stream);

  std::unique_ptr<UpstreamConnection> conn_;
  ExchangeOptions options_;
  http2::ClientConnection h2_;
  asio::steady_timer write_signal_;
  asio::steady_timer slot_signal_;  // a stream ended: a request waiting for a free slot may go
  std::unordered_map<std::uint32_t, std::shared_ptr<Waiter>> waiters_;
  std::optional<ClientError> failed_;
  bool closing_ = false;
  bool reader_done_ = false;
};

}  // namespace endhost::http
