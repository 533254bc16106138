#include "lab/dashboard/actions.hpp"

#include <fmt/format.h>

#include <array>
#include <chrono>

#include "core/system_random.hpp"
#include "core/timeout.hpp"
#include "dns/client/transport.hpp"
#include "dns/message.hpp"
#include "lab/http_fetch.hpp"
#include "ping/ping_message.hpp"

namespace endhost::lab {

namespace {

using Clock = std::chrono::steady_clock;

double millis_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::int64_t unix_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

bool parse_query_type(std::string_view text, dns::RRType& out) {
  static constexpr std::array<std::pair<std::string_view, dns::RRType>, 7> kTypes{{
      {"A", dns::RRType::A},
      {"AAAA", dns::RRType::AAAA},
      {"MX", dns::RRType::MX},
      {"NS", dns::RRType::NS},
      {"SOA", dns::RRType::SOA},
      {"TXT", dns::RRType::TXT},
      {"CNAME", dns::RRType::CNAME},
  }};
  for (auto [name, type] : kTypes) {
    if (name == text) {
      out = type;
      return true;
    }
  }
  return false;
}

bool valid_query_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.';
    if (!ok) return false;
  }
  return name.find("..") == std::string_view::npos && name.front() != '.';
}

awaitable<ActionResult> resolve_through(asio::ip::udp::endpoint resolver, std::string name, dns::RRType type,
                                        std::optional<asio::ip::address> source,
                                        const core::SocketPlace* place) {
  ActionResult r;
  auto qname = dns::Name::from_string(name.back() == '.' ? name : name + ".");
  if (!qname) {
    r.text = name + " is not a domain name";
    co_return r;
  }
  // RFC 5452 §4.3: an unpredictable ID, not the clock's microseconds, which anyone can guess.
  core::SystemRandom random;
  const std::uint16_t id = random.next16();
  auto wire = dns::encode_message(dns::make_query(id, *qname, type, true));
  if (!wire) {
    r.text = "cannot encode the query";
    co_return r;
  }
  auto start = Clock::now();
  dns::client::UdpExchangeOptions options;
  options.timeout = std::chrono::milliseconds(3000);
  options.tries = 2;
  options.source = source;
  if (place) options.place = *place;
  auto answer = co_await dns::client::exchange_udp(resolver, std::move(*wire), options);
  r.millis = millis_since(start);
  if (!answer) {
    r.text = answer.error();
    co_return r;
  }
  auto message = dns::decode_message(*answer);
  if (!message) {
    r.text = "the resolver's answer does not decode";
    co_return r;
  }
  r.ok = true;
  r.text = dns::to_string(*message);
  co_return r;
}

awaitable<ActionResult> ping_once(asio::ip::udp::endpoint server, std::uint64_t seq,
                                  std::optional<asio::ip::address> source, const core::SocketPlace* place) {
  ActionResult r;
  const auto executor = co_await asio::this_coro::executor;
  asio::ip::udp::socket socket(executor);
  boost::system::error_code ec;
  core::open_socket(socket, server.protocol(), ec, place ? *place : core::SocketPlace{});
  if (!ec && source && source->is_v4() == server.address().is_v4()) socket.bind({*source, 0}, ec);
  if (ec) {
    r.text = "cannot open a UDP socket: " + ec.message();
    co_return r;
  }
  std::string msg = ping::format_message({ping::Kind::Ping, seq, unix_micros()});
  auto start = Clock::now();
  auto [send_ec, sent] = co_await socket.async_send_to(asio::buffer(msg), server, use_nothrow);
  (void)sent;
  if (send_ec) {
    r.text = "cannot send: " + send_ec.message();
    co_return r;
  }
  std::array<char, ping::kMaxMessage> buf;
  asio::ip::udp::endpoint from;
  auto got = co_await core::with_timeout(socket.async_receive_from(asio::buffer(buf), from, use_nothrow),
                                         std::chrono::milliseconds(1000));
  r.millis = millis_since(start);
  if (!got) {
    r.text = "Request timed out (the server drops a share of pings on purpose)";
    co_return r;
  }
  auto [recv_ec, n] = *got;
  if (recv_ec) {
    r.text = "receive failed: " + recv_ec.message();
    co_return r;
  }
  r.ok = true;
  r.text = fmt::format("Reply from {}: {}  rtt={:.3f} ms", server.address().to_string(),
                       std::string_view(buf.data(), n), r.millis);
  co_return r;
}

awaitable<ActionResult> fetch_through(asio::ip::tcp::endpoint proxy, std::string url,
                                      std::optional<asio::ip::address> source,
                                      const core::SocketPlace* place) {
  ActionResult r;
  auto start = Clock::now();
  auto conn = co_await HttpConnection::open(proxy, std::chrono::milliseconds(3000), source, place);
  if (!conn) {
    r.text = conn.error();
    co_return r;
  }
  // Absolute-form target to a proxy (RFC 9112 §3.2.2); Host repeats the authority.
  std::string authority = url.substr(7, url.find('/', 7) - 7);
  auto res = co_await (*conn)->get(url, authority, false, std::chrono::milliseconds(10'000));
  r.millis = millis_since(start);
  if (!res) {
    r.text = res.error();
    co_return r;
  }
  r.ok = true;
  r.text = res->head + fmt::format("({} bytes of body)", res->body.size());
  co_return r;
}

}  // namespace endhost::lab
