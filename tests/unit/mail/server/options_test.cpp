// The options of `endhost mail serve`: each value checked with the option's name in the sentence, and the
// checks across options in make_mail_config (a domain and a mail directory are needed, submission needs
// users, --postmaster must be a user), the directories made.
#include "mail/server/mail_options.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "core/privileged_ports.hpp"

namespace endhost::mail::server {
namespace {

namespace fs = std::filesystem;

class MailOptionsTest : public testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    base_ = fs::temp_directory_path() / ("mail-options-test-" + std::to_string(rd()));
    fs::create_directories(base_);
  }
  void TearDown() override { fs::remove_all(base_); }

  Expected<MailOptions, std::string> apply(std::initializer_list<std::pair<std::string, std::string>> items) {
    core::Settings s;
    for (const auto& [k, v] : items) s.add(k, v);
    MailOptions o;
    if (auto ok = mail_settings().apply(s, o); !ok) return Unexpected(ok.error());
    return o;
  }
  fs::path base_;
};

TEST_F(MailOptionsTest, DefaultsAreTheBriefs) {
  const MailOptions o;
  EXPECT_EQ(o.max_message_size, 10'240'000u);
  EXPECT_EQ(o.max_recipients, 100u);
  EXPECT_EQ(o.relay_port, 25);
  EXPECT_EQ(o.dkim_selector, "endhost");
  EXPECT_DOUBLE_EQ(o.retry_min, 300);
  EXPECT_DOUBLE_EQ(o.queue_lifetime, 5 * 24 * 3600);
}

TEST_F(MailOptionsTest, ValuesAreCheckedByName) {
  auto bad = apply({{"max-recipients", "0"}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("--max-recipients"), std::string::npos) << bad.error();
  auto alg = apply({{"dkim-algorithm", "dsa"}});
  ASSERT_FALSE(alg);
  EXPECT_NE(alg.error().find("--dkim-algorithm"), std::string::npos) << alg.error();
  auto ok = apply(
      {{"domain", "a.example"}, {"domain", "b.example"}, {"max-message-size", "1M"}, {"retry-min", "10"}});
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(ok->domains.size(), 2u);
  EXPECT_EQ(ok->max_message_size, 1u << 20);
  EXPECT_DOUBLE_EQ(ok->retry_min, 10);
}

TEST_F(MailOptionsTest, ConfigNeedsADomainAndAMailDir) {
  MailOptions o;
  o.mail_dir = (base_ / "m").string();
  auto a = make_mail_config(o);
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message.find("--domain"), std::string::npos);
  o.domains = {"Hamburger.EDU"};
  o.mail_dir.clear();
  auto b = make_mail_config(o);
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find("--mail-dir"), std::string::npos);
  o.mail_dir = (base_ / "m").string();
  auto c = make_mail_config(o);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->domains.front(), "hamburger.edu");
  EXPECT_EQ(c->hostname, "hamburger.edu") << "the first domain";
  EXPECT_TRUE(fs::is_directory(base_ / "m" / "users"));
  EXPECT_TRUE(fs::is_directory(base_ / "m" / "queue"));
}

TEST_F(MailOptionsTest, CrossOptionChecks) {
  MailOptions o;
  o.domains = {"hamburger.edu"};
  o.mail_dir = (base_ / "m").string();
  o.submission_listen = "127.0.0.1:5870";
  auto a = make_mail_config(o);
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message.find("--submission-listen needs --users"), std::string::npos)
      << a.error().message;
  o.submission_listen.clear();
  o.postmaster = "root";
  auto b = make_mail_config(o);
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find("--postmaster"), std::string::npos);
  o.postmaster.clear();
  o.relay_from = {"10.1.2.3/8"};
  auto c = make_mail_config(o);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("--relay-from"), std::string::npos);
  o.relay_from = {"127.0.0.0/8"};
  o.domains = {"not a domain"};
  auto d = make_mail_config(o);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("--domain"), std::string::npos);
}

