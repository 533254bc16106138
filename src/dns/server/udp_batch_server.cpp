#include "dns/server/udp_batch_server.hpp"

#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/connection.hpp"
#include "core/net_error.hpp"
#include "core/udp_bind.hpp"

namespace endhost::dns::server {

struct UdpBatchServer::Socket {
  Socket(core::EventLoop& l, asio::ip::udp::socket s) : loop(l), socket(std::move(s)) {}
  core::EventLoop& loop;
  asio::ip::udp::socket socket;
  bool stopping = false;  // this loop's thread only
};

// The batch's message headers and buffers, reused for every batch on one loop: nothing is allocated per
// datagram. Sockets bound on the same loop share them, since a batch is served without suspending.
struct UdpBatchServer::LoopBuffers {
  LoopBuffers(std::size_t batch, std::size_t max_query, std::size_t max_response)
      : in(batch * max_query),
        out(batch * max_response),
        in_iov(batch),
        out_iov(batch),
        addrs(batch),
        in_msgs(batch),
        out_msgs(batch) {}
  std::vector<std::uint8_t> in;
  std::vector<std::uint8_t> out;
  std::vector<iovec> in_iov, out_iov;
  std::vector<sockaddr_storage> addrs;
  std::vector<mmsghdr> in_msgs, out_msgs;
};

UdpBatchServer::UdpBatchServer(core::EventLoops& loops, core::Logger& log, UdpBatchOptions options,
                               Answer answer)
    : loops_(loops), log_(log), options_(std::move(options)), answer_(std::move(answer)) {
  for (std::size_t i = 0; i < loops_.size(); ++i) {
    buffers_.push_back(
        std::make_unique<LoopBuffers>(options_.batch, options_.max_query, options_.max_response));
  }
}

UdpBatchServer::~UdpBatchServer() = default;

Expected<void, std::string> UdpBatchServer::listen(const asio::ip::udp::endpoint& endpoint,
                                                   const core::SocketPlace& place) {
  // Room for bursts both ways: a load generator sends hundreds of queries before reading an answer.
  auto per_loop = core::bind_udp_per_loop(loops_, endpoint,
                                          core::UdpBindOptions{4 << 20, 4 << 20, options_.reuseport, place});
  if (!per_loop) return Unexpected(per_loop.error());
  for (std::size_t i = 0; i < per_loop->sockets.size(); ++i)
    sockets_.push_back(std::make_unique<Socket>(loops_[i], std::move(per_loop->sockets[i])));
  bound_.push_back(per_loop->endpoint);
  return {};
}

std::vector<asio::ip::udp::endpoint> UdpBatchServer::local_endpoints() const {
  return bound_;
}

void UdpBatchServer::start() {
  for (auto& s : sockets_) asio::co_spawn(s->loop.io(), serve(*s), asio::detached);
}

int UdpBatchServer::serve_batch(Socket& s) {
  const std::size_t loop = s.loop.index();
  LoopBuffers& b = *buffers_[loop];
  const std::size_t n_max = options_.batch;
  for (std::size_t i = 0; i < n_max; ++i) {
    b.in_iov[i] = {b.in.data() + i * options_.max_query, options_.max_query};
    msghdr& h = b.in_msgs[i].msg_hdr;
    h = msghdr{};
    h.msg_name = &b.addrs[i];
    h.msg_namelen = sizeof(sockaddr_storage);
    h.msg_iov = &b.in_iov[i];
    h.msg_iovlen = 1;
  }
  int fd = s.socket.native_handle();
  int n;
  do {
    n = ::recvmmsg(fd, b.in_msgs.data(), static_cast<unsigned>(n_max), MSG_DONTWAIT, nullptr);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    // An ICMP error queued by an earlier send (the client went away) is reported here, ahead of any
    // datagrams still queued: not fatal, and the socket must be read again before waiting.
    if (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH)
      return static_cast<int>(n_max);
    return -1;
  }
  unsigned out_count = 0;
  asio::ip::udp::endpoint from;
  for (int i = 0; i < n; ++i) {
    const msghdr& h = b.in_msgs[i].msg_hdr;
    if (h.msg_flags & MSG_TRUNC) continue;  // longer than any query we accept
    std::memcpy(from.data(), &b.addrs[i], h.msg_namelen);
    from.resize(h.msg_namelen);
    std::span<std::uint8_t> out(b.out.data() + out_count * options_.max_response, options_.max_response);
    std::size_t size = answer_(loop, {b.in.data() + i * options_.max_query, b.in_msgs[i].msg_len}, from, out);
    if (size == 0) continue;
    b.out_iov[out_count] = {out.data(), size};
    msghdr& o = b.out_msgs[out_count].msg_hdr;
    o = msghdr{};
    o.msg_name = &b.addrs[i];
    o.msg_namelen = h.msg_namelen;
    o.msg_iov = &b.out_iov[out_count];
    o.msg_iovlen = 1;
    ++out_count;
  }
  for (unsigned sent = 0; sent < out_count;) {
    int m = ::sendmmsg(fd, b.out_msgs.data() + sent, out_count - sent, MSG_DONTWAIT);
    if (m < 0) {
      if (errno == EINTR) continue;
      // A full send buffer drops the rest of the batch, as UDP may; an error on one message skips it.
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      ++sent;
      continue;
    }
    sent += static_cast<unsigned>(m);
  }
  return n;
}

awaitable<void> UdpBatchServer::serve(Socket& s) {
  auto ex = co_await asio::this_coro::executor;
  std::size_t turns = 0;
  while (!s.stopping && s.socket.is_open()) {
    int n = serve_batch(s);
    if (n < 0) {
      int err = errno;
      if (err == EBADF || err == ENOTSOCK || !s.socket.is_open()) co_return;
      // Out of memory or buffers: back off instead of spinning on the error, then serve again.
      log_.warn("UDP receive failed", {{"service", options_.name}, {"error", std::strerror(err)}});
      asio::steady_timer pause(ex, std::chrono::milliseconds(100));
      co_await pause.async_wait(use_nothrow);
      continue;
    }
    if (static_cast<std::size_t>(n) < options_.batch) {
      // Drained (a short batch means the queue was empty): wait for the next datagram. Nothing that arrives
      // from now on is missed: the wait is registered on this thread before its reactor polls again.
      turns = 0;
      auto [ec] = co_await s.socket.async_wait(asio::socket_base::wait_read, use_nothrow);
      if (ec == asio::error::operation_aborted) co_return;
      continue;
    }
    if (++turns >= options_.batches_per_turn) {
      // Busy: let this loop's TCP sessions and timers run, then carry on reading without waiting.
      turns = 0;
      co_await asio::post(ex, asio::use_awaitable);
    }
  }
}

void UdpBatchServer::drain() {
  for (auto& sp : sockets_) {
    Socket* s = sp.get();
    asio::post(s->loop.io(), [s] {
      s->stopping = true;
      boost::system::error_code ignored;
      s->socket.cancel(ignored);
    });
  }
}

}  // namespace endhost::dns::server
