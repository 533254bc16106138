// ServerSession through its API: what transcripts cannot show (actions and their fields, UPDATE against a
// dropped connection or a timeout, the bounded writer under a large message or listing, body chunks split
// at every byte, lines handed in while an action is outstanding, --trace masking).
#include <gtest/gtest.h>

#include "fake_pop3_io.hpp"
#include "pop3/server_session.hpp"
#include "smtp/sasl.hpp"

namespace endhost::pop3 {
namespace {

using test::FakeMessage;
using test::FakeOptions;
using test::FakePop3Io;

std::string drain(ServerSession& s) {
  std::string out(s.writer().pending());
  s.writer().consumed(out.size());
  return out;
}

ServerConfig loopback() {
  ServerConfig c = test::default_config();
  c.peer_is_trusted = true;
  return c;
}

FakeOptions bob_with(std::vector<FakeMessage> messages) {
  FakeOptions o;
  o.config = loopback();
  o.mailboxes["bob"] = std::move(messages);
  return o;
}

// What a POP3 client gets from a multi-line body: dot-unstuffed, line ends as they came.
std::string unstuffed(std::string_view wire) {
  std::string out;
  bool line_start = true;
  for (std::size_t i = 0; i < wire.size(); ++i) {
    if (line_start && wire[i] == '.') {
      line_start = false;
      continue;
    }
    out += wire[i];
    line_start = wire[i] == '\n';
  }
  return out;
}

// The bytes of a file as the wire carries them: every line end CRLF.
std::string crlf(std::string_view file) {
  std::string out;
  for (std::size_t i = 0; i < file.size(); ++i) {
    if (file[i] == '\r' || file[i] == '\n') {
      out += "\r\n";
      if (file[i] == '\r' && i + 1 < file.size() && file[i + 1] == '\n') ++i;
    } else {
      out += file[i];
    }
  }
  return out;
}

void login(FakePop3Io& io) {
  io.receive("USER bob\r\nPASS secret\r\n");
  const std::string out = io.take_output();
  ASSERT_NE(out.find("maildrop has"), std::string::npos) << out;
  io.take_notes();
}

TEST(Pop3ServerSession, GreetingRefuseAndTimeout) {
  ServerSession a(loopback());
  a.greeting();
  EXPECT_EQ(drain(a), "+OK hamburger.edu POP3 endhost ready\r\n");
  EXPECT_EQ(a.read_timeout(), std::chrono::seconds(600));  // RFC 1939 §3: at least 10 minutes
  ServerSession b(loopback());
  EXPECT_TRUE(std::holds_alternative<action::Close>(b.refuse("Too many connections")));
  EXPECT_EQ(drain(b), "-ERR [SYS/TEMP] Too many connections\r\n");
  EXPECT_TRUE(b.closing());
  EXPECT_TRUE(std::holds_alternative<action::None>(b.on_line("CAPA")));
  EXPECT_EQ(drain(b), "");
}

TEST(Pop3ServerSession, LoginActions) {
  ServerConfig c = loopback();
  c.timeouts.auth_failure_delay = std::chrono::milliseconds(1500);
  ServerSession s(c);
  s.greeting();
  EXPECT_EQ(s.on_line("USER bob"), Action(action::None{}));
  const Action verify = s.on_line("PASS two words");
  EXPECT_EQ(verify, Action(action::VerifyLogin{"bob", "two words", std::chrono::milliseconds(1500)}));
  EXPECT_EQ(s.login_result(true), Action(action::OpenMailbox{"bob"}));
  EXPECT_FALSE(s.authenticated());
  Mailbox box{MailboxStatus::Opened, {{7, 10, "a"}, {9, 20, "b"}}};
  EXPECT_EQ(s.mailbox_opened(box), Action(action::None{}));
  EXPECT_TRUE(s.authenticated());
  EXPECT_EQ(s.state(), State::Transaction);
  EXPECT_EQ(s.user(), "bob");
  EXPECT_EQ(s.messages(), box.messages);
  drain(s);
  // Completions that are not awaited do nothing.
  EXPECT_EQ(s.login_result(true), Action(action::None{}));
  EXPECT_EQ(s.mailbox_opened(box), Action(action::None{}));
  EXPECT_EQ(s.message_opened(MessageStatus::Opened), Action(action::None{}));
  EXPECT_EQ(s.update_done(true), Action(action::None{}));
  EXPECT_EQ(drain(s), "");
}

TEST(Pop3ServerSession, AuthPlainInitialResponseMayPass255) {
  ServerSession s(loopback());
  s.greeting();
  drain(s);
  const std::string password(200, 'p');  // RFC 4616 §2: at most 255
  const std::string ir = smtp::base64_encode(std::string("bob\0bob\0", 8) + password);
  ASSERT_GT(ir.size(), 255u);
  const Action a = s.on_line("AUTH PLAIN " + ir);  // RFC 5034 §4: not bound by RFC 2449's 255
  ASSERT_TRUE(std::holds_alternative<action::VerifyLogin>(a));
  EXPECT_EQ(std::get<action::VerifyLogin>(a).password, password);
  EXPECT_EQ(s.login_result(false), Action(action::None{}));
  EXPECT_EQ(drain(s), "-ERR [AUTH] Authentication failed.\r\n");
  // Any other command is held to 255 with CRLF.
  EXPECT_EQ(s.on_line("USER " + std::string(248, 'b')), Action(action::None{}));
  EXPECT_EQ(drain(s), "+OK\r\n");
  EXPECT_EQ(s.on_line("USER " + std::string(249, 'b')), Action(action::None{}));
  EXPECT_EQ(drain(s), "-ERR Line too long\r\n");
}

TEST(Pop3ServerSession, QuitInTransactionUpdatesExpungedAndSeen) {
  FakePop3Io io(bob_with(test::standard_mailbox()));
  login(io);
  io.receive("RETR 1\r\nRETR 3\r\nTOP 2 0\r\nDELE 1\r\nDELE 2\r\nQUIT\r\n");
  EXPECT_EQ(io.take_notes(), std::vector<std::string>{"update expunge 1 2 seen 3"});
  EXPECT_TRUE(io.closed());
  ASSERT_EQ(io.mailboxes().at("bob").size(), 1u);
  EXPECT_EQ(io.mailboxes().at("bob")[0].uid, 3u);
  EXPECT_EQ(io.seen(), std::set<std::uint32_t>{3});  // TOP is not a retrieval; deleted ones need no \Seen
  EXPECT_EQ(io.session().stats().retrieved, 2u);
  EXPECT_EQ(io.session().stats().deleted, 2u);
}

TEST(Pop3ServerSession, DroppedConnectionAndTimeoutDeleteNothing) {
  {
    FakePop3Io io(bob_with(test::standard_mailbox()));
    login(io);
    io.receive("DELE 1\r\nRETR 2\r\n");
    io.take_output();
    // The connection drops here: no QUIT, so no Update was ever asked for.
    EXPECT_TRUE(io.take_notes().empty());
    EXPECT_EQ(io.mailboxes().at("bob").size(), 3u);
    EXPECT_TRUE(io.seen().empty());
  }
  ServerSession s(loopback());
  s.greeting();
  s.on_line("USER bob");
  s.on_line("PASS secret");
  s.login_result(true);
  s.mailbox_opened({MailboxStatus::Opened, {{1, 10, "a"}}});
  s.on_line("DELE 1");
  drain(s);
  EXPECT_EQ(s.on_timeout(), Action(action::Close{}));  // RFC 1939 §3: no UPDATE
  EXPECT_EQ(drain(s), "");                             // and no response
  EXPECT_TRUE(s.closing());
  EXPECT_EQ(s.on_line("QUIT"), Action(action::None{}));
  EXPECT_EQ(s.on_timeout(), Action(action::None{}));
  EXPECT_EQ(drain(s), "");
}

TEST(Pop3ServerSession, RsetThenQuitChangesNothing) {
  ServerSession s(loopback());
  s.greeting();
  s.on_line("USER bob");
  s.on_line("PASS secret");
  s.login_result(true);
  s.mailbox_opened({MailboxStatus::Opened, {{1, 10, "a"}, {2, 20, "b"}}});
  s.on_line("DELE 2");
  s.on_line("RSET");
  EXPECT_EQ(s.on_line("QUIT"), Action(action::Update{}));
  EXPECT_EQ(s.state(), State::Update);
  EXPECT_EQ(s.update_done(true), Action(action::Close{}));
  EXPECT_NE(drain(s).find("+OK hamburger.edu POP3 server signing off (2 messages left)\r\n"),
            std::string::npos);
}

TEST(Pop3ServerSession, BodyChunksSplitAtEveryByte) {
  const auto box = test::standard_mailbox();
  for (std::size_t m = 0; m < box.size(); ++m) {
    for (const std::string command : {"RETR", "TOP"}) {
      const std::string line =
          command + " " + std::to_string(m + 1) + (command == "TOP" ? " 1" : "") + "\r\n";
      FakePop3Io whole(bob_with(box));
      login(whole);
      whole.receive(line);
      const std::string want = whole.take_output();
      for (std::size_t chunk = 1; chunk <= box[m].bytes.size(); ++chunk) {
        FakeOptions o = bob_with(box);
        o.chunk = chunk;
        FakePop3Io io(o);
        login(io);
        io.receive(line);
        EXPECT_EQ(io.take_output(), want) << line << " in chunks of " << chunk;
      }
    }
  }
  // RETR of the bare-LF message: CRLF on the wire, dots doubled, and the client's copy is the file's.
  FakePop3Io io(bob_with(box));
  login(io);
  io.receive("RETR 2\r\n");
  const std::string out = io.take_output();
  const std::string status = "+OK 61 octets\r\n";
  ASSERT_EQ(out.substr(0, status.size()), status);
  const std::string body = out.substr(status.size());
  EXPECT_EQ(body.find("\n\n"), std::string::npos);
  EXPECT_NE(body.find("\r\n..hidden\r\n"), std::string::npos);
  EXPECT_EQ(body.substr(body.size() - 5), "\r\n.\r\n");
  EXPECT_EQ(unstuffed(body.substr(0, body.size() - 3)), crlf(box[1].bytes));
  EXPECT_EQ(crlf(box[1].bytes).size(), 61u);  // the size LIST and RETR say is the CRLF copy's
}

TEST(Pop3ServerSession, LargeMessageGoesOutThroughTheBoundedWriter) {
  // The worst case for stuffing: lines that start with a dot, LF line ends. 4 MiB.
  std::string file;
  while (file.size() < (4u << 20)) file += ".line with a leading dot\n";
  FakeOptions o = bob_with({{0, "big", file, 0}});
  FakePop3Io io(o);
  login(io);
  io.receive("RETR 1\r\n");
  const std::string out = io.take_output();
  EXPECT_GT(io.flushes(), 50u);  // 4 MiB of output through a 64 KiB writer
  EXPECT_LE(io.largest_pending(), text::WriterLimits{}.max_buffer);  // never buffered whole
  const std::size_t status = out.find("\r\n") + 2;
  EXPECT_EQ(out.substr(0, status), "+OK " + std::to_string(crlf(file).size()) + " octets\r\n");
  EXPECT_EQ(unstuffed(out.substr(status, out.size() - status - 3)), crlf(file));
  EXPECT_EQ(io.session().stats().retrieved_bytes, file.size());
}

TEST(Pop3ServerSession, TopStopsReadingAtTheCut) {
  std::string file = "Subject: big\r\n\r\n";
  while (file.size() < (1u << 20)) file += "body line\r\n";
  FakeOptions o = bob_with({{0, "big", file, 0}});
  o.chunk = 4096;
  FakePop3Io io(o);
  login(io);
  io.receive("TOP 1 2\r\n");
  EXPECT_EQ(io.take_output(), "+OK\r\nSubject: big\r\n\r\nbody line\r\nbody line\r\n.\r\n");
  EXPECT_EQ(io.session().stats().retrieved, 0u);
}

TEST(Pop3ServerSession, LargeListingIsSentInPieces) {
  std::vector<FakeMessage> many;
  for (int i = 0; i < 20'000; ++i) many.push_back({0, "uid-" + std::to_string(i), "x\r\n", 0});
  FakePop3Io io(bob_with(many));
  login(io);
  io.receive("DELE 5\r\n");
  io.take_output();
  for (const std::string command : {"LIST", "UIDL"}) {
    io.receive(command + "\r\n");
    const std::string out = io.take_output();
    EXPECT_LE(io.largest_pending(), text::WriterLimits{}.max_buffer);
    std::size_t lines = 0;
    for (std::size_t at = out.find("\r\n"); at != std::string::npos; at = out.find("\r\n", at + 2)) ++lines;
    EXPECT_EQ(lines, 1 + 19'999 + 1) << command;  // status, every message but the deleted one, the dot
    EXPECT_EQ(out.find("\r\n5 "), std::string::npos);
    EXPECT_NE(out.find(command == "LIST" ? "\r\n20000 3\r\n.\r\n" : "\r\n20000 uid-19999\r\n.\r\n"),
              std::string::npos);
  }
  EXPECT_GT(io.flushes(), 2u);
}

TEST(Pop3ServerSession, LinesHandedInWhileAnActionIsOutstandingWaitTheirTurn) {
  ServerSession s(loopback());
  s.greeting();
  s.on_line("USER bob");
  ASSERT_TRUE(std::holds_alternative<action::VerifyLogin>(s.on_line("PASS secret")));
  EXPECT_EQ(s.on_line("STAT"), Action(action::None{}));
  EXPECT_EQ(s.on_line("RETR 1"), Action(action::None{}));
  EXPECT_EQ(s.login_result(true), Action(action::OpenMailbox{"bob"}));
  EXPECT_EQ(s.mailbox_opened({MailboxStatus::Opened, {{4, 3, "a"}}}), Action(action::None{}));
  drain(s);
  EXPECT_EQ(s.poll(), Action(action::OpenMessage{4}));  // STAT ran; RETR asks for the message
  EXPECT_EQ(drain(s), "+OK 1 3\r\n");
  const Action read = s.message_opened(MessageStatus::Opened);
  ASSERT_TRUE(std::holds_alternative<action::ReadMessage>(read));
  EXPECT_GE(std::get<action::ReadMessage>(read).max, 512u);
  EXPECT_EQ(s.message_chunk("x\r\n", true), Action(action::None{}));
  EXPECT_EQ(drain(s), "+OK 3 octets\r\nx\r\n.\r\n");
  EXPECT_EQ(s.poll(), Action(action::None{}));

  // Past max_deferred the session gives up on the client.
  ServerConfig c = loopback();
  c.limits.max_deferred = 2;
  ServerSession t(c);
  t.on_line("USER bob");
  t.on_line("PASS secret");
  t.on_line("NOOP");
  t.on_line("NOOP");
  EXPECT_EQ(t.on_line("NOOP"), Action(action::Close{}));
}

TEST(Pop3ServerSession, StlsDropsWhatCameInTheClear) {
  ServerConfig c = test::default_config();
  c.tls_available = true;
  ServerSession s(c);
  s.greeting();
  s.on_line("USER bob");  // refused: not loopback, no TLS
  EXPECT_EQ(s.on_line("STLS"), Action(action::StartTls{}));
  EXPECT_EQ(s.on_line("CAPA"), Action(action::None{}));  // in the clear after STLS: never run
  drain(s);
  EXPECT_EQ(s.tls_ready(true), Action(action::None{}));
  EXPECT_TRUE(s.tls_active());
  EXPECT_EQ(s.poll(), Action(action::None{}));
  EXPECT_EQ(drain(s), "");
  ServerSession failed(c);
  failed.on_line("STLS");
  EXPECT_EQ(failed.tls_ready(false), Action(action::Close{}));
  EXPECT_TRUE(failed.closing());
}

TEST(Pop3ServerSession, ReadingThatBreaksOffCloses) {
  ServerSession s(loopback());
  s.on_line("USER bob");
  s.on_line("PASS secret");
  s.login_result(true);
  s.mailbox_opened({MailboxStatus::Opened, {{1, 10, "a"}}});
  EXPECT_EQ(s.on_line("RETR 1"), Action(action::OpenMessage{1}));
  ASSERT_TRUE(std::holds_alternative<action::ReadMessage>(s.message_opened(MessageStatus::Opened)));
  ASSERT_TRUE(std::holds_alternative<action::ReadMessage>(s.message_chunk("part", false)));
  EXPECT_EQ(s.message_failed(), Action(action::Close{}));
  EXPECT_TRUE(s.closing());
  EXPECT_EQ(s.stats().retrieved, 0u);
}

TEST(Pop3ServerSession, TraceHidesPasswords) {
  EXPECT_EQ(ServerSession::traceable("PASS hunter2", false), "PASS ****");
  EXPECT_EQ(ServerSession::traceable("pass two words", false), "pass ****");
  EXPECT_EQ(ServerSession::traceable("AUTH PLAIN AGJvYgBzZWNyZXQ=", false), "AUTH PLAIN ****");
  EXPECT_EQ(ServerSession::traceable("AUTH PLAIN", false), "AUTH PLAIN");
  EXPECT_EQ(ServerSession::traceable("AGJvYgBzZWNyZXQ=", true), "****");
  EXPECT_EQ(ServerSession::traceable("*", true), "*");
  EXPECT_EQ(ServerSession::traceable("APOP bob c4c9334bac560ecc979e58001b3e22fb", false),
            "APOP bob c4c9334bac560ecc979e58001b3e22fb");  // a one-time digest
  EXPECT_EQ(ServerSession::traceable("USER bob\x1b[2J", false), "USER bob?[2J");
  ServerSession s(loopback());
  s.on_line("AUTH PLAIN");
  EXPECT_TRUE(s.sasl_pending());
  s.on_line("*");
  EXPECT_FALSE(s.sasl_pending());
}

TEST(Pop3ServerSession, ReaderConfigAllowsSaslButNotLongCommands) {
  const text::ReaderConfig r = ServerSession::reader_config(ServerLimits{});
  EXPECT_EQ(r.line_ending, text::LineEnding::Crlf);
  EXPECT_EQ(r.limits.max_line, ServerLimits{}.max_auth_line);
  EXPECT_GE(r.limits.max_buffer, r.limits.max_line + 2);
}

}  // namespace
}  // namespace endhost::pop3