TEST_F(MailOptionsTest, SubmissionIsOnWithUsersUnlessOff) {
  const fs::path users = base_ / "users";
  std::ofstream(users) << "bob:{BLF-CRYPT}$2y$05$abcdefghijklmnopqrstuuTVo8pJz8Y8mMZ1X1nKeV5c8Z0p0L1Ba\n";
  MailOptions o;
  o.domains = {"hamburger.edu"};
  o.mail_dir = (base_ / "m").string();
  auto none = make_mail_config(o);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(none->submission_listen) << "no users: nobody could AUTH";
  o.users = users.string();
  auto on = make_mail_config(o);
  ASSERT_TRUE(on) << on.error().message;
  ASSERT_TRUE(on->submission_listen);
  EXPECT_EQ(on->submission_listen->address().to_string(), "127.0.0.1");
  EXPECT_EQ(on->submission_listen->port(), core::may_bind_port(587) ? 587 : 2587);
  o.submission_listen = "off";
  auto off = make_mail_config(o);
  ASSERT_TRUE(off) << off.error().message;
  EXPECT_FALSE(off->submission_listen);
  o.submission_listen = "127.0.0.1:5870";
  auto given = make_mail_config(o);
  ASSERT_TRUE(given) << given.error().message;
  EXPECT_EQ(given->submission_listen->port(), 5870);
}

TEST_F(MailOptionsTest, Pop3IsOnWithUsersUnlessOff) {
  const fs::path users = base_ / "users";
  std::ofstream(users) << "bob:{BLF-CRYPT}$2y$05$abcdefghijklmnopqrstuuTVo8pJz8Y8mMZ1X1nKeV5c8Z0p0L1Ba\n";
  MailOptions o;
  o.domains = {"hamburger.edu"};
  o.mail_dir = (base_ / "m").string();
  auto none = make_mail_config(o);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(none->pop3_listen) << "no users: nobody could log in";
  o.pop3 = "127.0.0.1:1110";
  auto refused = make_mail_config(o);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("--pop3 needs --users"), std::string::npos)
      << refused.error().message;
  o.pop3.clear();
  o.users = users.string();
  auto on = make_mail_config(o);
  ASSERT_TRUE(on) << on.error().message;
  ASSERT_TRUE(on->pop3_listen);
  EXPECT_EQ(on->pop3_listen->address().to_string(), "127.0.0.1");
  EXPECT_EQ(on->pop3_listen->port(), core::may_bind_port(110) ? 110 : 1110);
  o.pop3 = "off";
  auto off = make_mail_config(o);
  ASSERT_TRUE(off) << off.error().message;
  EXPECT_FALSE(off->pop3_listen);
  o.pop3 = "::1:1995";
  EXPECT_FALSE(make_mail_config(o));
  o.pop3 = "[::1]:1995";
  auto given = make_mail_config(o);
  ASSERT_TRUE(given) << given.error().message;
  EXPECT_EQ(given->pop3_listen->port(), 1995);
  EXPECT_TRUE(given->pop3_listen->address().is_v6());
  o.pop3 = "localhost:1995";
  auto name = make_mail_config(o);
  ASSERT_FALSE(name);
  EXPECT_NE(name.error().message.find("--pop3: 'localhost' is not an IP address"), std::string::npos);
}

TEST_F(MailOptionsTest, UsersWithAForeignDomainAreRefused) {
  const fs::path users = base_ / "users";
  std::ofstream(users)
      << "bob@elsewhere.org:{BLF-CRYPT}$2y$05$abcdefghijklmnopqrstuuTVo8pJz8Y8mMZ1X1nKeV5c8Z0p0L1Ba\n";
  MailOptions o;
  o.domains = {"hamburger.edu"};
  o.mail_dir = (base_ / "m").string();
  o.users = users.string();
  auto a = make_mail_config(o);
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message.find("elsewhere.org"), std::string::npos) << a.error().message;
}

TEST(MailDomains, Syntax) {
  EXPECT_TRUE(valid_domain("hamburger.edu"));
  EXPECT_TRUE(valid_domain("a-b.c1"));
  EXPECT_FALSE(valid_domain(""));
  EXPECT_FALSE(valid_domain("-a.b"));
  EXPECT_FALSE(valid_domain("a..b"));
  EXPECT_FALSE(valid_domain("a_b.c"));
  EXPECT_FALSE(valid_domain("a.b-"));
}

}  // namespace
}  // namespace endhost::mail::server
