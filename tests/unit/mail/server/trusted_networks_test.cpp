// --trusted-networks: a peer inside one of its blocks is offered plain-text logins as a loopback peer is
// (SMTP AUTH in EHLO, RFC 4954 §4; POP3 USER and SASL in CAPA, RFC 2449 §6; IMAP AUTH=PLAIN rather than
// LOGINDISABLED, RFC 3501 §6.2.3), one outside is not. The decision is MailConfig::trusts(), the one the
// mail server's sessions make per connection; each protocol core is then driven with it.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "../../imap_session/fake_store.hpp"
#include "imap/session/session.hpp"
#include "mail/server/mail_options.hpp"
#include "pop3/server_session.hpp"
#include "smtp/server_session.hpp"

namespace endhost::mail::server {
namespace {

namespace fs = std::filesystem;

class TrustedNetworksTest : public testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    base_ = fs::temp_directory_path() / ("mail-trusted-test-" + std::to_string(rd()));
    fs::create_directories(base_);
  }
  void TearDown() override { fs::remove_all(base_); }

  Expected<MailConfig, core::ServiceError> config(std::vector<std::string> trusted) {
    MailOptions o;
    o.domains = {"hamburger.edu"};
    o.mail_dir = (base_ / "m").string();
    o.trusted_networks = std::move(trusted);
    return make_mail_config(o);
  }
  fs::path base_;
};

// The lab's subnet, given as the lab gives it, and a second block after a comma.
constexpr const char* kTrusted = "198.18.0.0/15,10.1.0.0/16";
const asio::ip::address kInside = asio::ip::make_address("198.19.0.7");
const asio::ip::address kOutside = asio::ip::make_address("203.0.113.9");

class AcceptAll final : public smtp::RecipientPolicy {
 public:
  smtp::RecipientVerdict classify(std::string_view, std::string_view) const override { return {}; }
};

std::string smtp_ehlo(bool trusted) {
  smtp::ServerConfig c;
  c.hostname = "hamburger.edu";
  c.auth_available = true;
  c.peer_is_trusted = trusted;
  AcceptAll policy;
  smtp::ServerSession s(c, policy);
  s.greeting();
  (void)s.on_line("EHLO crepes.fr");
  std::string out(s.writer().pending());
  s.writer().consumed(out.size());
  return out;
}

std::string pop3_capa(bool trusted) {
  pop3::ServerConfig c;
  c.hostname = "hamburger.edu";
  c.auth_available = true;
  c.peer_is_trusted = trusted;
  pop3::ServerSession s(c);
  s.greeting();
  (void)s.on_line("CAPA");
  std::string out(s.writer().pending());
  s.writer().consumed(out.size());
  return out;
}

std::string imap_greeting(bool trusted) {
  imap::SessionConfig c;
  c.hostname = "hamburger.edu";
  c.peer_is_trusted = trusted;
  imap::testing::FakeDirectory dir;
  imap::Session s(c, dir);
  s.greeting();
  return std::string(s.output());
}

TEST_F(TrustedNetworksTest, ParsesCommaListsAndRefusesBadBlocks) {
  auto c = config({kTrusted});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->trusted_networks.size(), 2u);
  EXPECT_TRUE(c->trusts(kInside));
  EXPECT_TRUE(c->trusts(asio::ip::make_address("10.1.255.1")));
  EXPECT_FALSE(c->trusts(kOutside));
  EXPECT_TRUE(c->trusts(asio::ip::make_address("127.0.0.5"))) << "loopback is always trusted";
  auto bad = config({"198.18.0.1/15"});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("--trusted-networks"), std::string::npos) << bad.error().message;
}

TEST_F(TrustedNetworksTest, DefaultIsLoopbackOnly) {
  auto c = config({});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->trusts(asio::ip::make_address("127.0.0.1")));
  EXPECT_TRUE(c->trusts(asio::ip::make_address("::1")));
  EXPECT_FALSE(c->trusts(kInside));
}

TEST_F(TrustedNetworksTest, SmtpOffersAuthToATrustedPeerOnly) {
  auto c = config({kTrusted});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_NE(smtp_ehlo(c->trusts(kInside)).find("250-AUTH PLAIN LOGIN"), std::string::npos) << smtp_ehlo(true);
  EXPECT_EQ(smtp_ehlo(c->trusts(kOutside)).find("AUTH"), std::string::npos);
}

TEST_F(TrustedNetworksTest, Pop3OffersUserAndSaslToATrustedPeerOnly) {
  auto c = config({kTrusted});
  ASSERT_TRUE(c) << c.error().message;
  const std::string inside = pop3_capa(c->trusts(kInside));
  EXPECT_NE(inside.find("\r\nUSER\r\n"), std::string::npos) << inside;
  EXPECT_NE(inside.find("\r\nSASL PLAIN"), std::string::npos) << inside;
  const std::string outside = pop3_capa(c->trusts(kOutside));
  EXPECT_EQ(outside.find("\r\nUSER\r\n"), std::string::npos) << outside;
  EXPECT_EQ(outside.find("SASL"), std::string::npos) << outside;
}

TEST_F(TrustedNetworksTest, ImapOffersLoginToATrustedPeerOnly) {
  auto c = config({kTrusted});
  ASSERT_TRUE(c) << c.error().message;
  const std::string inside = imap_greeting(c->trusts(kInside));
  EXPECT_NE(inside.find("AUTH=PLAIN"), std::string::npos) << inside;
  EXPECT_EQ(inside.find("LOGINDISABLED"), std::string::npos) << inside;
  const std::string outside = imap_greeting(c->trusts(kOutside));
  EXPECT_NE(outside.find("LOGINDISABLED"), std::string::npos) << outside;
  EXPECT_EQ(outside.find("AUTH=PLAIN"), std::string::npos) << outside;
}

}  // namespace
}  // namespace endhost::mail::server
