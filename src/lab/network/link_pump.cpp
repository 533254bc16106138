#include "lab/network/link_pump.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace endhost::lab {

namespace {

using Clock = std::chrono::steady_clock;

// The emulator keeps time as it is given (netem/time.hpp); the pump gives it the steady clock.
netem::TimePoint to_netem(Clock::time_point t) {
  return netem::from_steady(t);
}
Clock::time_point from_netem(netem::TimePoint t) {
  return netem::to_steady(t);
}

}  // namespace

struct LinkPump::Port {
  Port(asio::io_context& io, int dup_fd, netem::NodeId n, std::string h)
      : descriptor(io, dup_fd), node(n), host(std::move(h)) {}
  asio::posix::stream_descriptor descriptor;  // owns the duplicate
  netem::NodeId node;
  std::string host;
};

LinkPump::LinkPump(core::EventLoop& loop, core::Logger& log, netem::Emulator emulator,
                   std::vector<PumpPort> ports)
    : loop_(loop), log_(log), emulator_(std::move(emulator)), given_(std::move(ports)), timer_(loop.io()) {}

LinkPump::~LinkPump() = default;

Expected<void, std::string> LinkPump::bind(core::Binder&) {
  for (const PumpPort& p : given_) {
    const int fd = ::fcntl(p.fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
      return Unexpected("the links: cannot duplicate the TUN device of " + p.host + ": " +
                        std::strerror(errno));
    // Shared with the TUN device's own descriptor (one open file): the pump is its only reader and writer.
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
      const int e = errno;
      ::close(fd);
      return Unexpected("the links: cannot make the TUN device of " + p.host +
                        " non-blocking: " + std::strerror(e));
    }
    ports_.push_back(std::make_unique<Port>(loop_.io(), fd, p.node, p.host));
    const std::size_t index = static_cast<std::size_t>(p.node.value());
    if (fd_of_node_.size() <= index) fd_of_node_.resize(index + 1, -1);
    fd_of_node_[index] = fd;
  }
  return {};
}

void LinkPump::start() {
  asio::post(loop_.io(), [this] {
    for (std::size_t i = 0; i < ports_.size(); ++i) asio::co_spawn(loop_.io(), read_loop(i), asio::detached);
    asio::co_spawn(loop_.io(), release_loop(), asio::detached);
  });
}

void LinkPump::stopped() {
  *stopping_ = true;
  boost::system::error_code ignored;
  timer_.cancel();
  for (auto& p : ports_) p->descriptor.cancel(ignored);
}

std::size_t LinkPump::read_batch(Port& port, Clock::time_point now) {
  const int fd = port.descriptor.native_handle();
  std::size_t n = 0;
  while (n < kBatch) {
    const ssize_t got = ::read(fd, buffer_.data(), buffer_.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        read_errors_.fetch_add(1, std::memory_order_relaxed);
        log_.warn("links: cannot read a TUN device", {{"host", port.host}, {"error", std::strerror(errno)}});
      }
      break;
    }
    if (got == 0) break;
    ++n;
    read_packets_.fetch_add(1, std::memory_order_relaxed);
    read_bytes_.fetch_add(static_cast<std::uint64_t>(got), std::memory_order_relaxed);
    const std::span<const std::uint8_t> packet(buffer_.data(), static_cast<std::size_t>(got));
    // A closed port's segments never reach the links: their sender gets the RST at once, as from its peer.
    if (blocked_.intercept(packet, reset_)) {
      refused_.fetch_add(1, std::memory_order_relaxed);
      if (!reset_.empty()) deliver(port.node, reset_);
      reset_.clear();
      continue;
    }
    emulator_.submit(port.node, packet, to_netem(now));
  }
  if (n == kBatch) full_batches_.fetch_add(1, std::memory_order_relaxed);
  return n;
}

