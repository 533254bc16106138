#include "http/client/connection_pool.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <map>

#include "core/connection.hpp"
#include "core/dialer.hpp"

namespace endhost::http {

std::string_view to_string(ClientErrc code) noexcept {
  switch (code) {
    case ClientErrc::dns:
      return "dns";
    case ClientErrc::connect:
      return "connect";
    case ClientErrc::timeout:
      return "timeout";
    case ClientErrc::send:
      return "send";
    case ClientErrc::protocol:
      return "protocol";
    case ClientErrc::closed:
      return "closed";
    case ClientErrc::tls:
      return "tls";
    case ClientErrc::certificate:
      return "certificate";
    case ClientErrc::refused:
      return "refused";
  }
  return "error";
}

UpstreamConnection::UpstreamConnection(asio::ip::tcp::socket socket, std::string key, std::size_t max_buffer)
    : stream_(std::move(socket)),
      key_(std::move(key)),
      buffer_(max_buffer),
      deadline_(stream_.get_executor(), stream_.lowest_layer()) {
  boost::system::error_code ec;
  peer_ = core::endpoint_text(stream_.lowest_layer().remote_endpoint(ec));
}

UpstreamConnection::~UpstreamConnection() = default;

std::string pool_key(const std::string& host, std::uint16_t port, const TlsTarget* tls) {
  // The scheme is part of the key, so a TLS connection is never lent for plain HTTP nor the reverse; a
  // tunnel is keyed by its origin and the proxy it goes through.
  if (!tls) return host + ":" + std::to_string(port);
  std::string key = "https://" + tls->host + ":" + std::to_string(tls->port);
  if (tls->tunnel) key += " via " + host + ":" + std::to_string(port);
  return key;
}

ConnectionPool::ConnectionPool(asio::any_io_executor executor, PoolOptions options)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      alive_(std::make_shared<ConnectionPool*>(this)) {
  if (!options_.resolver) options_.resolver = std::make_shared<core::SystemNameResolver>();
}

ConnectionPool::~ConnectionPool() {
  alive_.reset();
  clear();
}

bool ConnectionPool::still_open(UpstreamConnection& c) {
  // A server closes idle connections when it likes (RFC 9112 §9.5); its FIN is already queued on our side
  // when that happened. A peek tells without blocking: 0 is the FIN, data is a server talking out of turn.
  char byte;
  const ssize_t n = ::recv(c.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && c.buffer().empty();
}

awaitable<Expected<ConnectionPool::Lease, ClientError>> ConnectionPool::acquire(const std::string& host,
                                                                                std::uint16_t port,
                                                                                bool fresh,
                                                                                const TlsTarget* tls) {
  core::assert_on_loop(executor_);
  std::string key = pool_key(host, port, tls);
  if (!fresh) {
    if (auto it = idle_.find(key); it != idle_.end()) {
      const auto now = std::chrono::steady_clock::now();
      std::unique_ptr<UpstreamConnection> found;
      while (!found && !it->second.empty()) {
        std::unique_ptr<UpstreamConnection> c = std::move(it->second.back());
        it->second.pop_back();
        --idle_total_;
        if (now - c->idle_since < options_.idle_timeout && still_open(*c)) found = std::move(c);
      }
      if (it->second.empty()) idle_.erase(it);
      if (found) {
        ++stats_.reused;
        co_return Lease{std::move(found), true};
      }
    }
  }
  auto opened = co_await open(host, port, std::move(key));
  if (!opened) co_return Unexpected(opened.error());
  if (tls) {
    auto secured = co_await secure(**opened, *tls);
    if (!secured) co_return Unexpected(secured.error());
  }
  co_return Lease{std::move(*opened), false};
}

awaitable<Expected<std::unique_ptr<UpstreamConnection>, ClientError>> ConnectionPool::open(
    const std::string& host, std::uint16_t port, std::string key) {
  // A --resolve pin for exactly this host:port replaces the resolver for this dial.
  std::optional<core::FixedNameResolver> pinned;
  if (const PinnedAddress* pin = find_pinned(options_.pinned, host, port))
    pinned.emplace(std::map<std::string, core::Addresses>{{pin->host, pin->addresses}});
  const core::Dialer dialer(pinned ? static_cast<const core::NameResolver&>(*pinned) : *options_.resolver,
                            core::DialOptions{options_.connect_timeout, options_.local_address, true,
                                              options_.filter.get(), options_.place});
  auto connected = co_await dialer.connect(host, port);
  if (!connected) {
    const core::DialError& e = connected.error();
    const ClientErrc code = e.code == core::DialErrc::timeout   ? ClientErrc::timeout
                            : e.code == core::DialErrc::connect ? ClientErrc::connect
                            : e.code == core::DialErrc::refused ? ClientErrc::refused
                                                                : ClientErrc::dns;
    co_return Unexpected(ClientError{code, e.message});
  }
  asio::ip::tcp::socket socket = std::move(*connected);
  ++stats_.opened;
  stats_.last_connected = std::chrono::steady_clock::now();
  co_return std::make_unique<UpstreamConnection>(std::move(socket), std::move(key), options_.max_buffer);
}

awaitable<Expected<void, ClientError>> ConnectionPool::secure(UpstreamConnection& c, const TlsTarget& tls) {
  if (!options_.tls)
    co_return Unexpected(ClientError{ClientErrc::tls, "https is not enabled for this client"});
  const std::string origin = (tls.host.find(':') != std::string::npos ? "[" + tls.host + "]" : tls.host) +
                             ":" + std::to_string(tls.port);
  // The connect timeout covers the CONNECT exchange and the handshake too: both are part of "connecting".
  c.deadline().clear_timed_out();
  c.deadline().expires_after(options_.connect_timeout);
  if (tls.tunnel) {
    // RFC 9110 §9.3.6: CONNECT with the origin's authority; any 2xx turns the connection into a tunnel,
    // and everything after the response head is the origin's bytes (TLS is end to end through it).
    const std::string request = "CONNECT " + origin + " HTTP/1.1\r\nHost: " + origin + "\r\n\r\n";
    auto [wec, written] = co_await asio::async_write(c.stream(), asio::buffer(request), use_nothrow);
    if (wec)
      co_return Unexpected(ClientError{c.deadline().timed_out() ? ClientErrc::timeout : ClientErrc::send,
                                       "sending CONNECT to the proxy " + c.peer() + ": " + wec.message()});
    std::size_t end = std::string_view::npos;
    while ((end = c.buffer().readable().find("\r\n\r\n")) == std::string_view::npos) {
      auto space = c.buffer().read_space();
      if (!space)
        co_return Unexpected(ClientError{ClientErrc::protocol, "the proxy's answer to CONNECT is too large"});
      auto [ec, n] =
          co_await c.stream().async_read_some(asio::buffer(space->data(), space->size()), use_nothrow);
      if (ec) {
        if (c.deadline().timed_out())
          co_return Unexpected(
              ClientError{ClientErrc::timeout, "CONNECT through " + c.peer() + ": timed out"});
        co_return Unexpected(ClientError{ClientErrc::connect,
                                         "the proxy " + c.peer() + " closed the connection after CONNECT"});
      }
      c.buffer().commit(n);
    }
    const std::string_view head = c.buffer().readable().substr(0, end);
    const std::string_view line = head.substr(0, head.find("\r\n"));
    // "HTTP/1.1 200 Connection established"
    if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || line[8] != ' ' || line[9] != '2')
      co_return Unexpected(ClientError{ClientErrc::connect, "the proxy " + c.peer() + " refused CONNECT " +
                                                                origin + ": " + std::string(line)});
    c.buffer().consume(end + 4);
    // The origin speaks only after our ClientHello, so bytes here are the proxy's, not the tunnel's.
    if (!c.buffer().empty())
      co_return Unexpected(
          ClientError{ClientErrc::protocol, "the proxy " + c.peer() + " sent data after its CONNECT answer"});
  }
  static const std::string kH2Alpn[] = {"h2", "http/1.1"};
  const std::span<const std::string> alpn =
      tls.offer_h2 ? std::span<const std::string>(kH2Alpn) : std::span<const std::string>();
  auto secured = co_await core::tls_client_handshake(c.stream(), *options_.tls, tls.host, alpn);
  if (!secured) {
    ClientError e{
        secured.error().code == core::TlsClientErrc::certificate ? ClientErrc::certificate : ClientErrc::tls,
        secured.error().message};
    if (c.deadline().timed_out())
      e = ClientError{ClientErrc::timeout, "TLS handshake with " + origin + ": timed out"};
    co_return Unexpected(std::move(e));
  }
  c.deadline().expires_never();
  co_return Expected<void, ClientError>{};
}

void ConnectionPool::release(std::unique_ptr<UpstreamConnection> c) {
  core::assert_on_loop(executor_);
  // No per-host entry is ever left empty: close_oldest() and arm_reaper() look at each entry's front().
  if (!c || !c->socket().is_open() || options_.max_idle_per_host == 0 || options_.max_idle_total == 0) return;
  c->deadline().expires_never();
  c->idle_since = std::chrono::steady_clock::now();
  auto& idle = idle_[c->key()];
  idle.push_back(std::move(c));
  ++idle_total_;
  while (idle.size() > options_.max_idle_per_host) {
    idle.pop_front();
    --idle_total_;
  }
  while (idle_total_ > options_.max_idle_total) close_oldest();
  arm_reaper();
}

void ConnectionPool::close_oldest() {
  auto oldest = idle_.end();
  for (auto it = idle_.begin(); it != idle_.end(); ++it)
    if (oldest == idle_.end() || it->second.front()->idle_since < oldest->second.front()->idle_since)
      oldest = it;
  if (oldest == idle_.end()) return;
  oldest->second.pop_front();
  --idle_total_;
  if (oldest->second.empty()) idle_.erase(oldest);
}

void ConnectionPool::reap(std::chrono::steady_clock::time_point now) {
  core::assert_on_loop(executor_);
  for (auto it = idle_.begin(); it != idle_.end();) {
    auto& idle = it->second;
    const auto before = idle.size();
    std::erase_if(idle, [&](const std::unique_ptr<UpstreamConnection>& c) {
      return now - c->idle_since >= options_.idle_timeout || !still_open(*c);
    });
    idle_total_ -= before - idle.size();
    it = idle.empty() ? idle_.erase(it) : std::next(it);
  }
}

void ConnectionPool::arm_reaper() {
  if (reaper_armed_ || idle_total_ == 0) return;
  auto oldest = std::chrono::steady_clock::time_point::max();
  for (const auto& [key, idle] : idle_) oldest = std::min(oldest, idle.front()->idle_since);
  if (!reaper_) reaper_.emplace(executor_);
  reaper_->expires_at(oldest + options_.idle_timeout);
  reaper_armed_ = true;
  reaper_->async_wait([alive = std::weak_ptr<ConnectionPool*>(alive_)](boost::system::error_code ec) {
    const auto self = alive.lock();
    if (!self || ec == asio::error::operation_aborted) return;  // destroyed, or cleared
    ConnectionPool& pool = **self;
    pool.reaper_armed_ = false;
    pool.reap(std::chrono::steady_clock::now());
    pool.arm_reaper();
  });
}

void ConnectionPool::clear() {
  idle_.clear();
  idle_total_ = 0;
  reaper_.reset();  // cancels a pending wait: its handler sees operation_aborted
  reaper_armed_ = false;
}

}  // namespace endhost::http
