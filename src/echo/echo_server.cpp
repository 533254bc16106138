#include "echo/echo_server.hpp"

#include <string>

#include "core/ascii_case.hpp"
#include "core/line_reader.hpp"

namespace endhost::echo {

awaitable<void> serve_tcp(core::Connection& conn, const EchoServerConfig& config) {
  const auto& peer = conn.peer();
  config.transcript.note(peer, "connection opened");
  core::LineReader reader(config.max_line);
  std::array<char, 16 * 1024> buf;
  std::string out;
  for (;;) {
    // Answer every complete line already buffered (pipelined input) before reading again.
    std::string_view line;
    core::LineReader::Status status;
    out.clear();
    while ((status = reader.next(line)) == core::LineReader::Status::Line) {
      config.transcript.client(peer, line);
      std::size_t start = out.size();
      core::append_upper_case(out, line);
      config.transcript.server(peer, std::string_view(out).substr(start));
      out += '\n';
      if (config.messages) config.messages->inc(1, conn.loop().index());
    }
    if (status == core::LineReader::Status::TooLong) {
      out += "ERROR line longer than " + std::to_string(config.max_line) + " bytes\n";
      config.transcript.server(peer, out);
    }
    if (!out.empty()) {
      conn.expires_after(config.write_timeout);
      auto [ec, n] = co_await asio::async_write(conn.socket(), asio::buffer(out), use_nothrow);
      if (ec) break;
    }
    if (status == core::LineReader::Status::TooLong) break;
    if (!conn.begin_idle()) break;
    conn.expires_after(config.idle_timeout);
    auto [ec, n] = co_await conn.socket().async_read_some(asio::buffer(buf), use_nothrow);
    conn.end_idle();
    if (ec == asio::error::eof && reader.buffered() > 0) {
      // The client half-closed after a last line with no line end (`printf abc | nc`): answer it too.
      std::string last(reader.take_rest());
      config.transcript.client(peer, last);
      core::upper_case_in_place(last);
      config.transcript.server(peer, last);
      conn.expires_after(config.write_timeout);
      co_await asio::async_write(conn.socket(), asio::buffer(last), use_nothrow);
      break;
    }
    if (ec) {
      if (conn.timed_out()) config.transcript.note(peer, "idle timeout: closing");
      break;
    }
    reader.feed(std::string_view(buf.data(), n));
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
