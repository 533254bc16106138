// The client's login sequence (RFC 959 §4.1.1, §5.4; RFC 4217 §§4, 8, 9) driven by replies alone.
#include "ftp/client/login.hpp"

#include <gtest/gtest.h>

namespace endhost::ftp::client {
namespace {

text::CodedReply reply(int code, std::string text = "x") {
  return text::CodedReply{code, {std::move(text)}};
}

std::string sent(const LoginStep& step) {
  const auto* s = std::get_if<login_step::Send>(&step);
  return s ? s->line : "<not a send>";
}

TEST(FtpClientLogin, UserAndPassword) {
  LoginSequence login(LoginConfig{"alice", "secret", false});
  EXPECT_EQ(sent(login.on_reply(reply(220))), "USER alice");
  EXPECT_EQ(sent(login.on_reply(reply(331))), "PASS secret");
  EXPECT_TRUE(std::holds_alternative<login_step::Done>(login.on_reply(reply(230))));
}

TEST(FtpClientLogin, AnonymousByDefaultAnd230WithoutPassword) {
  LoginSequence login(LoginConfig{});
  EXPECT_EQ(sent(login.on_reply(reply(220))), "USER anonymous");
  EXPECT_TRUE(std::holds_alternative<login_step::Done>(login.on_reply(reply(230))));
}

TEST(FtpClientLogin, A120GreetingIsWaitedThrough) {
  LoginSequence login(LoginConfig{});
  EXPECT_TRUE(std::holds_alternative<login_step::Wait>(login.on_reply(reply(120, "ready in 1 minute"))));
  EXPECT_EQ(sent(login.on_reply(reply(220))), "USER anonymous");
}

TEST(FtpClientLogin, RefusalsQuoteTheServer) {
  LoginSequence refused(LoginConfig{});
  const auto step = refused.on_reply(reply(421, "Too many users"));
  const auto* f = std::get_if<login_step::Failed>(&step);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->code, 421);
  EXPECT_NE(f->message.find("421 Too many users"), std::string::npos);

  LoginSequence bad(LoginConfig{"alice", "wrong", false});
  bad.on_reply(reply(220));
  bad.on_reply(reply(331));
  const auto last = bad.on_reply(reply(530, "Login incorrect."));
  ASSERT_TRUE(std::holds_alternative<login_step::Failed>(last));
  EXPECT_EQ(std::get<login_step::Failed>(last).code, 530);
}

TEST(FtpClientLogin, AccountRequestsAreNotAnswered) {
  LoginSequence login(LoginConfig{"alice", "secret", false});
  login.on_reply(reply(220));
  login.on_reply(reply(331));
  EXPECT_TRUE(std::holds_alternative<login_step::Failed>(login.on_reply(reply(332))));
}

TEST(FtpClientLogin, TlsFirstThenPbszProtThenUser) {
  LoginSequence login(LoginConfig{"alice", "secret", true});
  EXPECT_EQ(sent(login.on_reply(reply(220))), "AUTH TLS");
  EXPECT_TRUE(std::holds_alternative<login_step::StartTls>(login.on_reply(reply(234))));
  EXPECT_EQ(sent(login.tls_ready()), "PBSZ 0");
  EXPECT_EQ(sent(login.on_reply(reply(200))), "PROT P");
  EXPECT_EQ(sent(login.on_reply(reply(200))), "USER alice");
  EXPECT_EQ(sent(login.on_reply(reply(331))), "PASS secret");
  EXPECT_TRUE(std::holds_alternative<login_step::Done>(login.on_reply(reply(230))));
}

TEST(FtpClientLogin, NoTlsMeansNoPasswordInTheClear) {
  LoginSequence login(LoginConfig{"alice", "secret", true});
  login.on_reply(reply(220));
  EXPECT_TRUE(std::holds_alternative<login_step::Failed>(login.on_reply(reply(500, "AUTH not understood"))));
  LoginSequence prot(LoginConfig{"alice", "secret", true});
  prot.on_reply(reply(220));
  prot.on_reply(reply(234));
  prot.tls_ready();
  prot.on_reply(reply(200));
  EXPECT_TRUE(std::holds_alternative<login_step::Failed>(prot.on_reply(reply(536, "PROT P refused"))));
}

TEST(FtpClientLogin, OutOfTurn) {
  LoginSequence login(LoginConfig{});
  EXPECT_TRUE(std::holds_alternative<login_step::Failed>(login.tls_ready()));
  LoginSequence tls(LoginConfig{"u", "p", true});
  tls.on_reply(reply(220));
  tls.on_reply(reply(234));
  EXPECT_TRUE(std::holds_alternative<login_step::Failed>(tls.on_reply(reply(200))));
}

}  // namespace
}  // namespace endhost::ftp::client
