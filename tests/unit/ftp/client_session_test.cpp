// The client session against a scripted server on loopback: the PASV reply's address ignored for the control
// connection's peer (curl's --ftp-skip-pasv-ip), EPSV refused once and PASV used from then on, an active data
// connection from a third address refused (RFC 2577 §5), the deadline on a server that stops answering, and
// the trace lines (PASS hidden, data: N bytes).
#include "ftp/client/session.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "ftp/host_port.hpp"

namespace endhost::ftp::client {
namespace {

using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// One control connection, answered from a fixed script of behaviours.
class FakeServer {
 public:
  explicit FakeServer(asio::io_context& io)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  bool refuse_epsv = false;
  bool silent_after_greeting = false;
  std::string active_source = "127.0.0.1";  // where an active data connection comes from
  std::string payload = "hello, data";
  std::vector<std::string> received;    // command lines as they came
  std::string control_peer, data_peer;  // the client's addresses as seen here

  awaitable<void> serve() {
    auto [aec, control] = co_await acceptor_.async_accept(use_nothrow);
    if (aec) co_return;
    control_peer = control.remote_endpoint().address().to_string();
    co_await say(control, "220 fake ready");
    std::string buffer;
    for (;;) {
      auto [ec, n] =
          co_await asio::async_read_until(control, asio::dynamic_buffer(buffer), "\r\n", use_nothrow);
      if (ec) co_return;
      const std::string line = buffer.substr(0, n - 2);
      buffer.erase(0, n);
      received.push_back(line);
      if (silent_after_greeting) continue;
      const std::string verb = line.substr(0, line.find(' '));
      const std::string arg = line.find(' ') == std::string::npos ? "" : line.substr(line.find(' ') + 1);
      if (verb == "USER") {
        co_await say(control, "331 password please");
      } else if (verb == "PASS") {
        co_await say(control, "230 in");
      } else if (verb == "TYPE") {
        co_await say(control, "200 ok");
      } else if (verb == "EPSV") {
        if (refuse_epsv) {
          co_await say(control, "502 not here");
        } else {
          open_passive(control);
          const std::string reply = "229 " + format_229_text(passive_->local_endpoint().port());
          co_await say(control, reply);
        }
      } else if (verb == "PASV") {
        open_passive(control);
        // A private address the client must not believe: it connects to the control peer instead.
        const std::string reply =
            "227 " + format_227_text(HostPort{"10.1.2.3", passive_->local_endpoint().port(), false});
        co_await say(control, reply);
      } else if (verb == "EPRT") {
        auto hp = parse_eprt_argument(arg);
        active_ = hp ? std::optional<HostPort>(*hp) : std::nullopt;
        co_await say(control, hp ? "200 ok" : "501 bad");
      } else if (verb == "RETR") {
        co_await say(control, "150 here it comes");
        co_await send_data(control);
      } else if (verb == "QUIT") {
        co_await say(control, "221 bye");
        co_return;
      } else {
        co_await say(control, "502 not implemented");
      }
    }
  }