awaitable<void> LinkPump::read_loop(std::size_t index) {
  Port& port = *ports_[index];
  const auto stopping = stopping_;
  bool drained = true;
  while (!*stopping) {
    // Readiness is edge-triggered: wait only once a read found the device empty (EAGAIN).
    if (drained) {
      auto [ec] = co_await port.descriptor.async_wait(asio::posix::descriptor_base::wait_read, use_nothrow);
      if (ec || *stopping) co_return;
      wakeups_.fetch_add(1, std::memory_order_relaxed);
    }
    const auto now = Clock::now();
    drained = read_batch(port, now) < kBatch;
    // A packet on a link without delay is due at once; the others set the timer.
    release_due(now);
    reschedule();
    // After a full batch the other ports get their turn before this one is read again.
    if (!drained) co_await asio::post(loop_.io(), asio::use_awaitable);
  }
}

void LinkPump::deliver(netem::NodeId to, std::span<const std::uint8_t> packet) {
  const std::size_t index = static_cast<std::size_t>(to.value());
  const int fd = index < fd_of_node_.size() ? fd_of_node_[index] : -1;
  if (fd < 0) {
    write_errors_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  for (;;) {
    const ssize_t put = ::write(fd, packet.data(), packet.size());
    if (put >= 0) break;
    if (errno == EINTR) continue;
    // A TUN write hands the packet to the namespace's stack at once; one refused (no buffer) is a drop on
    // the receiving host, which TCP recovers from as from any loss.
    write_errors_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  written_packets_.fetch_add(1, std::memory_order_relaxed);
  written_bytes_.fetch_add(packet.size(), std::memory_order_relaxed);
}

void LinkPump::release_due(Clock::time_point now) {
  emulator_.release(to_netem(now),
                    [this](netem::NodeId to, std::span<const std::uint8_t> packet) { deliver(to, packet); });
}

void LinkPump::block_port(std::uint32_t address, std::uint16_t port, bool blocked) {
  core::assert_on_loop(loop_);
  blocked_.set(address, port, blocked);
}

void LinkPump::reschedule() {
  const auto next = emulator_.next_event();
  const Clock::time_point at = next ? from_netem(*next) : Clock::time_point::max();
  // Only an earlier event moves the timer (which cancels its wait); release_loop re-arms after each firing.
  if (at < armed_) {
    armed_ = at;
    timer_.expires_at(at);
  }
}

awaitable<void> LinkPump::release_loop() {
  const auto stopping = stopping_;
  timer_.expires_at(Clock::time_point::max());
  while (!*stopping) {
    auto [ec] = co_await timer_.async_wait(use_nothrow);
    if (*stopping) co_return;
    if (ec && ec != asio::error::operation_aborted) co_return;
    const auto now = Clock::now();
    if (armed_ > now) continue;  // moved earlier (its wait cancelled), not yet due: wait again
    armed_ = Clock::time_point::max();
    release_due(now);
    timer_.expires_at(Clock::time_point::max());
    reschedule();
  }
}

std::vector<core::NamedCount> LinkPump::counters() const {
  const Counts c = counts();
  return {{"packets in", c.read_packets},
          {"packets out", c.written_packets},
          {"bytes in", c.read_bytes},
          {"bytes out", c.written_bytes}};
}

LinkPump::Counts LinkPump::counts() const {
  Counts c;
  c.read_packets = read_packets_.load(std::memory_order_relaxed);
  c.read_bytes = read_bytes_.load(std::memory_order_relaxed);
  c.written_packets = written_packets_.load(std::memory_order_relaxed);
  c.written_bytes = written_bytes_.load(std::memory_order_relaxed);
  c.wakeups = wakeups_.load(std::memory_order_relaxed);
  c.full_batches = full_batches_.load(std::memory_order_relaxed);
  c.write_errors = write_errors_.load(std::memory_order_relaxed);
  c.read_errors = read_errors_.load(std::memory_order_relaxed);
  c.refused = refused_.load(std::memory_order_relaxed);
  return c;
}

}  // namespace endhost::lab
