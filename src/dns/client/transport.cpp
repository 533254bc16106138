#include "dns/client/transport.hpp"

#include "core/connection.hpp"
#include "core/dialer.hpp"
#include "core/timeout.hpp"
#include "dns/header.hpp"
#include "dns/wire_reader.hpp"

namespace endhost::dns::client {

namespace {

struct QuestionKey {
  bool present = false;
  Name name;
  std::uint16_t type = 0, klass = 0;
};

bool read_question(std::span<const std::uint8_t> m, QuestionKey& q) {
  Header h = decode_header(m);
  if (h.qdcount == 0) return true;
  WireReader r(m, kHeaderSize);
  auto n = r.name(q.name);
  auto t = n ? r.u16() : Result<std::uint16_t>(Unexpected(n.error()));
  auto c = t ? r.u16() : Result<std::uint16_t>(Unexpected(t.error()));
  if (!c) return false;
  q.present = true;
  q.type = *t;
  q.klass = *c;
  return true;
}

std::string ms_text(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

}  // namespace

bool response_matches(std::span<const std::uint8_t> query, std::span<const std::uint8_t> response) {
  if (query.size() < kHeaderSize || response.size() < kHeaderSize) return false;
  Header qh = decode_header(query), rh = decode_header(response);
  if (!rh.qr || rh.id != qh.id || rh.opcode != qh.opcode) return false;
  QuestionKey a, b;
  if (!read_question(query, a) || !read_question(response, b)) return false;
  // Some error responses (FORMERR from old servers) carry no question; match those by ID alone.
  if (!b.present) return rh.rcode != 0 || !a.present;
  return a.present && a.name == b.name && a.type == b.type && a.klass == b.klass;
}

awaitable<Expected<Bytes, std::string>> exchange_udp(asio::ip::udp::endpoint server, Bytes query,
                                                     UdpExchangeOptions options) {
  auto ex = co_await asio::this_coro::executor;
  asio::ip::udp::socket socket(ex);
  boost::system::error_code ec;
  core::open_socket(socket, server.protocol(), ec, options.place);
  // Port 0: the kernel picks a random ephemeral port, one more thing a spoofer must guess. Connecting makes
  // the kernel drop datagrams from any other source and report ICMP "port unreachable" to us.
  const bool from_source = options.source && options.source->is_v4() == server.address().is_v4();
  if (!ec)
    socket.bind(from_source ? asio::ip::udp::endpoint(*options.source, 0)
                            : asio::ip::udp::endpoint(server.protocol(), 0),
                ec);
  if (!ec) socket.connect(server, ec);
  if (ec)
    co_return Unexpected("cannot open a UDP socket to " + core::endpoint_text(server) + ": " + ec.message());
  Bytes buffer(options.max_response);
  std::string where = core::endpoint_text(server);
  for (int attempt = 0; attempt < options.tries; ++attempt) {
    socket.send(asio::buffer(query), 0, ec);
    if (ec == asio::error::connection_refused) {
      co_return Unexpected("nothing listens on " + where + " (ICMP port unreachable)");
    }
    if (ec) co_return Unexpected("cannot send to " + where + ": " + ec.message());
    auto deadline = std::chrono::steady_clock::now() + options.timeout;
    for (;;) {
      auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) break;
      auto got = co_await core::with_timeout(socket.async_receive(asio::buffer(buffer), use_nothrow), left);
      if (!got) break;
      auto [rec, n] = *got;
      if (rec == asio::error::connection_refused)
        co_return Unexpected("nothing listens on " + where + " (ICMP port unreachable)");
      if (rec) continue;
      std::span<const std::uint8_t> response(buffer.data(), n);
      if (!response_matches(query, response)) continue;
      co_return Bytes(response.begin(), response.end());
    }
  }
  co_return Unexpected("no answer from " + where + " after " + std::to_string(options.tries) +
                       (options.tries == 1 ? " try of " : " tries of ") + ms_text(options.timeout));
}

awaitable<Expected<void, std::string>> TcpChannel::connect(asio::ip::tcp::endpoint server,
                                                           std::chrono::milliseconds timeout,
                                                           std::optional<asio::ip::address> source,
                                                           core::SocketPlace place) {
  peer_ = core::endpoint_text(server);
  if (source && source->is_v4() != server.address().is_v4()) source.reset();
  // Servers are dialled by address.
  const core::Dialer dialer(core::DialOptions{timeout, source, true, nullptr, std::move(place)});
  auto connected = co_await dialer.dial(server);
  if (!connected) {
    if (connected.error().code == core::DialErrc::timeout)
      co_return Unexpected("connecting to " + peer_ + " timed out after " + ms_text(timeout));
    co_return Unexpected(connected.error().message);
  }
  stream_ = std::move(*connected);
  co_return Expected<void, std::string>();
}

awaitable<Expected<void, std::string>> TcpChannel::send(Bytes message, std::chrono::milliseconds timeout) {
  if (!stream_) co_return Unexpected(std::string("not connected"));
  if (message.size() > 65535) co_return Unexpected(std::string("message longer than 65535 octets"));
  std::array<std::uint8_t, 2> prefix{static_cast<std::uint8_t>(message.size() >> 8),
                                     static_cast<std::uint8_t>(message.size())};
  std::array<asio::const_buffer, 2> buffers{asio::buffer(prefix), asio::buffer(message)};
  auto done = co_await core::with_timeout(asio::async_write(*stream_, buffers, use_nothrow), timeout);
  if (!done) co_return Unexpected("sending to " + peer_ + " timed out");
  if (auto [ec, n] = *done; ec) co_return Unexpected("sending to " + peer_ + " failed: " + ec.message());
  co_return Expected<void, std::string>();
}

awaitable<Expected<Bytes, std::string>> TcpChannel::receive(std::chrono::milliseconds timeout) {
  if (!stream_) co_return Unexpected(std::string("not connected"));
  std::array<std::uint8_t, 2> prefix{};
  auto got =
      co_await core::with_timeout(asio::async_read(*stream_, asio::buffer(prefix), use_nothrow), timeout);
  if (!got) co_return Unexpected("no answer from " + peer_ + " within " + ms_text(timeout));
  if (auto [ec, n] = *got; ec) {
    co_return Unexpected(ec == asio::error::eof ? peer_ + " closed the connection"
                                                : "reading from " + peer_ + " failed: " + ec.message());
  }
  Bytes message(static_cast<std::size_t>(prefix[0]) << 8 | prefix[1]);
  got = co_await core::with_timeout(asio::async_read(*stream_, asio::buffer(message), use_nothrow), timeout);
  if (!got) co_return Unexpected("the answer from " + peer_ + " stalled for " + ms_text(timeout));
  if (auto [ec, n] = *got; ec) co_return Unexpected("reading from " + peer_ + " failed: " + ec.message());
  co_return message;
}

void TcpChannel::close() {
  if (!stream_) return;
  stream_->shutdown();
  stream_->close();
}

awaitable<Expected<Bytes, std::string>> exchange_tcp(asio::ip::tcp::endpoint server, Bytes query,
                                                     std::chrono::milliseconds timeout,
                                                     std::optional<asio::ip::address> source,
                                                     core::SocketPlace place) {
  const auto executor = co_await asio::this_coro::executor;
  TcpChannel channel(executor);
  const auto connected = co_await channel.connect(server, timeout, source, place);
  if (!connected) co_return Unexpected(connected.error());
  const auto sent = co_await channel.send(query, timeout);
  if (!sent) co_return Unexpected(sent.error());
  // On a fresh connection nothing else should arrive; a few strays are skipped rather than misread.
  for (int stray = 0; stray < 8; ++stray) {
    auto response = co_await channel.receive(timeout);
    if (!response) co_return response;
    if (response_matches(query, *response)) co_return response;
  }
  co_return Unexpected(core::endpoint_text(server) + " sent only messages that do not answer the query");
}

}  // namespace endhost::dns::client
