#include "text/command_table.hpp"

#include <gtest/gtest.h>

namespace endhost::text {
namespace {

enum class State { NotAuthenticated, Authenticated, Selected };
enum class Cmd { Capability, Login, Select, Fetch, StartTls, Logout };

const CommandTable<State, Cmd>& table() {
  using S = State;
  static const CommandTable<State, Cmd> t{
      {.verb = "CAPABILITY", .id = Cmd::Capability, .tls = TlsRule::Either},
      {.verb = "LOGIN", .id = Cmd::Login, .states = {S::NotAuthenticated}, .tls = TlsRule::Required},
      {.verb = "SELECT", .id = Cmd::Select, .states = {S::Authenticated, S::Selected}, .needs_auth = true},
      {.verb = "FETCH", .id = Cmd::Fetch, .states = {S::Selected}, .needs_auth = true},
      {.verb = "STARTTLS",
       .id = Cmd::StartTls,
       .states = {S::NotAuthenticated},
       .tls = TlsRule::RefusedUnderTls,
       .ends_group = true},
      {.verb = "LOGOUT", .id = Cmd::Logout, .tls = TlsRule::Either, .ends_group = true},
  };
  return t;
}

Verdict verdict(std::string_view line, SessionContext<State> c) {
  return table().lookup(line, c).verdict;
}

TEST(CommandTable, FindsVerbsCaseInsensitivelyAndSplitsArguments) {
  const auto found = table().lookup("select INBOX", {});
  ASSERT_NE(found.command, nullptr);
  EXPECT_EQ(found.command->id, Cmd::Select);
  EXPECT_EQ(found.args, "INBOX");
  EXPECT_EQ(table().lookup("LoGoUt", {}).command->id, Cmd::Logout);
  EXPECT_TRUE(table().lookup("LOGOUT", {}).command->ends_group);
  EXPECT_FALSE(table().lookup("SELECT x", {}).command->ends_group);
}

TEST(CommandTable, TellsTheRefusalsApart) {
  const SessionContext<State> fresh{State::NotAuthenticated, false, false, false};
  EXPECT_EQ(verdict("NOPE", fresh), Verdict::Unknown);
  EXPECT_EQ(verdict("", fresh), Verdict::Unknown);
  EXPECT_EQ(verdict("SELECTX", fresh), Verdict::Unknown);
  EXPECT_EQ(verdict("CAPABILITY", fresh), Verdict::Allowed);
  EXPECT_EQ(verdict("LOGIN a b", fresh), Verdict::NeedsTls);  // plain-text password before TLS
  EXPECT_EQ(verdict("SELECT INBOX", fresh), Verdict::NeedsAuth);
  EXPECT_EQ(verdict("STARTTLS", fresh), Verdict::Allowed);

  const SessionContext<State> tls{State::NotAuthenticated, false, true, false};
  EXPECT_EQ(verdict("LOGIN a b", tls), Verdict::Allowed);
  EXPECT_EQ(verdict("STARTTLS", tls), Verdict::RefusedUnderTls);  // RFC 3207 §4.2, RFC 2595 §3.1

  const SessionContext<State> in{State::Authenticated, true, true, false};
  EXPECT_EQ(verdict("FETCH 1 BODY[]", in), Verdict::WrongState);  // nothing selected yet
  EXPECT_EQ(verdict("LOGIN a b", in), Verdict::WrongState);
  EXPECT_EQ(verdict("SELECT INBOX", in), Verdict::Allowed);
  const SessionContext<State> selected{State::Selected, true, true, false};
  EXPECT_EQ(verdict("FETCH 1 BODY[]", selected), Verdict::Allowed);
}

TEST(CommandTable, InsistingOnTlsRefusesAllButThePreTlsCommands) {
  // Postfix's smtpd_tls_security_level = encrypt: only the PRE_TLS commands before STARTTLS.
  const SessionContext<State> insisted{State::Authenticated, true, false, true};
  EXPECT_EQ(verdict("SELECT INBOX", insisted), Verdict::NeedsTls);
  EXPECT_EQ(verdict("CAPABILITY", insisted), Verdict::Allowed);
  EXPECT_EQ(verdict("LOGOUT", insisted), Verdict::Allowed);
  const SessionContext<State> done{State::Authenticated, true, true, true};
  EXPECT_EQ(verdict("SELECT INBOX", done), Verdict::Allowed);
}

TEST(StateSet, HoldsTheStatesGiven) {
  const StateSet<State> set{State::Authenticated, State::Selected};
  EXPECT_FALSE(set.contains(State::NotAuthenticated));
  EXPECT_TRUE(set.contains(State::Selected));
  EXPECT_TRUE(StateSet<State>::all().contains(State::NotAuthenticated));
}

}  // namespace
}  // namespace endhost::text
