#include "echo/echo_client.hpp"

#include <istream>
#include <ostream>
#include <span>

#include "core/asio.hpp"
#include "core/dialer.hpp"
#include "core/name_resolver.hpp"
#include "core/run_client.hpp"
#include "core/stream.hpp"
#include "core/timeout.hpp"
#include "text/command_reader.hpp"

namespace endhost::echo {

namespace {

using tcp = asio::ip::tcp;
using udp = asio::ip::udp;
using boost::system::error_code;

// Yields the messages to send: the one given, or each line of `in`.
class Messages {
 public:
  Messages(const EchoClientOptions& o, std::istream& in) : message_(o.message), in_(in) {}
  bool next(std::string& m) {
    if (message_) {
      if (used_) return false;
      used_ = true;
      m = *message_;
      return true;
    }
    return static_cast<bool>(std::getline(in_, m));
  }

 private:
  const std::optional<std::string>& message_;
  std::istream& in_;
  bool used_ = false;
};

awaitable<int> tcp_client(const EchoClientOptions& o, std::istream& in, std::ostream& out,
                          std::ostream& err) {
  const core::SystemNameResolver resolver;
  const core::Dialer dialer(resolver, core::DialOptions{o.timeout, std::nullopt, true});
  auto connected = co_await dialer.connect(o.server.host, o.server.port);
  if (!connected) {
    err << "endhost echo: " << connected.error().message << "\n";
    co_return 1;
  }
  core::Stream socket(std::move(*connected));
  // Echo's answers end with LF (CRLF from other servers is fine too); one may be as long as a message.
  text::ReaderConfig config;
  config.line_ending = text::LineEnding::LfOrCrlf;
  config.limits.max_line = 1 << 20;
  config.limits.max_buffer = config.limits.max_line + 2;
  text::CommandReader reader(config);
  Messages messages(o, in);
  std::string message;
  while (messages.next(message)) {
    message += '\n';
    auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(message), use_nothrow);
    if (wec) {
      err << "endhost echo: sending failed: " << wec.message() << "\n";
      co_return 1;
    }
    text::ReadEvent answer = reader.next();
    while (answer.kind != text::ReadEvent::Kind::Line) {
      if (answer.kind == text::ReadEvent::Kind::Error) {
        err << "endhost echo: the answer is longer than " << config.limits.max_line << " bytes\n";
        co_return 1;
      }
      const std::span<char> space = reader.read_space();
      auto got = co_await core::with_timeout(
          socket.async_read_some(asio::buffer(space.data(), space.size()), use_nothrow), o.timeout);
      if (!got) {
        err << "endhost echo: no answer within " << o.timeout.count() << " ms\n";
        co_return 1;
      }
      auto [rec2, n] = *got;
      if (rec2) {
        err << "endhost echo: the server closed the connection"
            << (rec2 == asio::error::eof ? "" : ": " + rec2.message()) << "\n";
        co_return 1;
      }
      reader.commit(n);
      answer = reader.next();
    }
    out << answer.text << "\n" << std::flush;
  }
  socket.shutdown_send();
  co_return 0;
}

awaitable<int> udp_client(const EchoClientOptions& o, std::istream& in, std::ostream& out,
                          std::ostream& err) {
  auto ex = co_await asio::this_coro::executor;
  // Through core::NameResolver, as every dialled connection (an IP literal is used as it is).
  const core::SystemNameResolver names;
  const auto until = std::chrono::steady_clock::now() + o.timeout;
  const core::ResolveResult addresses = co_await core::resolve_host(names, o.server.host, until);
  if (!addresses) {
    err << "endhost echo: " << addresses.error().message << "\n";
    co_return 1;
  }
  udp::endpoint server(addresses->front(), o.server.port);
  udp::socket socket(ex, udp::endpoint(server.protocol(), 0));
  std::vector<char> buf(65'535);
  Messages messages(o, in);
  std::string message;
  int status = 0;
  while (messages.next(message)) {
    error_code sec;
    socket.send_to(asio::buffer(message), server, 0, sec);
    if (sec) {
      err << "endhost echo: sending failed: " << sec.message() << "\n";
      co_return 1;
    }
    udp::endpoint from;
    for (;;) {
      auto got = co_await core::with_timeout(socket.async_receive_from(asio::buffer(buf), from, use_nothrow),
                                             o.timeout);
      if (!got) {
        err << "endhost echo: no answer within " << o.timeout.count() << " ms\n";
        status = 1;
        break;
      }
      auto [rec2, n] = *got;
      if (rec2 == asio::error::connection_refused) {
        err << "endhost echo: nothing listens on " << o.server.to_string() << " (ICMP port unreachable)\n";
        co_return 1;
      }
      if (rec2 || from != server) continue;  // not our server's answer: keep waiting
      out << std::string_view(buf.data(), n) << "\n" << std::flush;
      break;
    }
  }
  co_return status;
}

}  // namespace

int run_echo_client(const EchoClientOptions& options, std::istream& in, std::ostream& out,
                    std::ostream& err) {
  return core::run_client(
      [&] { return options.udp ? udp_client(options, in, out, err) : tcp_client(options, in, out, err); },
      err, "endhost echo");
}

}  // namespace endhost::echo
