// ServerSession through its API: what transcripts cannot show (actions and their fields, the envelope, the
// body's bound, deadlines, lines handed in while an action is outstanding, --trace masking).
#include <gtest/gtest.h>

#include "fake_smtp_io.hpp"
#include "smtp/server_session.hpp"

namespace endhost::smtp {
namespace {

using test::FakeOptions;
using test::FakePolicy;

std::string drain(ServerSession& s) {
  std::string out(s.writer().pending());
  s.writer().consumed(out.size());
  return out;
}

ServerConfig config() {
  return test::default_config();
}

// Up to RCPT on a fresh session.
void to_rcpt(ServerSession& s) {
  s.greeting();
  EXPECT_TRUE(std::holds_alternative<action::None>(s.on_line("EHLO crepes.fr")));
  EXPECT_TRUE(std::holds_alternative<action::None>(s.on_line("MAIL FROM:<alice@crepes.fr> SIZE=10")));
  EXPECT_TRUE(std::holds_alternative<action::None>(s.on_line("RCPT TO:<bob@hamburger.edu>")));
  drain(s);
}

TEST(SmtpServerSession, PregreetInputIsRefused) {
  FakePolicy policy;
  ServerSession s(config(), policy);
  s.greeting();
  EXPECT_TRUE(std::holds_alternative<action::Close>(s.pregreet_input()));
  EXPECT_EQ(drain(s), "554 5.5.0 Error: SMTP protocol synchronization\r\n");
  EXPECT_TRUE(s.closing());
  EXPECT_TRUE(std::holds_alternative<action::None>(s.on_line("HELO crepes.fr")));
  EXPECT_EQ(drain(s), "");
}

TEST(SmtpServerSession, RefuseAndTimeout) {
  FakePolicy policy;
  ServerSession a(config(), policy);
  EXPECT_TRUE(std::holds_alternative<action::Close>(a.refuse("Error: too many connections")));
  EXPECT_EQ(drain(a), "421 4.3.2 hamburger.edu Error: too many connections\r\n");
  ServerSession b(config(), policy);
  b.greeting();
  drain(b);
  EXPECT_EQ(b.read_timeout(), std::chrono::seconds(300));  // RFC 5321 §4.5.3.2.7
  EXPECT_TRUE(std::holds_alternative<action::Close>(b.on_timeout()));
  EXPECT_EQ(drain(b), "421 4.4.2 hamburger.edu Error: timeout exceeded\r\n");
}

TEST(SmtpServerSession, DataActionsAndEnvelope) {
  FakePolicy policy;
  ServerConfig c = config();
  c.limits.max_message_size = 1000;
  ServerSession s(c, policy);
  to_rcpt(s);
  Action a = s.on_line("DATA");
  ASSERT_TRUE(std::holds_alternative<action::ReceiveData>(a));
  EXPECT_EQ(std::get<action::ReceiveData>(a).max_size, 1000u);
  EXPECT_EQ(s.read_timeout(), std::chrono::seconds(180));
  EXPECT_TRUE(s.ends_group_pending());
  s.body_chunk("Subject: x\r\n");
  s.body_chunk("\r\nbody\r\n");
  EXPECT_EQ(s.message(), "Subject: x\r\n\r\nbody\r\n");
  a = s.data_end(std::nullopt);
  ASSERT_TRUE(std::holds_alternative<action::Deliver>(a));
  const Envelope& e = std::get<action::Deliver>(a).envelope;
  EXPECT_EQ(e.helo, "crepes.fr");
  EXPECT_TRUE(e.esmtp);
  EXPECT_EQ(e.reverse_path, "alice@crepes.fr");
  ASSERT_EQ(e.recipients.size(), 1u);
  EXPECT_EQ(e.recipients[0].local_user, "bob");
  EXPECT_EQ(e.declared_size, 10u);
  EXPECT_EQ(drain(s), "354 Enter mail, end with \".\" on a line by itself\r\n");  // no 250 before delivery
  EXPECT_TRUE(std::holds_alternative<action::None>(s.delivered(DeliveryOutcome::Accepted, "ABC")));
  EXPECT_EQ(drain(s), "250 2.0.0 ABC Message accepted for delivery\r\n");
  EXPECT_EQ(s.message(), "");  // an idle session holds no body
  EXPECT_EQ(s.state(), State::Ready);
  EXPECT_EQ(s.stats().messages, 1u);
}

TEST(SmtpServerSession, BodyBoundedEvenIfTheReaderIsNot) {
  FakePolicy policy;
  ServerConfig c = config();
  c.limits.max_message_size = 11;
  ServerSession s(c, policy);
  to_rcpt(s);
  (void)s.on_line("DATA");
  s.body_chunk("0123456789\r\n");
  EXPECT_LE(s.message().size(), 11u);
  EXPECT_TRUE(std::holds_alternative<action::None>(s.data_end(std::nullopt)));
  EXPECT_NE(drain(s).find("552 5.3.4"), std::string::npos);
}

TEST(SmtpServerSession, DeliveryOutcomes) {
  FakePolicy policy;
  const std::pair<DeliveryOutcome, std::string_view> cases[] = {
      {DeliveryOutcome::TemporaryFailure, "451 4.3.0"}, {DeliveryOutcome::NoSpace, "452 4.3.1"},
      {DeliveryOutcome::Rejected, "554 5.7.1"},         {DeliveryOutcome::DkimFailed, "550 5.7.20"},
      {DeliveryOutcome::SpfFailed, "550 5.7.23"},
  };
  for (const auto& [outcome, reply] : cases) {
    ServerSession s(config(), policy);
    to_rcpt(s);
    (void)s.on_line("DATA");
    ASSERT_TRUE(std::holds_alternative<action::Deliver>(s.data_end(std::nullopt)));
    drain(s);
    (void)s.delivered(outcome, "");
    EXPECT_EQ(drain(s).substr(0, reply.size()), reply);
    EXPECT_EQ(s.state(), State::Ready);
  }
}

TEST(SmtpServerSession, LinesDuringDeliveryWaitTheirTurn) {
  FakePolicy policy;
  ServerSession s(config(), policy);
  to_rcpt(s);
  (void)s.on_line("DATA");
  ASSERT_TRUE(std::holds_alternative<action::Deliver>(s.data_end(std::nullopt)));
  drain(s);
  // An I/O that kept reading: the lines are kept, not answered before the 250.
  EXPECT_TRUE(std::holds_alternative<action::None>(s.on_line("NOOP")));
  EXPECT_EQ(drain(s), "");
  (void)s.delivered(DeliveryOutcome::Accepted, "Q");
  EXPECT_TRUE(std::holds_alternative<action::None>(s.poll()));
  EXPECT_EQ(drain(s), "250 2.0.0 Q Message accepted for delivery\r\n250 2.0.0 Ok\r\n");
}

TEST(SmtpServerSession, LinesAfterStartTlsAreIgnored) {
  FakePolicy policy;
  ServerConfig c = config();
  c.tls_available = true;
  ServerSession s(c, policy);
  s.greeting();
  (void)s.on_line("EHLO crepes.fr");
  ASSERT_TRUE(std::holds_alternative<action::StartTls>(s.on_line("STARTTLS")));
  drain(s);
  EXPECT_TRUE(std::holds_alternative<action::None>(s.on_line("MAIL FROM:<injected@example.org>")));
  EXPECT_TRUE(std::holds_alternative<action::None>(s.tls_ready(true)));
  EXPECT_TRUE(std::holds_alternative<action::None>(s.poll()));
  EXPECT_EQ(drain(s), "");
  EXPECT_TRUE(s.tls_active());
  EXPECT_EQ(s.state(), State::Start);
}

TEST(SmtpServerSession, VerifyLoginCarriesTheCredentials) {
  FakePolicy policy;
  ServerConfig c = config();
  c.auth_available = true;
  c.tls_active = true;
  ServerSession s(c, policy);
  s.greeting();
  (void)s.on_line("EHLO crepes.fr");
  Action a = s.on_line("AUTH PLAIN AGFsaWNlAHNlY3JldA==");
  ASSERT_TRUE(std::holds_alternative<action::VerifyLogin>(a));
  EXPECT_EQ(std::get<action::VerifyLogin>(a), (action::VerifyLogin{"alice", "secret"}));
  (void)s.login_result(true);
  EXPECT_TRUE(s.authenticated());
  EXPECT_EQ(s.authenticated_user(), "alice");
  // A completion that is not owed does nothing.
  EXPECT_TRUE(std::holds_alternative<action::None>(s.login_result(false)));
  EXPECT_TRUE(s.authenticated());
}

TEST(SmtpServerSession, Traceable) {
  EXPECT_EQ(ServerSession::traceable("AUTH PLAIN AGFsaWNlAHNlY3JldA==", false), "AUTH PLAIN ****");
  EXPECT_EQ(ServerSession::traceable("AUTH LOGIN", false), "AUTH LOGIN");
  EXPECT_EQ(ServerSession::traceable("c2VjcmV0", true), "****");
  EXPECT_EQ(ServerSession::traceable("MAIL FROM:<a@b>", false), "MAIL FROM:<a@b>");
}

TEST(SmtpServerSession, ReaderConfig) {
  const text::ReaderConfig r = ServerSession::reader_config(ServerLimits{});
  EXPECT_EQ(r.line_ending, text::LineEnding::Crlf);
  EXPECT_GE(r.limits.max_line, 12288u);  // RFC 4954 §4
}

TEST(SmtpServerSession, AuthLineMayBeLongOtherCommandsMayNot) {
  FakePolicy policy;
  ServerConfig c = config();
  c.auth_available = true;
  c.peer_is_trusted = true;
  ServerSession s(c, policy);
  s.greeting();
  (void)s.on_line("EHLO crepes.fr");
  drain(s);
  (void)s.on_line("AUTH PLAIN " + std::string(1000, 'A'));
  EXPECT_EQ(drain(s).substr(0, 3), "535");  // decoded, not refused as too long
  (void)s.on_line("NOOP " + std::string(600, 'x'));
  EXPECT_EQ(drain(s), "500 5.5.2 Error: line too long\r\n");
}

TEST(SmtpServerSession, ControlCharactersNeverReachAReply) {
  FakePolicy policy;
  ServerSession s(config(), policy);
  s.greeting();
  drain(s);
  (void)s.on_line("EHLO crepes.fr");
  drain(s);
  (void)s.on_line(std::string("MAIL FROM:<a@b.example>\r\n250 forged", 36));
  const std::string out = drain(s);
  EXPECT_EQ(out.find("\r\n250 forged"), std::string::npos) << out;
}

TEST(SmtpServerSession, FakeIoDeliversOnce) {
  FakeOptions o;
  o.config = config();
  test::FakeSmtpIo io(o);
  io.receive("HELO crepes.fr\r\n");
  io.receive("MAIL FROM:<alice@crepes.fr>\r\n");
  io.receive("RCPT TO:<bob@hamburger.edu>\r\n");
  io.receive("DATA\r\n");
  io.receive("Subject: a\r\n\r\na\r\n.\r\n");
  ASSERT_EQ(io.messages().size(), 1u);
  EXPECT_EQ(io.messages()[0], "Subject: a\r\n\r\na\r\n");
}

TEST(SmtpServerSession, GroupEndsAndStats) {
  FakePolicy policy;
  ServerSession s(config(), policy);
  s.greeting();
  (void)s.on_line("EHLO crepes.fr");
  EXPECT_TRUE(s.ends_group_pending());  // RFC 2920 §3.1: flush the EHLO reply before reading on
  (void)s.on_line("MAIL FROM:<alice@crepes.fr>", true);
  EXPECT_FALSE(s.ends_group_pending());
  (void)s.on_line("RCPT TO:<nobody@hamburger.edu>", true);
  (void)s.on_line("RCPT TO:<carol@elsewhere.example>", true);
  EXPECT_EQ(s.stats().commands, 4u);
  EXPECT_EQ(s.stats().rejected_rcpt, 2u);
  EXPECT_EQ(s.stats().errors, 2u);
  EXPECT_TRUE(std::holds_alternative<action::Close>(s.on_line("NOOP", true)));
  EXPECT_EQ(s.stats().pipelining_violations, 1u);
}

TEST(SmtpServerSession, TooManyKeptLinesEndTheSession) {
  FakePolicy policy;
  ServerSession s(config(), policy);
  to_rcpt(s);
  (void)s.on_line("DATA");
  ASSERT_TRUE(std::holds_alternative<action::Deliver>(s.data_end(std::nullopt)));
  Action last = action::None{};
  for (int i = 0; i < 40 && std::holds_alternative<action::None>(last); ++i) last = s.on_line("RSET");
  EXPECT_TRUE(std::holds_alternative<action::Close>(last));
  EXPECT_TRUE(s.closing());
}

TEST(SmtpServerSession, BdatDeadlineAndEnvelope) {
  FakePolicy policy;
  ServerSession s(config(), policy);
  to_rcpt(s);
  Action a = s.on_line("BDAT 4 LAST");
  ASSERT_TRUE(std::holds_alternative<action::ReceiveChunk>(a));
  EXPECT_EQ(std::get<action::ReceiveChunk>(a), (action::ReceiveChunk{4, true, 10'240'000}));
  EXPECT_EQ(s.read_timeout(), std::chrono::seconds(180));
  (void)s.body_chunk("ab\r\n");
  a = s.chunk_end();
  ASSERT_TRUE(std::holds_alternative<action::Deliver>(a));
  EXPECT_TRUE(std::get<action::Deliver>(a).envelope.chunked);
  EXPECT_EQ(s.message(), "\r\nab\r\n");  // no header section: an empty one, so trace fields stay apart
}

TEST(SmtpServerSession, BdatBodyGetsTheLineEndsDataWouldHave) {
  FakePolicy policy;
  ServerSession s(config(), policy);
  to_rcpt(s);
  (void)s.on_line("BDAT 28 LAST");
  (void)s.body_chunk("Subject: x\n\nline\rbare cr\nend");
  ASSERT_TRUE(std::holds_alternative<action::Deliver>(s.chunk_end()));
  EXPECT_EQ(s.message(), "Subject: x\r\n\r\nline\r\nbare cr\r\nend\r\n");
}

TEST(SmtpServerSession, HeaderlessDataGetsAnEmptyHeaderSection) {
  FakePolicy policy;
  ServerSession s(config(), policy);
  to_rcpt(s);
  (void)s.on_line("DATA");
  s.body_chunk("Do you like ketchup?\r\nHow about pickles?\r\n");  // the textbook's message
  ASSERT_TRUE(std::holds_alternative<action::Deliver>(s.data_end(std::nullopt)));
  EXPECT_EQ(s.message(), "\r\nDo you like ketchup?\r\nHow about pickles?\r\n");
}

TEST(SmtpServerSession, ImplicitTlsOffersAuthNotStartTls) {
  FakePolicy policy;
  ServerConfig c = config();
  c.tls_available = c.tls_active = c.auth_available = true;
  ServerSession s(c, policy);
  s.greeting();
  drain(s);
  (void)s.on_line("EHLO crepes.fr");
  const std::string out = drain(s);
  EXPECT_EQ(out.find("STARTTLS"), std::string::npos) << out;
  EXPECT_NE(out.find("250-AUTH PLAIN LOGIN\r\n"), std::string::npos) << out;
  (void)s.on_line("STARTTLS");
  EXPECT_EQ(drain(s), "554 5.5.1 Error: TLS already active\r\n");
}

TEST(SmtpServerSession, NothingAfterClose) {
  FakePolicy policy;
  ServerSession s(config(), policy);
  s.greeting();
  ASSERT_TRUE(std::holds_alternative<action::Close>(s.on_line("QUIT")));
  drain(s);
  EXPECT_TRUE(std::holds_alternative<action::None>(s.on_timeout()));
  EXPECT_TRUE(std::holds_alternative<action::None>(s.on_read_error(text::ReadError::BareLf)));
  EXPECT_TRUE(std::holds_alternative<action::None>(s.on_line("HELO x")));
  EXPECT_EQ(drain(s), "");
}

}  // namespace
}  // namespace endhost::smtp