 private:
  awaitable<void> say(tcp::socket& s, std::string_view text) {
    const std::string wire = std::string(text) + "\r\n";
    co_await asio::async_write(s, asio::buffer(wire), use_nothrow);
  }
  void open_passive(tcp::socket& control) {
    passive_.emplace(control.get_executor(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  }
  awaitable<void> send_data(tcp::socket& control) {
    const auto executor = co_await asio::this_coro::executor;
    tcp::socket data(executor);
    if (passive_) {
      auto [ec, s] = co_await passive_->async_accept(use_nothrow);
      passive_.reset();
      if (ec) co_return;
      data_peer = s.remote_endpoint().address().to_string();
      data = std::move(s);
    } else if (active_) {
      boost::system::error_code ec;
      data.open(tcp::v4(), ec);
      data.bind(tcp::endpoint(asio::ip::make_address(active_source), 0), ec);
      const tcp::endpoint to(asio::ip::make_address(active_->address), active_->port);
      auto [cec] = co_await data.async_connect(to, use_nothrow);
      if (cec) co_return;
    }
    auto [wec, wn] = co_await asio::async_write(data, asio::buffer(payload), use_nothrow);
    (void)wn;
    data.close();
    co_await say(control, wec ? "426 cut" : "226 done");
  }

  tcp::acceptor acceptor_;
  std::optional<tcp::acceptor> passive_;
  std::optional<HostPort> active_;
};

struct Outcome {
  Result<void> opened;
  Result<std::uint64_t> first = std::uint64_t{0};
  Result<std::uint64_t> second = std::uint64_t{0};
  std::string received;
};

awaitable<void> client(Session& s, std::uint16_t port, int transfers, Outcome& out) {
  const LoginConfig login{"alice", "secret", false};
  out.opened = co_await s.open("127.0.0.1", port, login);
  if (!out.opened) co_return;
  // GCC 12: a lambda in a coroutine takes a named local, never the coroutine's parameter itself.
  std::string* received = &out.received;
  const DataSink sink = [received](std::string_view data) {
    received->append(data);
    return true;
  };
  out.first = co_await s.retrieve("file", 0, sink);
  if (transfers > 1) out.second = co_await s.retrieve("file", 0, sink);
  co_await s.quit();
}

Outcome run_against(FakeServer& server, asio::io_context& io, SessionOptions options, int transfers,
                    std::vector<std::string>* trace = nullptr) {
  if (trace) options.trace = [trace](std::string_view line) { trace->emplace_back(line); };
  const core::FixedNameResolver resolver({});
  Session session(resolver, options);
  Outcome out;
  asio::co_spawn(io, server.serve(), asio::detached);
  asio::co_spawn(io, client(session, server.port(), transfers, out), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run_for(10s);
  return out;
}

TEST(FtpClientSession, PassiveTransferWithTrace) {
  asio::io_context io;
  FakeServer server(io);
  std::vector<std::string> trace;
  const Outcome out = run_against(server, io, SessionOptions{}, 1, &trace);
  ASSERT_TRUE(out.opened) << out.opened.error().message;
  ASSERT_TRUE(out.first) << out.first.error().message;
  EXPECT_EQ(*out.first, server.payload.size());
  EXPECT_EQ(out.received, server.payload);
  EXPECT_EQ(server.received,
            (std::vector<std::string>{"USER alice", "PASS secret", "EPSV", "RETR file", "QUIT"}));
  const auto has = [&](const std::string& line) {
    return std::find(trace.begin(), trace.end(), line) != trace.end();
  };
  EXPECT_TRUE(has("C: PASS ****"));
  EXPECT_FALSE(has("C: PASS secret"));
  EXPECT_TRUE(has("S: 150 here it comes"));
  EXPECT_TRUE(has("data: 11 bytes"));
}

TEST(FtpClientSession, ConnectionsGoFromTheGivenLocalAddress) {
  // The lab's hosts dial from their own 127.x address, data connections included.
  asio::io_context io;
  FakeServer server(io);
  SessionOptions options;
  options.local_address = asio::ip::make_address("127.0.0.3");
  const Outcome out = run_against(server, io, options, 1);
  ASSERT_TRUE(out.first) << out.first.error().message;
  EXPECT_EQ(server.control_peer, "127.0.0.3");
  EXPECT_EQ(server.data_peer, "127.0.0.3");
}

TEST(FtpClientSession, EpsvRefusedOnceThenPasvToTheControlPeerNotTheAnnouncedAddress) {
  asio::io_context io;
  FakeServer server(io);
  server.refuse_epsv = true;
  const Outcome out = run_against(server, io, SessionOptions{}, 2);
  ASSERT_TRUE(out.first) << out.first.error().message;
  ASSERT_TRUE(out.second) << out.second.error().message;
  EXPECT_EQ(out.received, server.payload + server.payload);
  // EPSV is asked once only (curl does the same): the second transfer goes straight to PASV.
  EXPECT_EQ(std::count(server.received.begin(), server.received.end(), "EPSV"), 1);
  EXPECT_EQ(std::count(server.received.begin(), server.received.end(), "PASV"), 2);
}

TEST(FtpClientSession, ActiveTransfer) {
  asio::io_context io;
  FakeServer server(io);
  SessionOptions options;
  options.passive = false;
  const Outcome out = run_against(server, io, options, 1);
  ASSERT_TRUE(out.first) << out.first.error().message;
  EXPECT_EQ(out.received, server.payload);
  ASSERT_GE(server.received.size(), 3u);
  EXPECT_EQ(server.received[2].rfind("EPRT |1|127.0.0.1|", 0), 0u) << server.received[2];
}

TEST(FtpClientSession, ActiveDataConnectionFromAThirdAddressIsRefused) {
  asio::io_context io;
  FakeServer server(io);
  server.active_source = "127.0.0.2";  // loopback, but not the server's address
  SessionOptions options;
  options.passive = false;
  options.connect_timeout = 2s;
  const Outcome out = run_against(server, io, options, 1);
  ASSERT_TRUE(out.opened);
  ASSERT_FALSE(out.first);
  EXPECT_NE(out.first.error().message.find("127.0.0.2"), std::string::npos) << out.first.error().message;
  EXPECT_TRUE(out.received.empty());
}

TEST(FtpClientSession, AServerThatStopsAnsweringTimesOut) {
  asio::io_context io;
  FakeServer server(io);
  server.silent_after_greeting = true;
  SessionOptions options;
  options.read_timeout = 200ms;
  const auto started = std::chrono::steady_clock::now();
  const Outcome out = run_against(server, io, options, 1);
  ASSERT_FALSE(out.opened);
  EXPECT_EQ(out.opened.error().kind, ErrorKind::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

}  // namespace
}  // namespace endhost::ftp::client
