#include "dns/resolver/client_udp.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/connection.hpp"
#include "core/net_error.hpp"
#include "core/udp_bind.hpp"

namespace endhost::dns::resolver {

ClientUdp::ClientUdp(core::EventLoops& loops, core::Logger& log, std::size_t max_reply, Handler handler)
    : loops_(loops), log_(log), max_reply_(max_reply), handler_(std::move(handler)) {}

ClientUdp::~ClientUdp() = default;

Expected<void, std::string> ClientUdp::listen(const asio::ip::udp::endpoint& endpoint,
                                              const core::SocketPlace& place) {
  // Room for bursts both ways: a benchmark (or a busy network) sends thousands of queries at once, and the
  // answers to a batch leave together.
  auto per_loop =
      core::bind_udp_per_loop(loops_, endpoint, core::UdpBindOptions{4 << 20, 4 << 20, false, place});
  if (!per_loop) return Unexpected(per_loop.error());
  auto bound = std::make_unique<Bound>();
  bound->endpoint = per_loop->endpoint;
  for (std::size_t i = 0; i < per_loop->sockets.size(); ++i)
    bound->sockets.push_back(std::make_unique<ClientSocket>(loops_[i], std::move(per_loop->sockets[i])));
  bound_.push_back(std::move(bound));
  return {};
}

std::vector<asio::ip::udp::endpoint> ClientUdp::local_endpoints() const {
  std::vector<asio::ip::udp::endpoint> out;
  for (const auto& b : bound_) out.push_back(b->endpoint);
  return out;
}

void ClientUdp::start() {
  for (auto& b : bound_) {
    for (auto& s : b->sockets) asio::co_spawn(s->loop().io(), receive_loop(*s), asio::detached);
  }
}

awaitable<void> ClientUdp::receive_loop(ClientSocket& socket) {
  // Buffers live in this coroutine's frame on the heap, one set per loop and socket.
  std::vector<std::uint8_t> in(kBatch * kMaxQuery);
  std::vector<std::uint8_t> out(kBatch * max_reply_);
  std::array<mmsghdr, kBatch> rx{};
  std::array<iovec, kBatch> rx_iov{};
  std::array<asio::ip::udp::endpoint, kBatch> from{};
  std::array<mmsghdr, kBatch> tx{};
  std::array<iovec, kBatch> tx_iov{};
  for (std::size_t i = 0; i < kBatch; ++i) {
    rx_iov[i] = iovec{in.data() + i * kMaxQuery, kMaxQuery};
  }
  const int fd = socket.socket().native_handle();
  for (;;) {
    auto [ec] = co_await socket.socket().async_wait(asio::socket_base::wait_read, use_nothrow);
    if (ec) {
      if (ec == asio::error::operation_aborted || !socket.socket().is_open()) co_return;
      continue;
    }
    for (;;) {
      for (std::size_t i = 0; i < kBatch; ++i) {
        rx[i].msg_hdr = msghdr{};
        rx[i].msg_hdr.msg_name = from[i].data();
        rx[i].msg_hdr.msg_namelen = static_cast<socklen_t>(from[i].capacity());
        rx[i].msg_hdr.msg_iov = &rx_iov[i];
        rx[i].msg_hdr.msg_iovlen = 1;
      }
      int n = ::recvmmsg(fd, rx.data(), kBatch, MSG_DONTWAIT, nullptr);
      if (n <= 0) break;  // EAGAIN: drained; other errors (ICMP reports) are not fatal for a server
      unsigned replies = 0;
      for (int i = 0; i < n; ++i) {
        from[i].resize(rx[i].msg_hdr.msg_namelen);
        std::span<const std::uint8_t> data(in.data() + i * kMaxQuery, rx[i].msg_len);
        std::span<std::uint8_t> reply(out.data() + replies * max_reply_, max_reply_);
        std::size_t size = 0;
        try {
          size = handler_(socket, data, from[i], reply);
        } catch (const std::exception& e) {
          log_.debug("datagram handler failed", {{"service", "resolver"}, {"error", e.what()}});
        }
        if (size == 0) continue;
        tx_iov[replies] = iovec{reply.data(), size};
        tx[replies].msg_hdr = msghdr{};
        tx[replies].msg_hdr.msg_name = from[i].data();
        tx[replies].msg_hdr.msg_namelen = static_cast<socklen_t>(from[i].size());
        tx[replies].msg_hdr.msg_iov = &tx_iov[replies];
        tx[replies].msg_hdr.msg_iovlen = 1;
        ++replies;
      }
      for (unsigned sent = 0; sent < replies;) {
        int m = ::sendmmsg(fd, tx.data() + sent, replies - sent, MSG_DONTWAIT);
        if (m <= 0) break;  // a full send buffer drops the rest, as UDP may
        sent += static_cast<unsigned>(m);
      }
      if (static_cast<std::size_t>(n) < kBatch) break;
    }
  }
}

void ClientUdp::drain() {
  for (auto& b : bound_) {
    for (auto& s : b->sockets) {
      ClientSocket* sock = s.get();
      asio::post(sock->loop().io(), [sock] {
        boost::system::error_code ignored;
        sock->socket().cancel(ignored);
      });
    }
  }
}

}  // namespace endhost::dns::resolver
