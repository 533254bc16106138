#include "core/socket_maker.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "core/net_namespace.hpp"

namespace endhost::core {

Expected<std::unique_ptr<SocketMaker>, std::string> SocketMaker::start(const NetNamespace& ns) {
  std::unique_ptr<SocketMaker> maker(new SocketMaker());
  SocketMaker* m = maker.get();
  const int ns_fd = ns.fd();
  try {
    m->thread_ = std::thread([m, ns_fd] { m->run(ns_fd); });
  } catch (const std::system_error& e) {
    return Unexpected("cannot start the socket thread of network namespace " + ns.name() + ": " + e.what());
  }
  std::unique_lock lock(m->mu_);
  m->cv_.wait(lock, [m] { return m->started_; });
  if (m->start_error_ != 0) {
    const int error = m->start_error_;
    lock.unlock();
    m->thread_.join();  // run() returned already
    return Unexpected("cannot enter network namespace " + ns.name() + ": " + std::strerror(error));
  }
  // The name shows in `top -H` and in a debugger: which host's sockets this thread makes.
  const std::string name = ("ns-" + ns.name()).substr(0, 15);
  ::pthread_setname_np(m->thread_.native_handle(), name.c_str());
  return maker;
}

SocketMaker::~SocketMaker() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SocketMaker::run(int ns_fd) {
  std::unique_lock lock(mu_);
  if (::setns(ns_fd, CLONE_NEWNET) != 0) start_error_ = errno;
  started_ = true;
  cv_.notify_all();
  if (start_error_ != 0) return;
  for (;;) {
    cv_.wait(lock, [this] { return pending_ || stop_; });
    if (stop_) return;
    fd_ = ::socket(domain_, type_, protocol_);
    error_ = fd_ < 0 ? errno : 0;
    pending_ = false;
    cv_.notify_all();
  }
}

int SocketMaker::make(int domain, int type, int protocol) {
  std::lock_guard one(call_);
  std::unique_lock lock(mu_);
  domain_ = domain;
  type_ = type;
  protocol_ = protocol;
  pending_ = true;
  cv_.notify_all();
  cv_.wait(lock, [this] { return !pending_; });
  errno = error_;
  return fd_;
}

}  // namespace endhost::core
