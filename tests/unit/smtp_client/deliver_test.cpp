// deliver() over a real loopback connection against a small scripted server: the bytes on the wire, the
// transcript, and the deadlines.
#include "smtp/client/deliver.hpp"

#include <gtest/gtest.h>

#include <mutex>

#include "core/asio.hpp"

namespace endhost::smtp::client {
namespace {

using tcp = asio::ip::tcp;

struct Lines final : core::TranscriptSink {
  std::mutex m;
  std::vector<std::string> lines;
  void record(const core::TranscriptEntry& e) override {
    const std::lock_guard lock(m);
    lines.push_back(std::string(e.who == core::Speaker::Client   ? "C: "
                                : e.who == core::Speaker::Server ? "S: "
                                                                 : "* ") +
                    std::string(e.text));
  }
};

// A server that answers every line the way `answer` says, recording what it read; "" means read on
// silently. The DATA body is read up to CRLF.CRLF.
struct Scripted {
  std::string greeting = "220 hamburger.edu ESMTP\r\n";
  std::vector<std::string> ehlo = {"250-hamburger.edu", "250-PIPELINING", "250 8BITMIME"};
  bool silent = false;
  bool starttls_injection = false;  // answer STARTTLS with 220 and, in the same write, a forged reply
  std::string received;
};

awaitable<void> serve(tcp::acceptor& acceptor, Scripted& s) {
  auto [aec, socket] = co_await acceptor.async_accept(use_nothrow);
  if (aec) co_return;
  if (s.silent) {
    std::array<char, 512> buf;
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(buf), use_nothrow);
    (void)ec;
    (void)n;
    co_return;
  }
  co_await asio::async_write(socket, asio::buffer(s.greeting), use_nothrow);
  std::string buffer;
  bool in_data = false;
  std::array<char, 4096> buf;
  for (;;) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(buf), use_nothrow);
    if (ec) co_return;
    buffer.append(buf.data(), n);
    s.received.append(buf.data(), n);
    std::string replies;
    for (;;) {
      if (in_data) {
        const auto end = buffer.find("\r\n.\r\n");
        if (end == std::string::npos) break;
        buffer.erase(0, end + 5);
        in_data = false;
        replies += "250 2.0.0 Ok: queued as ABC\r\n";
        continue;
      }
      const auto eol = buffer.find("\r\n");
      if (eol == std::string::npos) break;
      const std::string line = buffer.substr(0, eol);
      buffer.erase(0, eol + 2);
      if (line.starts_with("EHLO")) {
        for (const auto& l : s.ehlo) replies += l + "\r\n";
      } else if (line.starts_with("MAIL")) {
        replies += "250 2.1.0 Ok\r\n";
      } else if (line.starts_with("RCPT TO:<nobody")) {
        replies += "550 5.1.1 <nobody@hamburger.edu>: Recipient address rejected\r\n";
      } else if (line.starts_with("RCPT")) {
        replies += "250 2.1.5 Ok\r\n";
      } else if (line == "DATA") {
        replies += "354 End data with <CR><LF>.<CR><LF>\r\n";
        in_data = true;
      } else if (line == "STARTTLS" && s.starttls_injection) {
        replies += "220 2.0.0 Ready to start TLS\r\n250 2.0.0 forged, as if over TLS\r\n";
      } else if (line == "QUIT") {
        replies += "221 2.0.0 Bye\r\n";
        co_await asio::async_write(socket, asio::buffer(replies), use_nothrow);
        co_return;
      } else {
        replies += "502 5.5.2 Error: command not recognized\r\n";
      }
    }
    if (!replies.empty()) co_await asio::async_write(socket, asio::buffer(replies), use_nothrow);
  }
}

awaitable<void> client_side(tcp::endpoint to, const Transaction& t, const ClientOptions& o,
                            DeliveryResult& out) {
  const auto executor = co_await asio::this_coro::executor;
  tcp::socket socket(executor);
  auto [ec] = co_await socket.async_connect(to, use_nothrow);
  if (ec) co_return;
  auto stream = std::make_unique<core::Stream>(std::move(socket));
  std::string peer = "mx.hamburger.edu";
  out = co_await deliver(std::move(stream), std::move(peer), t, o);
}

DeliveryResult run(Scripted& s, const Transaction& t, ClientOptions o) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  DeliveryResult result;
  asio::co_spawn(io, serve(acceptor, s), asio::detached);
  asio::co_spawn(io, client_side(acceptor.local_endpoint(), t, o, result), asio::detached);
  io.run();
  return result;
}

