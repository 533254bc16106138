// ServerConnection: the server side of one HTTP/1.x connection as a sans-I/O state machine (RFC 9112 §9).
// Bytes in, events out: request heads, body spans, errors as values, and when to answer, drain or close. It
// owns the receive buffer; it has no socket and no clock (the driver, src/http/server/server_driver.hpp, or
// any other loop, does the reads, the writes and the deadlines).
//
// Use:
//  * Input: read_space() is where the next read goes (commit(n) after it), or feed() copies bytes in;
//    end_of_input() when the peer closed its side. Read only when next() said need_more: then the buffer
//    holds at most one head plus one read (pipelined requests wait, unread, behind the one being answered).
//  * next() until it says need_more, respond or closed:
//      head           head() is the next request; body events follow (none for a request without a body)
//      send_continue  write "HTTP/1.1 100 Continue" now (Expect: 100-continue; only once the body is wanted)
//      body           body_data() is the next span of the body
//      body_end       the body is complete (trailers() holds a chunked body's trailer fields)
//      error          error(): answer error().status; the request is over (see response_done)
//      respond        the request has been read: answer it, then call response_done()
//  * Before writing a response head, keep_alive() says whether the connection will carry another request
//    (without it, the response says "Connection: close"). response_done(close) ends the exchange; it may
//    come before the body was read (a 404 to a POST): the unread body is then read and discarded, up to
//    Options::max_drain bytes, or the connection closes.
//
// Close policy: HTTP/1.0 without "Connection: keep-alive", "Connection: close" (RFC 9112 §9.3), an error
// that loses the framing (Error::must_close), the peer's end of input with nothing buffered after the request
// (a half-closed client still gets an answer to every request it sent), an unread body larger than the drain
// allowance or one the client was not yet told to send (Expect: 100-continue with no 100 sent: it may never
// come), and a response the caller says ends the connection (response_done(true), or close()). Once closed,
// read_space() drops what was buffered, so a server can linger (read and discard until the peer closes, RFC
// 9112 §9.6) through the same calls.
//
// Lending: between requests with nothing buffered (lendable()), a connection's whole state is its request
// count. park() returns that and leaves the object as new, so a server with many idle keep-alive connections
// can keep the objects (each a buffer of the head limit and more, and the parser's field array) in a pool and
// an idle connection holds only a Parked; resume() carries on with any object as new when bytes come.
//
// Lifetimes: head() borrows the buffer and stays valid until response_done(); body_data() and trailers()
// until the next read_space(), feed() or next() call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "http/error.hpp"
#include "http/limits.hpp"
#include "http/request_parser.hpp"

namespace endhost::http {

class ServerConnection {
 public:
  struct Options {
    Limits limits;
    // Bytes of an unread body discarded after a response so that the connection can go on; a body with more
    // left than this closes the connection instead (cheaper than reading it).
    std::uint64_t max_drain = 64 * 1024;
    // Buffer space for one read beyond the head and trailer limits.
    std::size_t read_size = 16 * 1024;
  };

  enum class Event : std::uint8_t { need_more, head, send_continue, body, body_end, error, respond, closed };

  explicit ServerConnection(const Options& options);
  ServerConnection() : ServerConnection(Options{}) {}

  // Free space for the next read (empty only if the caller reads when next() did not ask for bytes).
  std::span<char> read_space() noexcept;
  void commit(std::size_t n) noexcept;
  // Copies as much of `bytes` as fits; returns how many.
  std::size_t feed(std::string_view bytes) noexcept;
  void end_of_input() noexcept { eof_ = true; }

  Event next() noexcept;

  const RequestHead& head() const noexcept { return parser_.head(); }
  // Whether head() is valid: after a head event, and after an error that kept the head (Host, Expect).
  bool has_head() const noexcept { return has_head_; }
  const Error& error() const noexcept { return error_; }
  std::string_view body_data() const noexcept { return body_data_; }
  FieldsView trailers() const noexcept { return parser_.trailers(); }

  // Whether the connection carries another request after the response to this one.
  bool keep_alive() const noexcept;
  // The response to the current request was written; `close`: it ends the connection.
  void response_done(bool close = false) noexcept;

  // Between requests, with no byte of the next one received: a driver's idle deadline applies.
  bool idle() const noexcept { return state_ == State::head && pos_ == end_; }
  // After response_done() before the body was read: next() reads and discards the rest of it.
  bool draining() const noexcept { return state_ == State::drain; }
  bool closed() const noexcept { return state_ == State::closed; }
  // The server ends the connection now (a timeout, a shutdown): next() says closed.
  void close() noexcept { state_ = State::closed; }

  // What an idle connection keeps while it lends this object back (see "Lending" above).
  struct Parked {
    std::uint64_t requests = 0;
  };
  // idle(), and the peer has not ended its input: nothing but the request count is left to keep.
  bool lendable() const noexcept { return idle() && !eof_; }
  // Requires lendable(). Leaves the object as new.
  Parked park() noexcept;
  // Requires an object as new (constructed, park()ed or reset()): it carries on the parked connection.
  void resume(const Parked& parked) noexcept;
  // As new, whatever the state: the connection that used it is gone, and what it had buffered with it.
  void reset() noexcept;
  // Unconsumed bytes in the buffer (pipelined requests, or the unread rest of a body).
  std::size_t buffered() const noexcept { return end_ - pos_; }
  std::string_view pending() const noexcept { return unconsumed(); }
  // The current request's head as received (with any empty lines before it), while head() is valid.
  std::string_view head_bytes() const noexcept {
    return has_head_ ? std::string_view(buf_.get() + head_begin_, keep_ - head_begin_) : std::string_view();
  }
  // The connection stops speaking HTTP/1 (a CONNECT tunnel, an HTTP/2 preface): returns the bytes received
  // and not yet consumed, and closes.
  std::string take_rest();
  // Requests whose head was parsed (or that failed) on this connection so far.
  std::uint64_t requests() const noexcept { return requests_; }
  const Options& options() const noexcept { return options_; }

 private:
  enum class State : std::uint8_t { head, body, respond, drain, closed };

  std::string_view unconsumed() const noexcept { return {buf_.get() + pos_, end_ - pos_}; }
  void compact() noexcept;
  void start_next() noexcept;
  Event fail(const Error& e) noexcept;

  Options options_;
  RequestParser parser_;
  std::unique_ptr<char[]> buf_;
  std::size_t cap_;
  std::size_t pos_ = 0;         // first unconsumed byte
  std::size_t end_ = 0;         // end of received bytes
  std::size_t keep_ = 0;        // bytes [0, keep_) hold the current head and must not move
  std::size_t head_begin_ = 0;  // where the current head begins
  std::string_view body_data_;
  Error error_{};
  std::uint64_t body_read_ = 0;  // body bytes of the current request seen so far (delivered or drained)
  std::uint64_t drained_ = 0;
  std::uint64_t requests_ = 0;
  State state_ = State::head;
  bool eof_ = false;
  bool has_head_ = false;
  bool body_complete_ = false;
  bool persist_ = true;  // the request allows another after it (keep-alive, no framing error)
  bool continue_pending_ = false;
  bool continue_sent_ = false;
};

}  // namespace endhost::http
