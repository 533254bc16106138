// The sans-I/O client driven by replies alone: what it sends, in which order, and what it concludes.
#include "smtp/client/client_session.hpp"

#include <gtest/gtest.h>

namespace endhost::smtp::client {
namespace {

using Stage = DeliveryResult::Stage;

text::CodedReply multi(int code, std::vector<std::string> lines) {
  return text::CodedReply{code, std::move(lines)};
}
text::CodedReply reply(int code, std::string line = "ok") {
  return multi(code, {std::move(line)});
}

// Takes what the session has to send.
std::string out(ClientSession& s) {
  std::string bytes(s.pending());
  s.consumed(bytes.size());
  return bytes;
}

Transaction textbook() {
  Transaction t;
  t.sender = "alice@crepes.fr";
  t.recipients = {"bob@hamburger.edu"};
  t.message = "Do you like ketchup?\r\nHow about pickles?\r\n";
  return t;
}

SessionSettings plain() {
  SessionSettings s;
  s.helo_name = "crepes.fr";
  s.tls = TlsMode::None;
  return s;
}

// The textbook's session (Kurose & Ross §2.3.1), with EHLO and no extensions.
TEST(SmtpClientSession, TextbookConversation) {
  const Transaction t = textbook();
  ClientSession s(plain(), t);
  EXPECT_EQ(s.timeout(), TimeoutKind::Greeting);
  EXPECT_EQ(out(s), "");
  s.on_reply(reply(220, "hamburger.edu"));
  EXPECT_EQ(out(s), "EHLO crepes.fr\r\n");
  s.on_reply(reply(250, "Hello crepes.fr, pleased to meet you"));
  EXPECT_EQ(out(s), "MAIL FROM:<alice@crepes.fr>\r\n");
  s.on_reply(reply(250, "alice@crepes.fr ... Sender ok"));
  EXPECT_EQ(out(s), "RCPT TO:<bob@hamburger.edu>\r\n");
  s.on_reply(reply(250, "bob@hamburger.edu ... Recipient ok"));
  EXPECT_EQ(out(s), "DATA\r\n");
  s.on_reply(reply(354, "Enter mail, end with \".\" on a line by itself"));
  EXPECT_TRUE(s.sending_body());
  EXPECT_EQ(s.timeout(), TimeoutKind::DataEnd);
  EXPECT_EQ(out(s), "Do you like ketchup?\r\nHow about pickles?\r\n.\r\n");
  EXPECT_FALSE(s.sending_body());
  s.on_reply(reply(250, "Message accepted for delivery"));
  EXPECT_EQ(out(s), "QUIT\r\n");
  EXPECT_EQ(s.next(), Next::ReadReply);
  s.on_reply(reply(221, "hamburger.edu closing connection"));
  EXPECT_EQ(s.next(), Next::Close);
  EXPECT_TRUE(s.result().delivered());
  EXPECT_EQ(s.result().reply, (Reply{250, "Message accepted for delivery"}));
  ASSERT_EQ(s.result().recipients.size(), 1u);
  EXPECT_EQ(s.result().recipients[0].recipient, "bob@hamburger.edu");
  const auto trace = s.take_trace();
  EXPECT_EQ(trace.front(), "EHLO crepes.fr");
  EXPECT_EQ(trace.back(), "QUIT");
  EXPECT_NE(std::find(trace.begin(), trace.end(), "Do you like ketchup?"), trace.end());
  EXPECT_NE(std::find(trace.begin(), trace.end(), "."), trace.end());
}

TEST(SmtpClientSession, DotStuffingAndBareLineEnds) {
  Transaction t = textbook();
  t.message = ".hidden\n..two\r\nlast";
  ClientSession s(plain(), t);
  s.on_reply(reply(220));
  s.on_reply(reply(250));
  s.on_reply(reply(250));
  s.on_reply(reply(250));
  out(s);
  s.on_reply(reply(354));
  EXPECT_EQ(out(s), "..hidden\r\n...two\r\nlast\r\n.\r\n");
}

TEST(SmtpClientSession, PipeliningSendsOneGroup) {
  Transaction t = textbook();
  t.recipients = {"bob@hamburger.edu", "nobody@hamburger.edu", "carol@hamburger.edu"};
  ClientSession s(plain(), t);
  s.on_reply(reply(220));
  out(s);
  s.on_reply(multi(250, {"hamburger.edu", "PIPELINING", "SIZE 1000", "8BITMIME"}));
  EXPECT_EQ(out(s),
            "MAIL FROM:<alice@crepes.fr> SIZE=42\r\nRCPT TO:<bob@hamburger.edu>\r\n"
            "RCPT TO:<nobody@hamburger.edu>\r\nRCPT TO:<carol@hamburger.edu>\r\nDATA\r\n");
  s.on_reply(reply(250, "2.1.0 Ok"));
  s.on_reply(reply(250, "2.1.5 Ok"));
  s.on_reply(reply(550, "5.1.1 no such user"));
  s.on_reply(reply(250, "2.1.5 Ok"));
  EXPECT_EQ(out(s), "");
  s.on_reply(reply(354, "End data with <CR><LF>.<CR><LF>"));
  EXPECT_TRUE(out(s).ends_with("\r\n.\r\n"));
  s.on_reply(reply(250, "2.0.0 Ok: queued as 1"));
  EXPECT_EQ(out(s), "QUIT\r\n");
  EXPECT_TRUE(s.result().delivered());
  ASSERT_EQ(s.result().recipients.size(), 3u);
  EXPECT_EQ(s.result().recipients[1].reply.code, 550);
  EXPECT_EQ(s.result().recipients[1].reply.text, "5.1.1 no such user");
}

TEST(SmtpClientSession, PipelinedAllRecipientsRefusedAbsorbsDataAndQuits) {
  Transaction t = textbook();
  ClientSession s(plain(), t);
  s.on_reply(reply(220));
  s.on_reply(multi(250, {"x", "PIPELINING"}));
  out(s);
  s.on_reply(reply(250));
  s.on_reply(reply(550, "5.1.1 unknown"));
  EXPECT_EQ(out(s), "");
  s.on_reply(reply(554, "5.5.1 no valid recipients"));
  EXPECT_EQ(out(s), "QUIT\r\n");
  EXPECT_EQ(s.result().failed_at, Stage::Rcpt);
  EXPECT_EQ(s.result().reply.code, 550);
  EXPECT_FALSE(s.result().temporary());
}

TEST(SmtpClientSession, PipelinedDataAcceptedWithoutRecipientsGetsAnEmptyBody) {
  Transaction t = textbook();
  ClientSession s(plain(), t);
  s.on_reply(reply(220));
  s.on_reply(multi(250, {"x", "PIPELINING"}));
  out(s);
  s.on_reply(reply(250));
  s.on_reply(reply(450, "4.2.0 try later"));
  s.on_reply(reply(354));
  EXPECT_EQ(out(s), ".\r\n");
  s.on_reply(reply(554, "no"));
  EXPECT_EQ(out(s), "QUIT\r\n");
  EXPECT_EQ(s.result().failed_at, Stage::Rcpt);
  EXPECT_TRUE(s.result().temporary());
}

TEST(SmtpClientSession, RefusedSenderStopsBeforeRcpt) {
  const Transaction t = textbook();
  ClientSession s(plain(), t);
  s.on_reply(reply(220));
  s.on_reply(reply(250));
  out(s);
  s.on_reply(reply(553, "5.7.1 sender rejected"));
  EXPECT_EQ(out(s), "QUIT\r\n");
  EXPECT_EQ(s.result().failed_at, Stage::Mail);
  EXPECT_EQ(reply_summary(s.result().reply), "553 5.7.1 sender rejected");
}

TEST(SmtpClientSession, GreetingRefusedAnd421ClosesWithoutQuit) {
  const Transaction t = textbook();
  ClientSession refused(plain(), t);
  refused.on_reply(reply(554, "no SMTP service here"));
  EXPECT_EQ(out(refused), "QUIT\r\n");
  EXPECT_EQ(refused.result().failed_at, Stage::Greeting);

  ClientSession busy(plain(), t);
  busy.on_reply(reply(421, "4.3.2 too busy"));
  EXPECT_EQ(out(busy), "");
  EXPECT_EQ(busy.next(), Next::Close);
  EXPECT_EQ(busy.result().failed_at, Stage::Greeting);
  EXPECT_TRUE(busy.result().temporary());
}

TEST(SmtpClientSession, HeloWhenEhloIsUnknown) {
  const Transaction t = textbook();
  ClientSession s(plain(), t);
  s.on_reply(reply(220));
  out(s);
  s.on_reply(reply(502, "5.5.1 command not implemented"));
  EXPECT_EQ(out(s), "HELO crepes.fr\r\n");
  s.on_reply(reply(250));
  EXPECT_EQ(out(s), "MAIL FROM:<alice@crepes.fr>\r\n");
}

TEST(SmtpClientSession, OpportunisticStartTlsThenEhloAgain) {
  const Transaction t = textbook();
  SessionSettings settings = plain();
  settings.tls = TlsMode::Opportunistic;
  ClientSession s(settings, t);
  s.on_reply(reply(220));
  out(s);
  s.on_reply(multi(250, {"x", "STARTTLS", "PIPELINING"}));
  EXPECT_EQ(out(s), "STARTTLS\r\n");
  s.on_reply(reply(220, "2.0.0 Ready to start TLS"));
  EXPECT_EQ(s.next(), Next::StartTls);
  s.tls_ready(true);
  EXPECT_TRUE(s.tls_active());
  EXPECT_EQ(out(s), "EHLO crepes.fr\r\n");
  EXPECT_FALSE(s.extensions().pipelining);  // RFC 3207 §4.2: forgotten
  s.on_reply(multi(250, {"x", "PIPELINING"}));
  EXPECT_TRUE(out(s).starts_with("MAIL FROM:<alice@crepes.fr>\r\nRCPT TO:"));
  EXPECT_TRUE(s.result().tls);
}

TEST(SmtpClientSession, OpportunisticWithoutOfferStaysPlainButRequiredFails) {
  const Transaction t = textbook();
  SessionSettings settings = plain();
  settings.tls = TlsMode::Opportunistic;
  ClientSession may(settings, t);
  may.on_reply(reply(220));
  out(may);
  may.on_reply(reply(250));
  EXPECT_EQ(out(may), "MAIL FROM:<alice@crepes.fr>\r\n");

  settings.tls = TlsMode::Required;
  ClientSession must(settings, t);
  must.on_reply(reply(220));
  out(must);
  must.on_reply(reply(250));
  EXPECT_EQ(out(must), "QUIT\r\n");
  EXPECT_EQ(must.result().failed_at, Stage::StartTls);
  EXPECT_EQ(must.result().reply.text, "the server does not offer STARTTLS");
}

TEST(SmtpClientSession, RequiredStartTlsRefusedOrHandshakeFailed) {
  const Transaction t = textbook();
  SessionSettings settings = plain();
  settings.tls = TlsMode::Required;
  ClientSession refused(settings, t);
  refused.on_reply(reply(220));
  refused.on_reply(multi(250, {"x", "STARTTLS"}));
  out(refused);
  refused.on_reply(reply(454, "4.7.0 TLS not available"));
  EXPECT_EQ(out(refused), "QUIT\r\n");
  EXPECT_EQ(refused.result().failed_at, Stage::StartTls);

  ClientSession broken(settings, t);
  broken.on_reply(reply(220));
  broken.on_reply(multi(250, {"x", "STARTTLS"}));
  out(broken);
  broken.on_reply(reply(220));
  broken.tls_ready(false, "certificate verify failed");
  EXPECT_EQ(out(broken), "");
  EXPECT_EQ(broken.next(), Next::Close);
  EXPECT_EQ(broken.result().reply, (Reply{0, "certificate verify failed"}));
}

TEST(SmtpClientSession, AuthPlainWithInitialResponse) {
  const Transaction t = textbook();
  SessionSettings settings = plain();
  settings.auth = std::pair{std::string("alice"), std::string("secret")};
  ClientSession s(settings, t);
  s.on_reply(reply(220));
  out(s);
  s.on_reply(multi(250, {"x", "AUTH LOGIN PLAIN"}));
  // RFC 4616 §2: base64("\0alice\0secret").
  EXPECT_EQ(out(s), "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
  s.on_reply(reply(235, "2.7.0 Authentication successful"));
  EXPECT_EQ(out(s), "MAIL FROM:<alice@crepes.fr>\r\n");
  const auto trace = s.take_trace();
  EXPECT_NE(std::find(trace.begin(), trace.end(), "AUTH PLAIN ****"), trace.end());
}

TEST(SmtpClientSession, AuthLoginAndItsFailure) {
  const Transaction t = textbook();
  SessionSettings settings = plain();
  settings.auth = std::pair{std::string("alice"), std::string("secret")};
  ClientSession s(settings, t);
  s.on_reply(reply(220));
  out(s);
  s.on_reply(multi(250, {"x", "AUTH LOGIN"}));
  EXPECT_EQ(out(s), "AUTH LOGIN\r\n");
  s.on_reply(reply(334, "VXNlcm5hbWU6"));
  EXPECT_EQ(out(s), "YWxpY2U=\r\n");
  s.on_reply(reply(334, "UGFzc3dvcmQ6"));
  EXPECT_EQ(out(s), "c2VjcmV0\r\n");
  s.on_reply(reply(535, "5.7.8 Authentication credentials invalid"));
  EXPECT_EQ(out(s), "QUIT\r\n");
  EXPECT_EQ(s.result().failed_at, Stage::Auth);
  EXPECT_EQ(s.result().reply.code, 535);
}

TEST(SmtpClientSession, AuthNotOffered) {
  const Transaction t = textbook();
  SessionSettings settings = plain();
  settings.auth = std::pair{std::string("alice"), std::string("secret")};
  ClientSession s(settings, t);
  s.on_reply(reply(220));
  out(s);
  s.on_reply(reply(250));
  EXPECT_EQ(out(s), "QUIT\r\n");
  EXPECT_EQ(s.result().failed_at, Stage::Auth);
}

TEST(SmtpClientSession, SizeSmtpUtf8AndEightBitParameters) {
  Transaction t = textbook();
  t.smtputf8 = true;
  t.eight_bit = true;
  ClientSession s(plain(), t);
  s.on_reply(reply(220));
  out(s);
  s.on_reply(multi(250, {"x", "SIZE", "8BITMIME", "SMTPUTF8"}));
  EXPECT_EQ(out(s), "MAIL FROM:<alice@crepes.fr> SIZE=42 BODY=8BITMIME SMTPUTF8\r\n");

  ClientSession no_utf8(plain(), t);
  no_utf8.on_reply(reply(220));
  out(no_utf8);
  no_utf8.on_reply(reply(250));
  EXPECT_EQ(out(no_utf8), "QUIT\r\n");
  EXPECT_EQ(no_utf8.result().failed_at, Stage::Mail);
  EXPECT_EQ(no_utf8.result().reply.code, 554);

  const Transaction big = textbook();
  ClientSession too_big(plain(), big);
  too_big.on_reply(reply(220));
  out(too_big);
  too_big.on_reply(multi(250, {"x", "SIZE 10"}));
  EXPECT_EQ(out(too_big), "QUIT\r\n");
  EXPECT_EQ(too_big.result().reply.code, 552);
}

TEST(SmtpClientSession, ChunkingSendsBdatLast) {
  Transaction t = textbook();
  t.message = "line\n.dot\r\n";
  SessionSettings settings = plain();
  settings.use_chunking = true;
  ClientSession s(settings, t);
  s.on_reply(reply(220));
  out(s);
  s.on_reply(multi(250, {"x", "CHUNKING"}));
  out(s);
  s.on_reply(reply(250));
  EXPECT_EQ(out(s), "RCPT TO:<bob@hamburger.edu>\r\n");
  s.on_reply(reply(250));
  EXPECT_EQ(out(s), "BDAT 12 LAST\r\nline\r\n.dot\r\n");
  EXPECT_EQ(s.timeout(), TimeoutKind::DataEnd);
  s.on_reply(reply(250, "2.0.0 Ok"));
  EXPECT_TRUE(s.result().delivered());
}

TEST(SmtpClientSession, NetworkErrorNamesTheStageButNotAfterSuccess) {
  const Transaction t = textbook();
  ClientSession s(plain(), t);
  s.on_reply(reply(220));
  s.on_reply(reply(250));
  out(s);
  s.network_error("no reply within 300 s");
  EXPECT_EQ(s.next(), Next::Close);
  EXPECT_EQ(s.result().failed_at, Stage::Mail);
  EXPECT_EQ(s.result().reply, (Reply{0, "no reply within 300 s"}));
  EXPECT_TRUE(s.result().temporary());

  ClientSession ok(plain(), t);
  ok.on_reply(reply(220));
  ok.on_reply(reply(250));
  ok.on_reply(reply(250));
  ok.on_reply(reply(250));
  ok.on_reply(reply(354));
  ok.on_reply(reply(250));
  ok.network_error("the server closed the connection");  // while waiting for 221
  EXPECT_TRUE(ok.result().delivered());
}

TEST(SmtpClientSession, UnaskedReplyIsAnError) {
  const Transaction t = textbook();
  ClientSession s(plain(), t);
  s.on_reply(reply(421, "bye"));
  s.on_reply(reply(250));
  EXPECT_EQ(s.next(), Next::Close);
}

TEST(SmtpClientSession, BounceHasNullReversePath) {
  Transaction t = textbook();
  t.sender = "";
  ClientSession s(plain(), t);
  s.on_reply(reply(220));
  s.on_reply(reply(250));
  out(s);
  EXPECT_EQ(s.take_trace().back(), "MAIL FROM:<>");
}

}  // namespace
}  // namespace endhost::smtp::client