Transaction transaction() {
  Transaction t;
  t.sender = "alice@crepes.fr";
  t.recipients = {"bob@hamburger.edu", "nobody@hamburger.edu"};
  t.message = "Subject: hi\r\n\r\n.leading dot\r\nbye\r\n";
  return t;
}

TEST(SmtpClientDeliver, PipelinedDeliveryWithTranscript) {
  Scripted s;
  Lines lines;
  core::Transcript transcript(&lines, "mail");
  ClientOptions o;
  o.helo_name = "crepes.fr";
  o.tls = TlsMode::None;
  o.trace = &transcript;
  const Transaction t = transaction();
  const DeliveryResult r = run(s, t, o);
  EXPECT_TRUE(r.delivered()) << reply_summary(r.reply);
  EXPECT_EQ(r.reply.text, "2.0.0 Ok: queued as ABC");
  EXPECT_TRUE(r.peer.starts_with("mx.hamburger.edu[127.0.0.1]:")) << r.peer;
  ASSERT_EQ(r.recipients.size(), 2u);
  EXPECT_EQ(r.recipients[1].reply.code, 550);
  EXPECT_EQ(
      s.received,
      "EHLO crepes.fr\r\nMAIL FROM:<alice@crepes.fr>\r\nRCPT TO:<bob@hamburger.edu>\r\n"
      "RCPT TO:<nobody@hamburger.edu>\r\nDATA\r\nSubject: hi\r\n\r\n..leading dot\r\nbye\r\n.\r\nQUIT\r\n");
  ASSERT_GE(lines.lines.size(), 4u);
  EXPECT_EQ(lines.lines[0], "S: 220 hamburger.edu ESMTP");
  EXPECT_EQ(lines.lines[1], "C: EHLO crepes.fr");
  EXPECT_EQ(lines.lines[2], "S: 250-hamburger.edu");
  EXPECT_EQ(lines.lines.back(), "S: 221 2.0.0 Bye");
}

TEST(SmtpClientDeliver, WithoutPipeliningOneCommandAtATime) {
  Scripted s;
  s.ehlo = {"250 hamburger.edu"};
  ClientOptions o;
  o.tls = TlsMode::Opportunistic;  // not offered: plaintext
  const Transaction t = transaction();
  const DeliveryResult r = run(s, t, o);
  EXPECT_TRUE(r.delivered()) << reply_summary(r.reply);
  EXPECT_FALSE(r.tls);
  EXPECT_TRUE(s.received.starts_with("EHLO localhost\r\n"));
}

TEST(SmtpClientDeliver, GreetingDeadline) {
  Scripted s;
  s.silent = true;
  ClientOptions o;
  o.tls = TlsMode::None;
  o.greeting_timeout = std::chrono::seconds(1);
  const Transaction t = transaction();
  const auto start = std::chrono::steady_clock::now();
  const DeliveryResult r = run(s, t, o);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(r.failed_at, DeliveryResult::Stage::Greeting);
  EXPECT_EQ(r.reply, (Reply{0, "no reply within 1 s"}));
  EXPECT_TRUE(r.temporary());
}

TEST(SmtpClientDeliver, RequiredTlsNotOfferedFails) {
  Scripted s;
  ClientOptions o;
  o.tls = TlsMode::Required;
  const Transaction t = transaction();
  const DeliveryResult r = run(s, t, o);
  EXPECT_EQ(r.failed_at, DeliveryResult::Stage::StartTls);
  EXPECT_TRUE(s.received.ends_with("QUIT\r\n"));
}

// RFC 3207 §4.2's twin of CVE-2011-0411: a reply that came with the 220 would be read as if protected.
TEST(SmtpClientDeliver, BytesAfterStartTlsGoAheadAreRefused) {
  Scripted s;
  s.starttls_injection = true;
  s.ehlo = {"250-hamburger.edu", "250 STARTTLS"};
  ClientOptions o;
  o.tls = TlsMode::Required;
  const Transaction t = transaction();
  const DeliveryResult r = run(s, t, o);
  EXPECT_EQ(r.failed_at, DeliveryResult::Stage::StartTls);
  EXPECT_EQ(r.reply, (Reply{0, "the server sent more after its 220 to STARTTLS"}));
  EXPECT_EQ(s.received.find("MAIL"), std::string::npos);
}

}  // namespace
}  // namespace endhost::smtp::client
