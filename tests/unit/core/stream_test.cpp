// core::Stream over real sockets on 127.0.0.1: plain, TLS (versions, ALPN, SNI, buffer sequences, end of
// stream) and the STARTTLS upgrade, which must drop what the peer sent before the handshake.
#include "core/stream.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <array>
#include <chrono>
#include <cstring>
#include <future>
#include <string>
#include <utility>
#include <vector>

#include "core/byte_buffer.hpp"
#include "core/service_host.hpp"
#include "core/starttls.hpp"
#include "core/tcp_server.hpp"
#include "core/tls_server_context.hpp"
#include "test_certs.hpp"

namespace endhost::core {
namespace {

using tcp = asio::ip::tcp;

struct SocketPair {
  asio::io_context io;
  tcp::socket client{io};
  tcp::socket server{io};
  SocketPair() {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    client.connect(acceptor.local_endpoint());
    server = acceptor.accept();
  }
};

// A client context trusting exactly `trust` (a self-signed certificate), TLS 1.2+ unless told otherwise.
struct ClientContext {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  explicit ClientContext(const std::string& trust, int max_version = 0) {
    SSL_CTX_load_verify_locations(ctx, trust.c_str(), nullptr);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (max_version != 0) {
      SSL_CTX_set_security_level(ctx, 0);  // let the client offer what the server must refuse
      SSL_CTX_set_cipher_list(ctx, "DEFAULT@SECLEVEL=0");
      SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
      SSL_CTX_set_max_proto_version(ctx, max_version);
    }
  }
  ~ClientContext() { SSL_CTX_free(ctx); }
  void offer_alpn(const std::string& wire) {
    SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(wire.data()),
                            static_cast<unsigned int>(wire.size()));
  }
};

struct Certs {
  test::TempDir dir;
  test::CertFiles a = test::make_cert(dir.path(), "a", {"a.test"});
  test::CertFiles b = test::make_cert(dir.path(), "b", {"b.test", "*.b.test"});
  std::shared_ptr<TlsServerContext> server = [this] {
    TlsServerConfig config;
    config.certificates = {{a.cert_file, a.key_file}, {b.cert_file, b.key_file}};
    auto loaded = TlsServerContext::load(config);
    EXPECT_TRUE(loaded) << (loaded ? "" : loaded.error());
    return loaded ? *loaded : nullptr;
  }();
};

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

TEST(Stream, PlainKeepsTheDescriptorAndMovesBytes) {
  SocketPair p;
  const int fd = p.server.native_handle();
  Stream s(std::move(p.server));
  EXPECT_TRUE(s.is_plain());
  EXPECT_EQ(s.native_handle(), fd);
  EXPECT_EQ(s.tls_info().version, "");
  asio::write(p.client, asio::buffer("hello", 5));
  char buf[5];
  boost::system::error_code read_ec;
  std::size_t got = 0;
  asio::async_read(s, asio::buffer(buf), [&](boost::system::error_code ec, std::size_t n) {
    read_ec = ec;
    got = n;
  });
  p.io.run();
  EXPECT_FALSE(read_ec);
  EXPECT_EQ(std::string(buf, got), "hello");
}

struct TlsRun {
  boost::system::error_code handshake;
  TlsInfo info;
  std::string received;
};

awaitable<void> tls_echo_server(Stream& s, const TlsServerContext& ctx, const std::vector<std::string>* alpn,
                                std::size_t size, TlsRun& out) {
  auto begun = s.begin_tls_server(ctx, alpn);
  if (!begun) co_return;
  auto [hec] = co_await s.async_handshake(use_nothrow);
  out.handshake = hec;
  if (hec) co_return;
  out.info = s.tls_info();
  std::string buf(size, '\0');
  auto [rec, n] = co_await asio::async_read(s, asio::buffer(buf), use_nothrow);
  if (rec) co_return;
  out.received = buf;
  // Back as a sequence of two buffers: write_some takes the first, async_write the rest.
  const std::array<asio::const_buffer, 2> halves{asio::buffer(buf.data(), size / 2),
                                                 asio::buffer(buf.data() + size / 2, size - size / 2)};
  auto [wec, w] = co_await asio::async_write(s, halves, use_nothrow);
  if (wec) co_return;
  s.shutdown();
}

awaitable<void> tls_echo_client(Stream& s, ssl_ctx_st* ctx, std::string host, std::string data, TlsRun& out,
                                bool& saw_eof) {
  auto begun = s.begin_tls_client(ctx, host);
  if (!begun) co_return;
  auto [hec] = co_await s.async_handshake(use_nothrow);
  out.handshake = hec;
  if (hec) co_return;
  out.info = s.tls_info();
  auto [wec, w] = co_await asio::async_write(s, asio::buffer(data), use_nothrow);
  if (wec) co_return;
  std::string back(data.size(), '\0');
  auto [rec, n] = co_await asio::async_read(s, asio::buffer(back), use_nothrow);
  if (rec) co_return;
  out.received = back;
  char extra;
  auto [eec, en] = co_await s.async_read_some(asio::buffer(&extra, 1), use_nothrow);
  saw_eof = eec == asio::error::eof;
}

TEST(Stream, TlsCarriesDataBothWaysWithAlpnAndSni) {
  Certs certs;
  ASSERT_TRUE(certs.server);
  SocketPair p;
  Stream server(std::move(p.server));
  Stream client(std::move(p.client));
  // Trusting only b's certificate proves SNI picked it over the default a.
  ClientContext cc(certs.b.cert_file);
  cc.offer_alpn(std::string("\x02h2\x08http/1.1", 12));
  const std::vector<std::string> alpn{"http/1.1"};
  const std::string data = pattern(200'000);
  TlsRun srv, cli;
  bool eof = false;
  asio::co_spawn(p.io, tls_echo_server(server, *certs.server, &alpn, data.size(), srv), asio::detached);
  asio::co_spawn(p.io, tls_echo_client(client, cc.ctx, "www.b.test", data, cli, eof), asio::detached);
  p.io.run();
  ASSERT_FALSE(srv.handshake) << Stream::error_text(srv.handshake);
  ASSERT_FALSE(cli.handshake) << Stream::error_text(cli.handshake);
  EXPECT_FALSE(server.is_plain());
  EXPECT_EQ(srv.info.version, "TLSv1.3");
  EXPECT_EQ(srv.info.alpn, "http/1.1");
  EXPECT_EQ(srv.info.sni, "www.b.test");
  EXPECT_EQ(cli.info.alpn, "http/1.1");
  EXPECT_FALSE(srv.info.cipher.empty());
  EXPECT_EQ(srv.received, data);
  EXPECT_EQ(cli.received, data);
  EXPECT_TRUE(eof);  // close_notify then TCP FIN reads as the end of the stream
}

TEST(Stream, UnknownServerNameGetsTheDefaultCertificate) {
  Certs certs;
  ASSERT_TRUE(certs.server);
  SocketPair p;
  Stream server(std::move(p.server));
  Stream client(std::move(p.client));
  ClientContext cc(certs.a.cert_file);
  TlsRun srv, cli;
  asio::co_spawn(p.io, tls_echo_server(server, *certs.server, nullptr, 10, srv), asio::detached);
  // The client trusts only a's certificate and sends a name no certificate has: the handshake verifies only
  // if the default (a) was served. Host checking is off, as a's certificate does not name unknown.test.
  asio::co_spawn(
      p.io,
      [](Stream& s, ssl_ctx_st* ctx, TlsRun& out) -> awaitable<void> {
        auto begun = s.begin_tls_client(ctx, "unknown.test", false);
        if (!begun) co_return;
        auto [hec] = co_await s.async_handshake(use_nothrow);
        out.handshake = hec;
        s.close();  // ends the server's wait for data
      }(client, cc.ctx, cli),
      asio::detached);
  p.io.run();
  EXPECT_FALSE(cli.handshake) << Stream::error_text(cli.handshake);
  EXPECT_EQ(srv.info.alpn, "");  // the service declared no protocol: no ALPN answer
}

TEST(Stream, RefusesTls11AndAcceptsTls12) {
  Certs certs;
  ASSERT_TRUE(certs.server);
  for (const int version : {TLS1_1_VERSION, TLS1_2_VERSION}) {
    SocketPair p;
    Stream server(std::move(p.server));
    Stream client(std::move(p.client));
    ClientContext cc(certs.a.cert_file, version);
    TlsRun srv, cli;
    bool eof = false;
    asio::co_spawn(p.io, tls_echo_server(server, *certs.server, nullptr, 4, srv), asio::detached);
    asio::co_spawn(p.io, tls_echo_client(client, cc.ctx, "a.test", "ping", cli, eof), asio::detached);
    p.io.run();
    if (version == TLS1_1_VERSION) {
      EXPECT_TRUE(srv.handshake) << "TLS 1.1 was accepted";
      EXPECT_TRUE(cli.handshake);
    } else {
      EXPECT_FALSE(srv.handshake) << Stream::error_text(srv.handshake);
      EXPECT_EQ(srv.info.version, "TLSv1.2");
      EXPECT_EQ(cli.received, "ping");
    }
  }
}

TEST(Stream, TryStepsReportWhatTheyWaitFor) {
  SocketPair p;
  Stream s(std::move(p.server));
  s.lowest_layer().non_blocking(true);
  char buf[8];
  TlsIo io = s.try_read_some(asio::buffer(buf));
  EXPECT_EQ(io.want, TlsWant::read);
  asio::write(p.client, asio::buffer("abc", 3));
  for (int i = 0; i < 100 && io.want == TlsWant::read; ++i) io = s.try_read_some(asio::buffer(buf));
  EXPECT_EQ(io.want, TlsWant::nothing);
  EXPECT_EQ(std::string(buf, io.bytes), "abc");
  p.client.close();
  do {
    io = s.try_read_some(asio::buffer(buf));
  } while (io.want == TlsWant::read);
  EXPECT_EQ(io.ec, asio::error::eof);
}

awaitable<void> greet(Connection& c) {
  co_await asio::async_write(c.stream(), asio::buffer(std::string_view("hi\n")), use_nothrow);
}

TEST(TcpServerTls, ServesOverTlsAndDrainsAClientStuckBeforeItsHandshake) {
  Certs certs;
  ASSERT_TRUE(certs.server);
  Logger log(LogFormat::Text, LogLevel::Error);
  ServiceHost host(ServiceHostOptions{1, std::chrono::milliseconds(5000), false}, log);
  TcpServer server(host.loops(), log, TcpServerOptions{"test", 10, greet, {}});
  server.set_tls(certs.server, {"x-test"});
  ASSERT_TRUE(server.listen(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)));
  host.add(server);
  server.start();
  auto runner = std::async(std::launch::async, [&] { return host.run(); });
  const auto endpoint = server.local_endpoints().at(0);

  // A TLS client gets the greeting…
  asio::io_context io;
  Stream client{tcp::socket(io)};
  client.lowest_layer().connect(endpoint);
  ClientContext cc(certs.a.cert_file);
  TlsRun run;
  bool eof = false;
  asio::co_spawn(
      io,
      [](Stream& s, ssl_ctx_st* ctx, TlsRun& out, bool& saw_eof) -> awaitable<void> {
        auto begun = s.begin_tls_client(ctx, "a.test");
        if (!begun) co_return;
        auto [hec] = co_await s.async_handshake(use_nothrow);
        out.handshake = hec;
        std::array<char, 3> buf;
        auto [rec, n] = co_await asio::async_read(s, asio::buffer(buf), use_nothrow);
        if (!rec) out.received.assign(buf.data(), n);
        char extra;
        auto [eec, en] = co_await s.async_read_some(asio::buffer(&extra, 1), use_nothrow);
        saw_eof = eec == asio::error::eof;
      }(client, cc.ctx, run, eof),
      asio::detached);
  io.run();
  EXPECT_FALSE(run.handshake) << Stream::error_text(run.handshake);
  EXPECT_EQ(run.received, "hi\n");
  EXPECT_TRUE(eof);

  // …and one that connects and never starts its handshake does not hold the shutdown up.
  tcp::socket silent(io);
  silent.connect(endpoint);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto start = std::chrono::steady_clock::now();
  host.request_shutdown();
  ASSERT_EQ(runner.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

// STARTTLS --------------------------------------------------------------------------------------------------

struct StartTlsRun {
  std::vector<std::string> lines;  // every command the server processed
  std::size_t buffered_at_starttls = 0;
  std::size_t discarded = 0;
  std::string error;
};

// A reader of CRLF lines over a ByteBuffer, as a line-based session keeps its input.
bool next_line(ByteBuffer& in, std::string& line) {
  const std::string_view data = in.readable();
  const auto end = data.find("\r\n");
  if (end == std::string_view::npos) return false;
  line.assign(data.substr(0, end));
  in.consume(end + 2);
  return true;
}

// A line-based server: commands until STARTTLS, "220", the upgrade, then commands over TLS until QUIT.
awaitable<void> starttls_commands(Stream& s, const TlsServerContext& ctx, StartTlsRun& out) {
  ByteBuffer reader(4096);
  bool tls = false;
  std::string line;
  for (;;) {
    if (next_line(reader, line)) {
      out.lines.push_back(line);
      if (line == "QUIT") co_return;
      if (line == "STARTTLS" && !tls) {
        out.buffered_at_starttls = reader.size();
        auto [wec, w] =
            co_await asio::async_write(s, asio::buffer(std::string_view("220 go ahead\r\n")), use_nothrow);
        if (wec) co_return;
        auto up = co_await starttls_server(s, ctx, reader);
        if (!up) {
          out.error = up.error();
          co_return;
        }
        out.discarded = up->discarded;
        tls = true;
      }
      continue;
    }
    auto space = reader.read_space();
    if (!space) co_return;
    auto [ec, n] = co_await s.async_read_some(asio::buffer(space->data(), space->size()), use_nothrow);
    if (ec) co_return;
    reader.commit(n);
  }
}

awaitable<void> starttls_server_session(Stream& s, const TlsServerContext& ctx, StartTlsRun& out) {
  co_await starttls_commands(s, ctx, out);
  s.shutdown();  // the client reads until it sees the end
  s.close();
}

// Sends `before` (STARTTLS and whatever a man in the middle appended) in one write, waits for 220, then
// sends `plaintext_after` in the clear (if any) and upgrades, then sends `over_tls`.
awaitable<void> starttls_client_session(Stream& s, ssl_ctx_st* ctx, std::string before,
                                        std::string plaintext_after, std::string over_tls,
                                        std::string& error) {
  auto [wec, w] = co_await asio::async_write(s, asio::buffer(before), use_nothrow);
  if (wec) co_return;
  std::string reply;
  std::array<char, 256> buf;
  while (reply.find('\n') == std::string::npos) {
    auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), use_nothrow);
    if (ec) co_return;
    reply.append(buf.data(), n);
  }
  std::string unread = reply.substr(reply.find('\n') + 1);
  if (!plaintext_after.empty()) {
    auto [pec, pn] = co_await asio::async_write(s, asio::buffer(plaintext_after), use_nothrow);
    if (pec) co_return;
  }
  auto up = co_await starttls_client(s, ctx, "a.test", true, unread);
  if (!up) {
    error = up.error();
    s.close();
    co_return;
  }
  auto [tec, tn] = co_await asio::async_write(s, asio::buffer(over_tls), use_nothrow);
  if (tec) co_return;
  char c;
  co_await s.async_read_some(asio::buffer(&c, 1), use_nothrow);  // until the server closes
}

TEST(StartTls, DropsCommandsSentBeforeTheHandshake) {
  Certs certs;
  ASSERT_TRUE(certs.server);
  SocketPair p;
  Stream server(std::move(p.server));
  Stream client(std::move(p.client));
  ClientContext cc(certs.a.cert_file);
  StartTlsRun run;
  std::string client_error;
  const std::string injected = "MAIL FROM:<attacker@evil.test>\r\n";
  asio::co_spawn(p.io, starttls_server_session(server, *certs.server, run), asio::detached);
  asio::co_spawn(p.io,
                 starttls_client_session(client, cc.ctx, "STARTTLS\r\n" + injected, "", "NOOP\r\nQUIT\r\n",
                                         client_error),
                 asio::detached);
  p.io.run();
  ASSERT_EQ(run.error, "");
  ASSERT_EQ(client_error, "");
  // The injected command was read together with STARTTLS (so a session that kept its buffer would run it)…
  EXPECT_EQ(run.buffered_at_starttls, injected.size());
  EXPECT_EQ(run.discarded, injected.size());
  // …and only the commands sent over TLS were processed after the upgrade.
  EXPECT_EQ(run.lines, (std::vector<std::string>{"STARTTLS", "NOOP", "QUIT"}));
}

TEST(StartTls, PlaintextAfterTheCommandBreaksTheHandshake) {
  Certs certs;
  ASSERT_TRUE(certs.server);
  SocketPair p;
  Stream server(std::move(p.server));
  Stream client(std::move(p.client));
  ClientContext cc(certs.a.cert_file);
  StartTlsRun run;
  std::string client_error;
  asio::co_spawn(p.io, starttls_server_session(server, *certs.server, run), asio::detached);
  asio::co_spawn(
      p.io, starttls_client_session(client, cc.ctx, "STARTTLS\r\n", "RSET\r\n", "QUIT\r\n", client_error),
      asio::detached);
  p.io.run();
  EXPECT_NE(run.error, "");  // the plaintext reached OpenSSL as a malformed record, never the command reader
  EXPECT_EQ(run.lines, (std::vector<std::string>{"STARTTLS"}));
}

TEST(StartTls, UnreadInputOfEveryKindIsCleared) {
  std::string s = "abc";
  EXPECT_EQ(discard_unread(s), 3u);
  EXPECT_TRUE(s.empty());
  ByteBuffer b(100);
  auto space = b.read_space(8);
  ASSERT_TRUE(space);
  std::memcpy(space->data(), "one\r\ntwo", 8);
  b.commit(8);
  EXPECT_EQ(discard_unread(b), 8u);
  EXPECT_TRUE(b.empty());
  struct Reader {  // the shape of text::CommandReader
    std::size_t held = 5;
    std::size_t discard_buffered() { return std::exchange(held, 0); }
  } reader;
  EXPECT_EQ(discard_unread(reader), 5u);
  EXPECT_EQ(reader.held, 0u);
}

}  // namespace
}  // namespace endhost::core
