#include "echo/echo_server.hpp"

#include <algorithm>
#include <string>

#include "core/ascii_case.hpp"
#include "echo/echo_session.hpp"

namespace endhost::echo {

awaitable<void> serve_tcp(core::Connection& conn, const EchoServerConfig& config) {
  const auto& peer = conn.peer();
  config.transcript.note(peer, "connection opened");
  EchoSession session(config.max_line, config.transcript, peer);
  std::array<char, 16 * 1024> buf;
  for (;;) {
    // The answers to every complete line of the last read (pipelined input) go out in one write.
    if (!session.output().empty()) {
      conn.expires_after(config.write_timeout);
      auto [ec, n] = co_await asio::async_write(conn.socket(), asio::buffer(session.output()), use_nothrow);
      if (ec) break;
      session.sent(n);
    }
    if (session.closing()) break;
    if (!conn.begin_idle()) break;
    conn.expires_after(config.idle_timeout);
    const std::size_t want = std::min(buf.size(), session.room());
    auto [ec, n] = co_await conn.socket().async_read_some(asio::buffer(buf.data(), want), use_nothrow);
    conn.end_idle();
    if (ec == asio::error::eof) {
      session.end_of_input();  // answers a last line with no line end, then ends the session
      continue;
    }
    if (ec) {
      if (conn.timed_out()) config.transcript.note(peer, "idle timeout: closing");
      break;
    }
    const std::size_t answered = session.answered();
    session.receive(std::string_view(buf.data(), n));
    if (config.messages) config.messages->inc(session.answered() - answered, conn.loop().index());
  }
  config.transcript.note(peer, "connection closed");
}

void serve_udp(core::UdpSocket& socket, std::span<const std::uint8_t> data,
               const asio::ip::udp::endpoint& from, const EchoServerConfig& config) {
  std::string reply(reinterpret_cast<const char*>(data.data()), data.size());
  std::string peer = config.transcript.enabled() ? core::endpoint_text(from) : std::string();
  config.transcript.client(peer, reply);
  core::upper_case_in_place(reply);
  config.transcript.server(peer, reply);
  socket.send_to(std::span(reinterpret_cast<const std::uint8_t*>(reply.data()), reply.size()), from);
  if (config.messages) config.messages->inc(1, socket.loop().index());
}

}  // namespace endhost::echo
