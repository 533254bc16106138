// Who receives mail: bare users get every --domain, NAME@DOMAIN only that address (and wins over a bare
// name), local parts and domains fold case, postmaster goes to --postmaster, a user called postmaster, or
// its own Maildir, other domains are remote, and the session's <postmaster> without a domain is ours.
#include "mail/server/recipients.hpp"

#include <gtest/gtest.h>

#include "mail/server/mail_server.hpp"

namespace endhost::mail::server {
namespace {

auth::UserDb db(std::string_view text) {
  auto parsed = auth::UserDb::parse(text, "test");
  EXPECT_TRUE(parsed) << parsed.error();
  return *parsed;
}

// Hashes are never checked here: any accepted bcrypt-shaped field will do.
constexpr std::string_view kHash = "{BLF-CRYPT}$2y$05$abcdefghijklmnopqrstuuTVo8pJz8Y8mMZ1X1nKeV5c8Z0p0L1Ba";

std::string users_text(std::initializer_list<std::string_view> names) {
  std::string out;
  for (auto n : names) out += std::string(n) + ":" + std::string(kHash) + "\n";
  return out;
}

using Kind = LocalRecipients::Kind;

TEST(MailRecipients, BareNameReceivesForEveryDomain) {
  const auto users = db(users_text({"bob", "alice@crepes.fr"}));
  const LocalRecipients r({"hamburger.edu", "Crepes.FR"}, &users, "");
  EXPECT_EQ(r.resolve("bob", "hamburger.edu").kind, Kind::Local);
  EXPECT_EQ(r.resolve("bob", "hamburger.edu").user, "bob");
  EXPECT_EQ(r.resolve("BoB", "HAMBURGER.edu").user, "bob");
  EXPECT_EQ(r.resolve("bob", "crepes.fr").user, "bob");
  EXPECT_EQ(r.resolve("alice", "crepes.fr").user, "alice@crepes.fr");
  EXPECT_EQ(r.resolve("ALICE", "crepes.FR").user, "alice@crepes.fr");
  EXPECT_EQ(r.resolve("alice", "hamburger.edu").kind, Kind::Unknown)
      << "alice@crepes.fr is only that address";
  EXPECT_EQ(r.resolve("carol", "hamburger.edu").kind, Kind::Unknown);
  EXPECT_EQ(r.resolve("bob", "example.org").kind, Kind::Remote);
  EXPECT_EQ(r.resolve("bob", "hamburger.edu.evil").kind, Kind::Remote);
}

TEST(MailRecipients, FullAddressWinsOverBareName) {
  const auto users = db(users_text({"bob", "bob@crepes.fr"}));
  const LocalRecipients r({"hamburger.edu", "crepes.fr"}, &users, "");
  EXPECT_EQ(r.resolve("bob", "crepes.fr").user, "bob@crepes.fr");
  EXPECT_EQ(r.resolve("bob", "hamburger.edu").user, "bob");
}

TEST(MailRecipients, Postmaster) {
  const auto users = db(users_text({"bob", "root"}));
  const LocalRecipients none({"hamburger.edu"}, &users, "");
  // RFC 5321 §4.5.1: accepted even with nobody named, into DIR/users/postmaster/.
  EXPECT_EQ(none.resolve("postmaster", "hamburger.edu").kind, Kind::Local);
  EXPECT_EQ(none.resolve("postmaster", "hamburger.edu").user, "postmaster");
  EXPECT_EQ(none.resolve("postmaster", "elsewhere.example").kind, Kind::Remote);
  EXPECT_EQ(none.resolve("postmistress", "hamburger.edu").kind, Kind::Unknown);
  const LocalRecipients given({"hamburger.edu", "crepes.fr"}, &users, "root");
  EXPECT_EQ(given.resolve("PostMaster", "hamburger.edu").user, "root");
  EXPECT_EQ(given.resolve("postmaster", "crepes.fr").user, "root");
  const auto with_user = db(users_text({"postmaster"}));
  const LocalRecipients named({"hamburger.edu"}, &with_user, "");
  EXPECT_EQ(named.resolve("postmaster", "hamburger.edu").user, "postmaster");
}

TEST(MailRecipients, NoUsersFileMeansNoLocalUsers) {
  const LocalRecipients r({"hamburger.edu"}, nullptr, "");
  EXPECT_EQ(r.resolve("bob", "hamburger.edu").kind, Kind::Unknown);
  EXPECT_EQ(r.resolve("bob", "crepes.fr").kind, Kind::Remote);
}

TEST(MailRecipients, SnapshotAnswersTheSessionsQuestion) {
  auto users = std::make_shared<const auth::UserDb>(db(users_text({"bob", "root"})));
  MailConfig config;
  config.domains = {"hamburger.edu"};
  config.postmaster = "root";
  const UsersSnapshot s(users, config);
  EXPECT_EQ(s.classify("bob", "hamburger.edu").kind, smtp::RecipientKind::LocalUser);
  EXPECT_EQ(s.classify("bob", "hamburger.edu").local_user, "bob");
  EXPECT_EQ(s.classify("nobody", "hamburger.edu").kind, smtp::RecipientKind::UnknownLocal);
  EXPECT_EQ(s.classify("bob", "crepes.fr").kind, smtp::RecipientKind::Remote);
  // RCPT TO:<postmaster> (RFC 5321 §4.5.1): the domain is ours.
  EXPECT_EQ(s.classify("postmaster", "").local_user, "root");
}

TEST(MailRecipients, MailboxNames) {
  EXPECT_FALSE(invalid_mailbox_name("bob", {"hamburger.edu"}));
  EXPECT_FALSE(invalid_mailbox_name("bob@Hamburger.EDU", {"hamburger.edu"}));
  EXPECT_TRUE(invalid_mailbox_name("bob@elsewhere.org", {"hamburger.edu"}));
  EXPECT_TRUE(invalid_mailbox_name("a/b", {"hamburger.edu"}));
  EXPECT_TRUE(invalid_mailbox_name("..", {"hamburger.edu"}));
  EXPECT_TRUE(invalid_mailbox_name("@hamburger.edu", {"hamburger.edu"}));
}

}  // namespace
}  // namespace endhost::mail::server
