// A deadline for one TCP socket, accepted or dialled: when it passes, the socket's pending operations (and so
// a TLS stream's over it) complete with operation_aborted and timed_out() turns true; the owner decides what
// to do. Moving a deadline costs a clock read and a compare: the timer is re-armed only when it moves
// earlier. Used on the socket's loop thread only.
#pragma once

#include <chrono>
#include <memory>

#include "core/asio.hpp"

namespace endhost::core {

class Deadline {
 public:
  using clock = std::chrono::steady_clock;

  // `socket` must outlive the Deadline (a Stream's lowest layer, or a bare socket).
  Deadline(const asio::any_io_executor& executor, asio::ip::tcp::socket& socket);
  ~Deadline();
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  void expires_after(clock::duration d);
  void expires_at(clock::time_point t);
  void expires_never();
  bool timed_out() const;
  void clear_timed_out();

  struct Watch;  // shared with the timer's handler (deadline.cpp)

 private:
  std::shared_ptr<Watch> watch_;
};

}  // namespace endhost::core
