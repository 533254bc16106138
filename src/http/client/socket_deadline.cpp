#include "http/client/socket_deadline.hpp"

namespace endhost::http {

// Shared with the timer handler, which may still be queued after the SocketDeadline is gone.
struct SocketDeadline::Watch {
  explicit Watch(asio::any_io_executor ex) : timer(std::move(ex)) {}
  asio::steady_timer timer;
  clock::time_point deadline = clock::time_point::max();
  asio::ip::tcp::socket* socket = nullptr;
  bool waiting = false;
  bool timed_out = false;
  bool alive = true;
};

namespace {

void arm(const std::shared_ptr<SocketDeadline::Watch>& w) {
  w->timer.expires_at(w->deadline);
  w->waiting = true;
  w->timer.async_wait([w](const boost::system::error_code&) {
    w->waiting = false;
    if (!w->alive || w->deadline == SocketDeadline::clock::time_point::max()) return;
    if (w->deadline <= SocketDeadline::clock::now()) {
      w->timed_out = true;
      w->deadline = SocketDeadline::clock::time_point::max();
      boost::system::error_code ignored;
      w->socket->cancel(ignored);
      return;
    }
    arm(w);  // the deadline moved later while the timer slept
  });
}

}  // namespace

SocketDeadline::SocketDeadline(asio::any_io_executor executor, asio::ip::tcp::socket& socket)
    : watch_(std::make_shared<Watch>(std::move(executor))) {
  watch_->socket = &socket;
}

SocketDeadline::~SocketDeadline() {
  watch_->alive = false;
  watch_->socket = nullptr;
  watch_->timer.cancel();
}

void SocketDeadline::expires_after(clock::duration d) {
  const auto deadline = clock::now() + d;
  Watch& w = *watch_;
  if (!w.waiting) {
    w.deadline = deadline;
    arm(watch_);
  } else if (deadline < w.timer.expiry()) {
    w.deadline = deadline;
    w.timer.cancel();  // the handler re-arms for the earlier deadline
  } else {
    w.deadline = deadline;
  }
}

void SocketDeadline::expires_never() {
  watch_->deadline = clock::time_point::max();
}

bool SocketDeadline::timed_out() const {
  return watch_->timed_out;
}

void SocketDeadline::clear_timed_out() {
  watch_->timed_out = false;
}

}  // namespace endhost::http
