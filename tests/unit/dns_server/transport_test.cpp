// Which responses a client accepts (the anti-spoofing half that does not need a socket), and a real UDP and
// TCP exchange on loopback against a tiny in-process responder.
#include <gtest/gtest.h>

#include "core/run_client.hpp"
#include "dns/client/transport.hpp"
#include "test_util.hpp"

namespace endhost::dns::client {
namespace {

using test::N;

Bytes query(std::uint16_t id, const char* name = "www.example.com.", RRType type = RRType::A) {
  return test::wire(make_query(id, N(name), type, true));
}

Bytes response_to(std::uint16_t id, const char* name = "www.example.com.", RRType type = RRType::A) {
  Message m = make_query(id, N(name), type, true);
  m.header.qr = true;
  return test::wire(m);
}

TEST(ResponseMatches, NeedsIdQrAndTheSameQuestion) {
  auto q = query(10);
  EXPECT_TRUE(response_matches(q, response_to(10)));
  EXPECT_TRUE(response_matches(q, response_to(10, "WWW.Example.COM.")));  // 0x20 case is fine
  EXPECT_FALSE(response_matches(q, response_to(11)));
  EXPECT_FALSE(response_matches(q, response_to(10, "www.example.org.")));
  EXPECT_FALSE(response_matches(q, response_to(10, "www.example.com.", RRType::AAAA)));
  EXPECT_FALSE(response_matches(q, query(10)));  // QR clear: a query, not an answer
  EXPECT_FALSE(response_matches(q, Bytes{0, 10}));
}

TEST(ResponseMatches, QuestionlessErrorsMatchById) {
  Message formerr;
  formerr.header.id = 10;
  formerr.header.qr = true;
  formerr.set_rcode(Rcode::FORMERR);
  EXPECT_TRUE(response_matches(query(10), test::wire(formerr)));
  formerr.set_rcode(Rcode::NOERROR);
  EXPECT_FALSE(response_matches(query(10), test::wire(formerr)));
}

TEST(Transport, UdpIgnoresWrongAnswersAndTakesTheRightOne) {
  asio::io_context io;
  asio::ip::udp::socket server(io, {asio::ip::make_address("127.0.0.1"), 0});
  auto server_ep = server.local_endpoint();
  // The responder first sends a wrong-ID answer and an answer to another question, then the right one.
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        std::array<std::uint8_t, 512> buf;
        asio::ip::udp::endpoint from;
        auto [ec, n] = co_await server.async_receive_from(asio::buffer(buf), from, use_nothrow);
        if (ec) co_return;
        Message m = *decode_message(std::span(buf.data(), n));
        std::uint16_t id = m.header.id;
        for (auto bad : {response_to(id + 1), response_to(id, "evil.example.")})
          co_await server.async_send_to(asio::buffer(bad), from, use_nothrow);
        auto good = response_to(id);
        co_await server.async_send_to(asio::buffer(good), from, use_nothrow);
      },
      asio::detached);
  Expected<Bytes, std::string> result = Unexpected(std::string("not run"));
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        UdpExchangeOptions o;
        o.tries = 1;
        result = co_await exchange_udp(server_ep, query(77), o);
      },
      asio::detached);
  io.run();
  ASSERT_TRUE(result) << result.error();
  EXPECT_TRUE(response_matches(query(77), *result));
}

TEST(Transport, UdpTimesOutWithASentence) {
  asio::io_context io;
  asio::ip::udp::socket silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  Expected<Bytes, std::string> result = Bytes{};
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        UdpExchangeOptions o;
        o.tries = 2;
        o.timeout = std::chrono::milliseconds(50);
        result = co_await exchange_udp(silent.local_endpoint(), query(1), o);
      },
      asio::detached);
  io.run();
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().find("after 2 tries"), std::string::npos) << result.error();
}

TEST(Transport, TcpFramesWithTheLengthPrefix) {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto [ec, s] = co_await acceptor.async_accept(use_nothrow);
        if (ec) co_return;
        std::array<std::uint8_t, 2> len{};
        co_await asio::async_read(s, asio::buffer(len), use_nothrow);
        Bytes q(static_cast<std::size_t>(len[0]) << 8 | len[1]);
        co_await asio::async_read(s, asio::buffer(q), use_nothrow);
        auto r = response_to(decode_message(q)->header.id);
        // Sent one octet at a time: the client must reassemble.
        Bytes framed{static_cast<std::uint8_t>(r.size() >> 8), static_cast<std::uint8_t>(r.size())};
        framed.insert(framed.end(), r.begin(), r.end());
        for (auto b : framed) co_await asio::async_write(s, asio::buffer(&b, 1), use_nothrow);
      },
      asio::detached);
  Expected<Bytes, std::string> result = Unexpected(std::string("not run"));
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        result = co_await exchange_tcp(acceptor.local_endpoint(), query(5), std::chrono::milliseconds(2000));
      },
      asio::detached);
  io.run();
  ASSERT_TRUE(result) << result.error();
  EXPECT_TRUE(response_matches(query(5), *result));
}

}  // namespace
}  // namespace endhost::dns::client
