// The FTP command table: every command issue 13 lists is there, with the state, login and TLS rule it needs.
#include "ftp/command_table.hpp"

#include <gtest/gtest.h>

namespace endhost::ftp {
namespace {

using text::Verdict;

text::SessionContext<State> ctx(State s, bool tls_active = false, bool insisted = false) {
  return {s, s == State::LoggedIn || s == State::Transferring, tls_active, insisted};
}

Verdict verdict(std::string_view line, const text::SessionContext<State>& c) {
  return command_table().lookup(line, c).verdict;
}

TEST(FtpCommandTable, HasEveryCommandOfTheIssue) {
  for (const char* verb : {"USER", "PASS", "ACCT", "CWD",  "CDUP", "PWD",  "MKD",  "RMD",  "DELE", "RNFR",
                           "RNTO", "LIST", "NLST", "MLSD", "MLST", "STAT", "RETR", "STOR", "APPE", "STOU",
                           "REST", "ABOR", "TYPE", "MODE", "STRU", "PASV", "EPSV", "PORT", "EPRT", "SYST",
                           "HELP", "NOOP", "QUIT", "SITE", "FEAT", "OPTS", "AUTH", "PBSZ", "PROT", "SIZE",
                           "MDTM", "XPWD", "XCWD", "XCUP", "XMKD", "XRMD", "ALLO", "REIN", "SMNT"}) {
    EXPECT_NE(command_table().find(verb), nullptr) << verb;
  }
  EXPECT_EQ(command_table().find("XYZ"), nullptr);
}

TEST(FtpCommandTable, CaseInsensitiveAndArgs) {
  const auto look = command_table().lookup("retr some file.txt", ctx(State::LoggedIn));
  ASSERT_NE(look.command, nullptr);
  EXPECT_EQ(look.command->id, Command::Retr);
  EXPECT_EQ(look.args, "some file.txt");
  EXPECT_EQ(command_table().lookup("XCWD /", ctx(State::LoggedIn)).command->id, Command::Cwd);
}

TEST(FtpCommandTable, LoginRules) {
  for (const char* line : {"CWD /", "RETR x", "PASV", "PORT 1,2,3,4,5,6", "STAT", "LIST", "MKD x", "ABOR",
                           "TYPE I", "REST 1", "SITE CHMOD 1 x", "SIZE x", "MLST", "PWD"}) {
    EXPECT_EQ(verdict(line, ctx(State::NeedUser)), Verdict::NeedsAuth) << line;
    EXPECT_EQ(verdict(line, ctx(State::NeedPassword)), Verdict::NeedsAuth) << line;
    EXPECT_EQ(verdict(line, ctx(State::LoggedIn)), Verdict::Allowed) << line;
  }
  for (const char* line : {"USER x", "PASS x", "QUIT", "NOOP", "SYST", "HELP", "FEAT", "OPTS UTF8 ON",
                           "AUTH TLS", "PBSZ 0", "PROT P", "ACCT x"}) {
    EXPECT_EQ(verdict(line, ctx(State::NeedUser)), Verdict::Allowed) << line;
  }
}

TEST(FtpCommandTable, DuringATransferOnlyAborStatQuit) {
  for (const char* line : {"ABOR", "STAT", "QUIT"}) {
    EXPECT_EQ(verdict(line, ctx(State::Transferring)), Verdict::Allowed) << line;
  }
  for (const char* line : {"RETR x", "NOOP", "PWD", "USER x", "PASV", "FEAT", "HELP"}) {
    EXPECT_EQ(verdict(line, ctx(State::Transferring)), Verdict::WrongState) << line;
  }
}

TEST(FtpCommandTable, TlsRules) {
  // --require-tls (RFC 4217 §4: a server may insist on AUTH first): logins need TLS, the discovery commands
  // do not.
  for (const char* line : {"USER bob", "PASS x", "ACCT x"}) {
    EXPECT_EQ(verdict(line, ctx(State::NeedUser, false, true)), Verdict::NeedsTls) << line;
    EXPECT_EQ(verdict(line, ctx(State::NeedUser, true, true)), Verdict::Allowed) << line;
  }
  for (const char* line :
       {"FEAT", "SYST", "NOOP", "QUIT", "HELP", "AUTH TLS", "PBSZ 0", "PROT P", "OPTS UTF8 ON"}) {
    EXPECT_EQ(verdict(line, ctx(State::NeedUser, false, true)), Verdict::Allowed) << line;
  }
  // AUTH only once (RFC 4217 §4), and only before login.
  EXPECT_EQ(verdict("AUTH TLS", ctx(State::NeedUser, true)), Verdict::RefusedUnderTls);
  EXPECT_EQ(verdict("AUTH TLS", ctx(State::LoggedIn)), Verdict::WrongState);
}

TEST(FtpCommandTable, HelpListsNoAliases) {
  const auto& verbs = help_verbs();
  EXPECT_EQ(std::count(verbs.begin(), verbs.end(), "XPWD"), 0);
  EXPECT_EQ(std::count(verbs.begin(), verbs.end(), "RETR"), 1);
  EXPECT_EQ(verbs.size(), 44u);
}

}  // namespace
}  // namespace endhost::ftp
