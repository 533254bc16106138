// Sending a DNS query and receiving its answer, for every client role in endhost: the dig-like `dns query`,
// its --trace walk, and a secondary server's SOA checks and zone transfers.
//
// UDP (RFC 1035 §4.2.1): each exchange uses a fresh socket on a random ephemeral port, and only a datagram
// from the server asked, with the query's ID and question, is accepted; anything else (a late answer to an
// earlier try, a spoofed one) is ignored and the wait goes on. TCP (§4.2.2): messages carry a two-octet
// length prefix; TcpChannel keeps the connection for multi-message exchanges such as AXFR.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/expected.hpp"
#include "core/socket_place.hpp"
#include "core/stream.hpp"

namespace endhost::dns::client {

using Bytes = std::vector<std::uint8_t>;

struct UdpExchangeOptions {
  std::chrono::milliseconds timeout{2'000};  // per try
  int tries = 3;
  std::size_t max_response = 65'535;
  // The address to send from (a lab host's own, core::ServiceEnv::source_address); empty: any.
  std::optional<asio::ip::address> source;
  // Where the socket is made (a lab host's namespace, core::ServiceEnv::socket_place); empty: here.
  core::SocketPlace place{};
};

// True if `response` answers `query`: QR set, same ID, and the same question (names compared
// case-insensitively, RFC 4343). A response without a question matches only if the query has none.
bool response_matches(std::span<const std::uint8_t> query, std::span<const std::uint8_t> response);

// Errors are sentences: "no answer from 192.0.2.1:53 after 3 tries of 2000 ms".
awaitable<Expected<Bytes, std::string>> exchange_udp(asio::ip::udp::endpoint server, Bytes query,
                                                     UdpExchangeOptions options);

// A DNS-over-TCP connection. Used from one coroutine at a time.
class TcpChannel {
 public:
  TcpChannel() = default;
  explicit TcpChannel(const asio::any_io_executor&) {}
  // From `source` when set, with the socket made in `place` (as UdpExchangeOptions::source and ::place).
  awaitable<Expected<void, std::string>> connect(asio::ip::tcp::endpoint server,
                                                 std::chrono::milliseconds timeout,
                                                 std::optional<asio::ip::address> source = std::nullopt,
                                                 core::SocketPlace place = {});
  awaitable<Expected<void, std::string>> send(Bytes message, std::chrono::milliseconds timeout);
  // Reads one length-prefixed message; an error if the peer closes or the time runs out.
  awaitable<Expected<Bytes, std::string>> receive(std::chrono::milliseconds timeout);
  void close();

 private:
  std::unique_ptr<core::Stream> stream_;  // once connected
  std::string peer_;
};

// One query, one answer over a fresh TCP connection; the answer must match the query (as above).
awaitable<Expected<Bytes, std::string>> exchange_tcp(asio::ip::tcp::endpoint server, Bytes query,
                                                     std::chrono::milliseconds timeout,
                                                     std::optional<asio::ip::address> source = std::nullopt,
                                                     core::SocketPlace place = {});

}  // namespace endhost::dns::client
