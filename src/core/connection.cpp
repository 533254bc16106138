#include "core/connection.hpp"

namespace endhost::core {

// The watchdog's state is shared with its timer handler, which may still be queued after the Connection is
// gone; `alive` tells it so. Everything here runs on the connection's loop thread.
struct Connection::Watch {
  explicit Watch(asio::io_context& io) : timer(io) {}
  asio::steady_timer timer;
  clock::time_point deadline = clock::time_point::max();
  asio::ip::tcp::socket* socket = nullptr;
  bool waiting = false;
  bool timed_out = false;
  bool alive = true;
};

namespace {

void arm(const std::shared_ptr<Connection::Watch>& w) {
  w->timer.expires_at(w->deadline);
  w->waiting = true;
  w->timer.async_wait([w](const boost::system::error_code&) {
    w->waiting = false;
    if (!w->alive || w->deadline == Connection::clock::time_point::max()) return;
    if (w->deadline <= Connection::clock::now()) {
      w->timed_out = true;
      w->deadline = Connection::clock::time_point::max();
      boost::system::error_code ignored;
      w->socket->cancel(ignored);
      return;
    }
    arm(w);  // the deadline moved later while we slept
  });
}

}  // namespace

std::string endpoint_text(const asio::ip::tcp::endpoint& ep) {
  auto a = ep.address();
  if (a.is_v6()) return "[" + a.to_string() + "]:" + std::to_string(ep.port());
  return a.to_string() + ":" + std::to_string(ep.port());
}

std::string endpoint_text(const asio::ip::udp::endpoint& ep) {
  auto a = ep.address();
  if (a.is_v6()) return "[" + a.to_string() + "]:" + std::to_string(ep.port());
  return a.to_string() + ":" + std::to_string(ep.port());
}

Connection::Connection(asio::ip::tcp::socket socket, EventLoop& loop)
    : socket_(std::move(socket)), loop_(loop), watch_(std::make_shared<Watch>(loop.io())) {
  boost::system::error_code ec;
  remote_ = socket_.remote_endpoint(ec);
  local_ = socket_.local_endpoint(ec);
  peer_ = endpoint_text(remote_);
  watch_->socket = &socket_;
}

Connection::~Connection() {
  watch_->alive = false;
  watch_->socket = nullptr;
  watch_->timer.cancel();
}

void Connection::expires_after(clock::duration d) {
  auto deadline = clock::now() + d;
  auto& w = *watch_;
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

void Connection::expires_never() {
  watch_->deadline = clock::time_point::max();
}

bool Connection::timed_out() const {
  return watch_->timed_out;
}

void Connection::clear_timed_out() {
  watch_->timed_out = false;
}

bool Connection::begin_idle() {
  if (draining_) return false;
  idle_ = true;
  return true;
}

void Connection::start_drain() {
  draining_ = true;
  if (idle_) {
    boost::system::error_code ignored;
    socket_.cancel(ignored);
  }
}

}  // namespace endhost::core
