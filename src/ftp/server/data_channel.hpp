// The data connection of one FTP session (RFC 959 §3.2, §3.3): a passive listener on a port from
// --pasv-ports that accepts only the control connection's peer (a connection from any other address is
// closed and counted: data-connection hijacking, RFC 2577 §4 / vsftpd's pasv_promiscuous=NO), or an active
// target to dial (PORT/EPRT, which the codec already checked against the peer: the bounce attack). One data
// connection per transfer: connect() hands it out and the setup is spent. PROT P puts TLS on it as the
// server side of the handshake (RFC 4217 §9), with the session's TLS context.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/asio.hpp"
#include "core/expected.hpp"
#include "core/socket_place.hpp"
#include "core/stream.hpp"

namespace endhost::core {
class TlsServerContext;
}

namespace endhost::ftp::server {

// The ports PASV may use, shared by every session and loop: each listener starts at the next port after the
// last one given out, so consecutive sessions do not race for the same one.
class PassivePorts {
 public:
  PassivePorts(std::uint16_t low, std::uint16_t high) : low_(low), high_(high), next_(0) {}
  std::uint16_t low() const { return low_; }
  std::uint16_t high() const { return high_; }
  std::uint32_t count() const { return static_cast<std::uint32_t>(high_ - low_) + 1; }
  // The port to try first.
  std::uint16_t start() { return static_cast<std::uint16_t>(low_ + next_.fetch_add(1) % count()); }

 private:
  std::uint16_t low_, high_;
  std::atomic<std::uint32_t> next_;
};

struct DataTimeouts {
  std::chrono::milliseconds connect{60'000};
};

class DataChannel {
 public:
  // `peer`: the control connection's peer address, the only one a passive connection may come from.
  // `place`: where the data sockets are made (the lab host's namespace, as the control connection's).
  DataChannel(asio::any_io_executor executor, asio::ip::address peer, core::SocketPlace place = {})
      : executor_(std::move(executor)), peer_(peer), place_(std::move(place)) {}

  // PASV/EPSV: listens on `local` (the control connection's local address) at a port of `ports`; returns
  // it. An earlier setup is dropped.
  Expected<std::uint16_t, std::string> open_passive(const asio::ip::address& local, PassivePorts& ports);
  // PORT/EPRT: connect to `target` at the next transfer, from `local` (the control connection's address).
  void set_active(asio::ip::tcp::endpoint target, asio::ip::address local);
  void reset();
  bool ready() const { return acceptor_ != nullptr || active_.has_value(); }

  // The transfer's connection: accepted from the peer within `connect`, or dialled. The setup is spent
  // either way (one connection per transfer).
  awaitable<Expected<std::unique_ptr<core::Stream>, std::string>> connect(DataTimeouts timeouts);

  // Connections from another address closed since the channel was made.
  std::uint64_t hijack_attempts() const { return hijacks_; }

 private:
  asio::any_io_executor executor_;
  asio::ip::address peer_;
  core::SocketPlace place_;
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor_;
  std::optional<asio::ip::tcp::endpoint> active_;
  asio::ip::address active_local_;
  bool accepting_ = false;
  std::uint64_t hijacks_ = 0;
};

// The server side of the data connection's TLS handshake (PROT P), within `timeout`.
awaitable<Expected<void, std::string>> secure_data(core::Stream& stream, const core::TlsServerContext& tls,
                                                   std::chrono::milliseconds timeout);

// An IPv4-mapped address (::ffff:a.b.c.d) as the IPv4 address it is, so a v4 client on a dual-stack
// listener compares equal to itself.
asio::ip::address unmapped(const asio::ip::address& a);

}  // namespace endhost::ftp::server
