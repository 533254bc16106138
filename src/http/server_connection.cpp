#include "http/server_connection.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace endhost::http {

ServerConnection::ServerConnection(const Options& options)
    : options_(options),
      parser_(options.limits),
      // A whole head stays put while its body streams through; a chunked body's trailer section must arrive
      // whole; and one read beyond both.
      cap_(options.limits.max_head_bytes + options.limits.max_trailer_bytes + options.read_size) {
  // Not zero-filled: only bytes read into it are ever looked at, and pages no read reached stay untouched, so
  // a connection that sent a few bytes (a slow client, an idle keep-alive) holds a page, not the whole
  // capacity.
  buf_ = std::make_unique_for_overwrite<char[]>(cap_);
}

void ServerConnection::compact() noexcept {
  if (pos_ <= keep_) return;
  std::memmove(buf_.get() + keep_, buf_.get() + pos_, end_ - pos_);
  end_ -= pos_ - keep_;
  pos_ = keep_;
}

std::span<char> ServerConnection::read_space() noexcept {
  if (state_ == State::closed) pos_ = end_ = keep_ = 0;  // lingering: what arrives is dropped
  compact();
  body_data_ = {};
  return {buf_.get() + end_, cap_ - end_};
}

void ServerConnection::commit(std::size_t n) noexcept {
  end_ = std::min(cap_, end_ + n);
}

std::size_t ServerConnection::feed(std::string_view bytes) noexcept {
  const std::span<char> space = read_space();
  const std::size_t n = std::min(space.size(), bytes.size());
  std::memcpy(space.data(), bytes.data(), n);
  commit(n);
  return n;
}

ServerConnection::Event ServerConnection::fail(const Error& e) noexcept {
  error_ = e;
  if (e.must_close) persist_ = false;
  state_ = State::respond;
  return Event::error;
}

void ServerConnection::start_next() noexcept {
  parser_.reset();
  keep_ = 0;
  body_data_ = {};
  body_read_ = 0;
  drained_ = 0;
  has_head_ = false;
  body_complete_ = false;
  persist_ = true;
  continue_pending_ = false;
  continue_sent_ = false;
  state_ = State::head;
}

ServerConnection::Event ServerConnection::next() noexcept {
  body_data_ = {};
  for (;;) {
    switch (state_) {
      case State::closed:
        return Event::closed;

      case State::respond:
        return Event::respond;

      case State::head: {
        const std::size_t start = pos_;
        auto step = parser_.parse_head(unconsumed());
        if (!step) {
          ++requests_;
          // Host and Expect problems keep the head and its framing: the body can still be drained.
          if (!step.error().must_close) {
            has_head_ = true;
            head_begin_ = start;
            pos_ = start + parser_.head_size();
            keep_ = pos_;
            persist_ = parser_.head().keep_alive;
          }
          return fail(step.error());
        }
        if (step->progress == Progress::need_more) {
          if (!eof_) return Event::need_more;
          state_ = State::closed;  // the peer left, between requests or inside a head: nobody to answer
          return Event::closed;
        }
        ++requests_;
        head_begin_ = start;
        pos_ = start + step->consumed;
        keep_ = pos_;
        has_head_ = true;
        persist_ = parser_.head().keep_alive;
        continue_pending_ = parser_.head().expect_continue && parser_.head().framing.kind != BodyKind::none;
        state_ = State::body;
        return Event::head;
      }

      case State::body: {
        if (body_complete_) {  // the last span came with the end of the body
          state_ = State::respond;
          return Event::body_end;
        }
        if (continue_pending_) {
          continue_pending_ = false;
          continue_sent_ = true;
          return Event::send_continue;
        }
        auto step = parser_.parse_body(unconsumed());
        if (!step) return fail(step.error());
        pos_ += step->consumed;
        body_read_ += step->data.size();
        if (step->done) {
          body_complete_ = true;
          if (step->data.empty()) {
            state_ = State::respond;
            return Event::body_end;
          }
        }
        if (!step->data.empty()) {
          body_data_ = step->data;
          return Event::body;
        }
        if (step->consumed == 0) {
          if (!eof_) return Event::need_more;
          // The body was cut short: its framing said more. Nothing can be answered on a closed stream.
          state_ = State::closed;
          return Event::closed;
        }
        break;  // framing bytes only (a chunk-size line): go on
      }

      case State::drain: {
        auto step = parser_.parse_body(unconsumed());
        if (!step) {
          state_ = State::closed;
          return Event::closed;
        }
        pos_ += step->consumed;
        body_read_ += step->data.size();
        drained_ += step->data.size();
        if (drained_ > options_.max_drain) {
          state_ = State::closed;
          return Event::closed;
        }
        if (step->done) {
          start_next();
          break;
        }
        if (step->consumed == 0) {
          if (!eof_) return Event::need_more;
          state_ = State::closed;
          return Event::closed;
        }
        break;
      }
    }
  }
}

ServerConnection::Parked ServerConnection::park() noexcept {
  assert(lendable());
  const Parked parked{requests_};
  reset();
  return parked;
}

void ServerConnection::resume(const Parked& parked) noexcept {
  assert(idle() && requests_ == 0 && !eof_);
  requests_ = parked.requests;
}

void ServerConnection::reset() noexcept {
  start_next();
  pos_ = end_ = head_begin_ = 0;
  error_ = {};
  requests_ = 0;
  eof_ = false;
}

std::string ServerConnection::take_rest() {
  std::string rest(unconsumed());
  pos_ = end_;
  state_ = State::closed;
  return rest;
}

bool ServerConnection::keep_alive() const noexcept {
  // After the peer's end of input, bytes still buffered may be requests it pipelined before: they are
  // answered too (an incomplete one ends the connection in next()).
  if (state_ == State::closed || (eof_ && pos_ == end_) || !persist_) return false;
  if (!has_head_ || body_complete_) return true;
  // The body is (partly) unread: it must be drained before the next request.
  if (parser_.head().expect_continue && !continue_sent_ && parser_.head().framing.kind != BodyKind::none) {
    return false;  // the client waits for a 100 that will not come: it may send the body or not
  }
  const Framing framing = parser_.head().framing;
  if (framing.kind == BodyKind::length)
    return framing.length - std::min(framing.length, body_read_) <= options_.max_drain;
  return true;  // chunked: its size is known only by reading it (the drain stops at max_drain)
}

void ServerConnection::response_done(bool close) noexcept {
  if (state_ == State::closed) return;
  if (close || !keep_alive()) {
    state_ = State::closed;
    return;
  }
  if (!body_complete_ && has_head_ && parser_.head().framing.kind != BodyKind::none) {
    state_ = State::drain;
    keep_ = 0;  // the head is no longer used
    body_data_ = {};
    return;
  }
  start_next();
}

}  // namespace endhost::http
