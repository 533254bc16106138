#include "core/deadline.hpp"

namespace endhost::core {

// The timer's handler may still be queued after the Deadline is gone; `alive` tells it so.
struct Deadline::Watch {
  explicit Watch(const asio::any_io_executor& ex) : timer(ex) {}
  asio::steady_timer timer;
  clock::time_point deadline = clock::time_point::max();
  asio::ip::tcp::socket* socket = nullptr;
  bool waiting = false;
  bool timed_out = false;
  bool alive = true;
};

namespace {

void arm(const std::shared_ptr<Deadline::Watch>& w) {
  w->timer.expires_at(w->deadline);
  w->waiting = true;
  w->timer.async_wait([w](const boost::system::error_code&) {
    w->waiting = false;
    if (!w->alive || w->deadline == Deadline::clock::time_point::max()) return;
    if (w->deadline <= Deadline::clock::now()) {
      w->timed_out = true;
      w->deadline = Deadline::clock::time_point::max();
      boost::system::error_code ignored;
      w->socket->cancel(ignored);
      return;
    }
    arm(w);  // the deadline moved later while the timer slept
  });
}

}  // namespace

Deadline::Deadline(const asio::any_io_executor& executor, asio::ip::tcp::socket& socket)
    : watch_(std::make_shared<Watch>(executor)) {
  watch_->socket = &socket;
}

Deadline::~Deadline() {
  watch_->alive = false;
  watch_->socket = nullptr;
  watch_->timer.cancel();
}

void Deadline::expires_after(clock::duration d) {
  expires_at(clock::now() + d);
}

void Deadline::expires_at(clock::time_point deadline) {
  Watch& w = *watch_;
  if (!w.waiting) {
    w.deadline = deadline;
    arm(watch_);
  } else if (deadline < w.timer.expiry()) {
    w.deadline = deadline;
    w.timer.cancel();  // the handler re-arms for the earlier deadline
  } else {
    w.deadline = deadline;  // lazily: the handler sleeps again when it wakes early
  }
}

void Deadline::expires_never() {
  watch_->deadline = clock::time_point::max();
}

bool Deadline::timed_out() const {
  return watch_->timed_out;
}

void Deadline::clear_timed_out() {
  watch_->timed_out = false;
}

}  // namespace endhost::core
