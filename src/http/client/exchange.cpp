#include "http/client/exchange.hpp"

#include <tuple>

namespace endhost::http {

namespace {

const std::string kNoPeer;

std::string_view head_of(std::string_view request) {
  const auto end = request.find("\r\n\r\n");
  return end == std::string_view::npos ? request : request.substr(0, end);
}

}  // namespace

Exchange::Exchange(ConnectionPool& pool, const ExchangeOptions& options)
    : pool_(pool), options_(options), parser_(options.limits) {}

Exchange::~Exchange() {
  abandon();
}

const std::string& Exchange::peer() const {
  return conn_ ? conn_->peer() : kNoPeer;
}

awaitable<Expected<void, ClientError>> Exchange::start(const std::string& host, std::uint16_t port,
                                                       std::string_view request, Method method,
                                                       bool idempotent, const TlsTarget* tls) {
  for (int attempt = 0;; ++attempt) {
    auto lease = co_await pool_.acquire(host, port, attempt > 0, tls);
    if (!lease) co_return Unexpected(lease.error());
    conn_ = std::move(lease->connection);
    reused_ = lease->reused;
    const bool may_retry = reused_ && idempotent && attempt == 0;
    UpstreamConnection& c = *conn_;
    c.deadline().clear_timed_out();
    c.deadline().expires_after(options_.response_timeout);
    if (options_.transcript.enabled()) {
      // A new TLS connection says what it negotiated before the request goes over it (`fetch -v`).
      if (!reused_ && c.tls()) options_.transcript.note(c.peer(), "TLS: " + core::tls_summary(c.stream()));
      options_.transcript.client(c.peer(), head_of(request));
    }

    auto [wec, written] =
        co_await asio::async_write(c.stream(), asio::buffer(request.data(), request.size()), use_nothrow);
    if (wec) {
      const bool timed_out = c.deadline().timed_out();
      conn_.reset();
      if (timed_out) co_return Unexpected(ClientError{ClientErrc::timeout, "sending the request: timed out"});
      if (may_retry) continue;
      co_return Unexpected(ClientError{ClientErrc::send, "sending the request: " + wec.message()});
    }

    parser_.reset(method);
    method_ = method;
    head_consumed_ = false;
    pending_ = 0;
    interim_ = false;
    bool retry = false;
    auto got = co_await read_head(may_retry, retry);
    if (retry) continue;  // the pooled connection was dead: retry on a new one
    co_return got;
  }
}

awaitable<Expected<void, ClientError>> Exchange::next_head() {
  if (!conn_ || !interim_) co_return Unexpected(ClientError{ClientErrc::closed, "no interim response"});
  conn_->buffer().consume(head_size_);
  parser_.reset(method_);
  interim_ = false;
  bool retry = false;
  co_return co_await read_head(false, retry);
}

awaitable<Expected<void, ClientError>> Exchange::read_head(bool may_retry, bool& retry) {
  UpstreamConnection& c = *conn_;
  bool received = false;
  for (;;) {
    auto step = parser_.parse_head(c.buffer().readable());
    if (!step)
      co_return Unexpected(ClientError{ClientErrc::protocol, "malformed response from " + c.peer() + ": " +
                                                                 std::string(describe(step.error().code))});
    if (step->progress == Progress::complete) {
      const unsigned code = to_int(parser_.head().status);
      head_size_ = step->consumed;
      // Interim responses (102 Processing, 103 Early Hints) are shown too (`fetch -v`).
      if (options_.transcript.enabled())
        options_.transcript.server(c.peer(), c.buffer().readable().substr(0, head_size_ - 2));
      if (code >= 100 && code < 200 && code != 101) {
        // Interim response: the final one follows (RFC 9110 §15.2).
        if (stop_at_interim_) {
          interim_ = true;
          co_return Expected<void, ClientError>{};
        }
        c.buffer().consume(step->consumed);
        parser_.reset(method_);
        continue;
      }
      co_return Expected<void, ClientError>{};
    }
    auto space = c.buffer().read_space();
    if (!space)
      co_return Unexpected(
          ClientError{ClientErrc::protocol, "response head from " + c.peer() + " too large"});
    auto [ec, n] =
        co_await c.stream().async_read_some(asio::buffer(space->data(), space->size()), use_nothrow);
    if (ec) {
      const bool timed_out = c.deadline().timed_out();
      conn_.reset();
      if (timed_out)
        co_return Unexpected(
            ClientError{ClientErrc::timeout,
                        "no response within " + std::to_string(options_.response_timeout.count()) + " ms"});
      if (may_retry && !received) {
        retry = true;
        co_return Expected<void, ClientError>{};
      }
      co_return Unexpected(ClientError{ClientErrc::closed, received
                                                               ? "connection closed inside the response head"
                                                               : "connection closed without a response"});
    }
    received = true;
    c.buffer().commit(n);
  }
}

awaitable<Expected<Exchange::Piece, ClientError>> Exchange::read_body() {
  if (!conn_) co_return Unexpected(ClientError{ClientErrc::closed, "no connection"});
  UpstreamConnection& c = *conn_;
  if (!head_consumed_) {
    c.buffer().consume(head_size_);
    head_consumed_ = true;
  }
  c.buffer().consume(pending_);
  pending_ = 0;
  for (;;) {
    if (parser_.done()) co_return Piece{{}, true};
    auto step = parser_.parse_body(c.buffer().readable());
    if (!step)
      co_return Unexpected(ClientError{
          ClientErrc::protocol,
          "malformed response body from " + c.peer() + ": " + std::string(describe(step.error().code))});
    if (step->done || !step->data.empty()) {
      pending_ = step->consumed;
      co_return Piece{step->data, step->done};
    }
    if (step->consumed > 0) {
      c.buffer().consume(step->consumed);
      continue;
    }
    auto space = c.buffer().read_space();
    if (!space) co_return Unexpected(ClientError{ClientErrc::protocol, "response framing line too long"});
    c.deadline().expires_after(options_.read_timeout);
    auto [ec, n] =
        co_await c.stream().async_read_some(asio::buffer(space->data(), space->size()), use_nothrow);
    if (ec == asio::error::eof) {
      if (auto ok = parser_.on_eof(); ok) co_return Piece{{}, true};
      co_return Unexpected(ClientError{ClientErrc::closed, "connection closed before the end of the body"});
    }
    if (ec) {
      if (c.deadline().timed_out())
        co_return Unexpected(
            ClientError{ClientErrc::timeout,
                        "body stalled for " + std::to_string(options_.read_timeout.count()) + " ms"});
      co_return Unexpected(ClientError{ClientErrc::closed, "reading the body: " + ec.message()});
    }
    c.buffer().commit(n);
  }
}

void Exchange::finish() {
  if (!conn_) return;
  if (!head_consumed_) {
    conn_->buffer().consume(head_size_);
    head_consumed_ = true;
  }
  conn_->buffer().consume(pending_);
  pending_ = 0;
  // Reusable only after a complete response that allows it, with nothing unexpected after it.
  if (parser_.done() && parser_.head().keep_alive && conn_->buffer().empty()) {
    ++conn_->exchanges;
    pool_.release(std::move(conn_));
  }
  conn_.reset();
}

void Exchange::abandon() {
  if (conn_) conn_->stream().close();
  conn_.reset();
}

}  // namespace endhost::http
