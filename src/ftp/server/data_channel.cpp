#include "ftp/server/data_channel.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "core/deadline.hpp"
#include "core/dialer.hpp"
#include "core/tls_server_context.hpp"

namespace endhost::ftp::server {

namespace {
const std::vector<std::string> kAlpn = {"ftp"};  // RFC 7301's registered id for FTP
}

asio::ip::address unmapped(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return a;
}

Expected<std::uint16_t, std::string> DataChannel::open_passive(const asio::ip::address& local,
                                                               PassivePorts& ports) {
  reset();
  auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(executor_);
  const asio::ip::tcp::endpoint any(local, 0);
  boost::system::error_code ec;
  core::open_socket(*acceptor, any.protocol(), ec, place_);
  if (ec) return Unexpected("cannot open a passive socket: " + ec.message());
  // No SO_REUSEADDR: two sessions must never share a passive port.
  const std::uint32_t n = ports.count();
  std::uint16_t port = ports.start();
  for (std::uint32_t i = 0; i < n; ++i) {
    acceptor->bind(asio::ip::tcp::endpoint(local, port), ec);
    if (!ec) break;
    if (ec != asio::error::address_in_use) return Unexpected("cannot bind a passive port: " + ec.message());
    port = port == ports.high() ? ports.low() : static_cast<std::uint16_t>(port + 1);
  }
  if (ec) return Unexpected(std::string("every port of --pasv-ports is in use"));
  acceptor->listen(4, ec);
  if (ec) return Unexpected("cannot listen on a passive port: " + ec.message());
  acceptor_ = std::move(acceptor);
  return port;
}

void DataChannel::set_active(asio::ip::tcp::endpoint target, asio::ip::address local) {
  reset();
  active_ = target;
  active_local_ = local;
}

void DataChannel::reset() {
  if (acceptor_) {
    boost::system::error_code ignored;
    acceptor_->close(ignored);
  }
  // An accept in progress (connect()) owns the acceptor until it returns: closing it makes it return.
  if (!accepting_) acceptor_.reset();
  active_.reset();
}

awaitable<Expected<std::unique_ptr<core::Stream>, std::string>> DataChannel::connect(DataTimeouts timeouts) {
  using namespace asio::experimental::awaitable_operators;
  if (active_) {
    core::DialOptions options;
    options.timeout = timeouts.connect;
    options.place = place_;
    if (unmapped(active_local_).is_v4() == unmapped(active_->address()).is_v4())
      options.local_address = unmapped(active_local_);
    const core::Dialer dialer(options);
    const asio::ip::tcp::endpoint to(unmapped(active_->address()), active_->port());
    active_.reset();
    auto dialled = co_await dialer.dial(to);
    if (!dialled) co_return Unexpected(dialled.error().message);
    co_return std::move(*dialled);
  }
  if (!acceptor_ || !acceptor_->is_open()) co_return Unexpected(std::string("no data connection was set up"));
  struct Accepting {
    DataChannel& channel;
    explicit Accepting(DataChannel& c) : channel(c) { channel.accepting_ = true; }
    ~Accepting() {
      channel.accepting_ = false;
      channel.acceptor_.reset();  // one connection per transfer: the listener is spent
    }
  } accepting(*this);
  asio::ip::tcp::acceptor* acceptor = acceptor_.get();
  const auto until = std::chrono::steady_clock::now() + timeouts.connect;
  const asio::ip::address peer = unmapped(peer_);
  for (;;) {
    asio::steady_timer timer(executor_, until);
    auto got = co_await (acceptor->async_accept(use_nothrow) || timer.async_wait(use_nothrow));
    if (got.index() == 1) co_return Unexpected(std::string("no data connection within the connect timeout"));
    auto [ec, socket] = std::move(std::get<0>(got));
    if (ec) co_return Unexpected("accepting the data connection failed: " + ec.message());
    boost::system::error_code pec;
    const auto from = socket.remote_endpoint(pec);
    if (pec || unmapped(from.address()) != peer) {
      ++hijacks_;  // RFC 2577 §4: only the client that asked may connect
      socket.close(pec);
      continue;
    }
    socket.set_option(asio::ip::tcp::no_delay(true), pec);
    co_return std::make_unique<core::Stream>(std::move(socket));
  }
}

awaitable<Expected<void, std::string>> secure_data(core::Stream& stream, const core::TlsServerContext& tls,
                                                   std::chrono::milliseconds timeout) {
  auto begun = stream.begin_tls_server(tls, &kAlpn);
  if (!begun) co_return Unexpected(begun.error());
  core::Deadline deadline(stream.get_executor(), stream.lowest_layer());
  deadline.expires_after(timeout);
  auto [ec] = co_await stream.async_handshake(use_nothrow);
  if (ec) co_return Unexpected("TLS on the data connection failed: " + core::Stream::error_text(ec));
  co_return Expected<void, std::string>{};
}

}  // namespace endhost::ftp::server
