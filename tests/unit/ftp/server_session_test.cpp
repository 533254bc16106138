// ServerSession through its API: what the transcripts cannot show (lines kept while an action is
// outstanding, completions out of turn, each transfer outcome's reply, timeouts, the trace mask).
#include "ftp/server_session.hpp"

#include <gtest/gtest.h>

namespace endhost::ftp {
namespace {

SessionConfig config() {
  SessionConfig c;
  c.server_name = "test";
  c.writable = true;
  c.anonymous = true;
  c.tls_available = true;
  c.peer_address = "10.0.0.2";
  c.local_address = "10.0.0.1";
  return c;
}

std::string take(ServerSession& s) {
  std::string out(s.writer().pending());
  s.writer().consumed(out.size());
  return out;
}

// A session logged in as bob with the greeting taken.
ServerSession logged_in(SessionConfig c = config()) {
  ServerSession s(std::move(c));
  s.greeting();
  (void)s.on_line("USER bob");
  EXPECT_TRUE(std::holds_alternative<action::VerifyLogin>(s.on_line("PASS pw")));
  (void)s.login_result(true);
  take(s);
  return s;
}

TEST(FtpServerSession, Greets) {
  ServerSession s(config());
  s.greeting();
  EXPECT_EQ(take(s), "220 (test FTP)\r\n");
  EXPECT_EQ(s.state(), State::NeedUser);
}

TEST(FtpServerSession, VerifyLoginCarriesTheCredentials) {
  ServerSession s(config());
  (void)s.on_line("USER bob");
  const Action a = s.on_line("PASS correct horse");
  ASSERT_TRUE(std::holds_alternative<action::VerifyLogin>(a));
  EXPECT_EQ(std::get<action::VerifyLogin>(a), (action::VerifyLogin{"bob", "correct horse", false}));
  (void)s.on_line("USER Anonymous");
  EXPECT_EQ(take(s), "331 Please specify the password.\r\n");  // the second USER waits for the login
}

TEST(FtpServerSession, KeepsLinesWhileAnActionIsOutstanding) {
  ServerSession s(config());
  (void)s.on_line("USER bob");
  ASSERT_TRUE(std::holds_alternative<action::VerifyLogin>(s.on_line("PASS pw")));
  EXPECT_TRUE(std::holds_alternative<action::None>(s.on_line("PWD")));
  EXPECT_TRUE(std::holds_alternative<action::None>(s.on_line("CWD pub")));
  EXPECT_TRUE(std::holds_alternative<action::None>(s.on_line("NOOP")));
  EXPECT_EQ(take(s), "331 Please specify the password.\r\n");
  EXPECT_TRUE(std::holds_alternative<action::None>(s.login_result(true, "/home/bob")));
  EXPECT_EQ(take(s), "230 Login successful.\r\n");
  const Action cwd = s.poll();  // PWD answered, then CWD needs the filesystem
  ASSERT_TRUE(std::holds_alternative<action::Fs>(cwd));
  EXPECT_EQ(std::get<action::Fs>(cwd).path, "/home/bob/pub");
  EXPECT_EQ(take(s), "257 \"/home/bob\" is the current directory\r\n");
  EXPECT_TRUE(std::holds_alternative<action::None>(s.poll()));  // still waiting for the Fs result
  EXPECT_TRUE(std::holds_alternative<action::None>(s.fs_result({})));
  EXPECT_TRUE(std::holds_alternative<action::None>(s.poll()));
  EXPECT_EQ(take(s), "250 Directory successfully changed.\r\n200 NOOP ok.\r\n");
  EXPECT_EQ(s.cwd(), "/home/bob/pub");
}

TEST(FtpServerSession, NewLinesQueueBehindKeptOnes) {
  ServerSession s(config());
  (void)s.on_line("USER bob");
  (void)s.on_line("PASS pw");
  (void)s.on_line("NOOP");
  (void)s.login_result(true);
  take(s);
  // The I/O has not polled yet: a new line must not overtake the kept NOOP.
  (void)s.on_line("SYST");
  EXPECT_EQ(take(s), "200 NOOP ok.\r\n215 UNIX Type: L8\r\n");
}

TEST(FtpServerSession, ARefusedLineWaitsForItsTurn) {
  // A too-long line pipelined behind PASS is answered after the PASS (RFC 959 §4.2: replies in order).
  ServerSession s(config());
  (void)s.on_line("USER bob");
  ASSERT_TRUE(std::holds_alternative<action::VerifyLogin>(s.on_line("PASS pw")));
  EXPECT_TRUE(std::holds_alternative<action::None>(s.on_read_error(text::ReadError::LineTooLong)));
  EXPECT_TRUE(std::holds_alternative<action::None>(s.on_line("NOOP")));
  EXPECT_EQ(take(s), "331 Please specify the password.\r\n");
  (void)s.login_result(true);
  EXPECT_TRUE(std::holds_alternative<action::None>(s.poll()));
  const std::string out = take(s);
  EXPECT_EQ(out.substr(0, 4), "230 ") << out;
  const auto refused = out.find("\r\n500 ");
  const auto noop = out.find("\r\n200 NOOP ok.");
  EXPECT_NE(refused, std::string::npos) << out;
  EXPECT_LT(refused, noop) << out;
  // With nothing outstanding it is answered at once.
  (void)s.on_read_error(text::ReadError::BareLf);
  EXPECT_EQ(take(s).substr(0, 4), "500 ");
}

TEST(FtpServerSession, BoundsTheLinesItKeeps) {
  SessionConfig c = config();
  c.limits.max_deferred_lines = 2;
  ServerSession s(c);
  (void)s.on_line("USER bob");
  (void)s.on_line("PASS pw");
  EXPECT_TRUE(s.can_take_line());
  (void)s.on_line("NOOP");
  (void)s.on_line("NOOP");
  EXPECT_FALSE(s.can_take_line());
  take(s);
  EXPECT_TRUE(std::holds_alternative<action::Close>(s.on_line("NOOP")));
  EXPECT_EQ(take(s), "421 Too many commands without waiting for replies; closing.\r\n");
  EXPECT_TRUE(s.closing());
  EXPECT_TRUE(std::holds_alternative<action::None>(s.on_line("NOOP")));
  EXPECT_EQ(take(s), "");
}

TEST(FtpServerSession, IgnoresPlaintextDuringTheTlsHandshake) {
  ServerSession s(config());
  ASSERT_TRUE(std::holds_alternative<action::StartTls>(s.on_line("AUTH TLS")));
  EXPECT_EQ(take(s), "234 Proceed with negotiation.\r\n");
  EXPECT_TRUE(std::holds_alternative<action::None>(s.on_line("USER bob")));
  EXPECT_EQ(take(s), "");
  (void)s.tls_ready();
  EXPECT_TRUE(s.tls_active());
  EXPECT_TRUE(std::holds_alternative<action::None>(s.poll()));
  EXPECT_EQ(take(s), "");
  (void)s.on_line("PBSZ 0");
  EXPECT_EQ(take(s), "200 PBSZ=0\r\n");
}

TEST(FtpServerSession, ImplicitTlsRefusesAuth) {
  SessionConfig c = config();
  c.tls_active = true;
  ServerSession s(c);
  (void)s.on_line("AUTH TLS");
  EXPECT_EQ(take(s), "503 Already using TLS.\r\n");
}

TEST(FtpServerSession, AuthWithoutACertificate) {
  SessionConfig c = config();
  c.tls_available = false;
  ServerSession s(c);
  (void)s.on_line("AUTH TLS");
  EXPECT_EQ(take(s), "502 TLS not available.\r\n");
  (void)s.on_line("FEAT");
  EXPECT_EQ(take(s).find("AUTH"), std::string::npos);
}

TEST(FtpServerSession, PassiveReplyUsesTheLocalAddress) {
  SessionConfig c = config();
  c.local_address = "::ffff:192.0.2.5";
  ServerSession s = logged_in(c);
  ASSERT_EQ(s.on_line("PASV"), Action(action::OpenPassive{false}));
  (void)s.passive_ready(1025);
  EXPECT_EQ(take(s), "227 Entering Passive Mode (192,0,2,5,4,1).\r\n");
}

TEST(FtpServerSession, DataConnectionFailures) {
  ServerSession s = logged_in();
  ASSERT_EQ(s.on_line("EPSV"), Action(action::OpenPassive{true}));
  (void)s.data_failed();
  EXPECT_EQ(take(s), "425 Could not open a passive data connection.\r\n");
  (void)s.on_line("RETR x");
  EXPECT_EQ(take(s), "425 Use PORT or PASV first.\r\n");
  ASSERT_EQ(s.on_line("PORT 10,0,0,2,4,0"), Action(action::ConnectActive{HostPort{"10.0.0.2", 1024, false}}));
  take(s);
  ASSERT_TRUE(std::holds_alternative<action::Transfer>(s.on_line("RETR x")));
  EXPECT_EQ(s.state(), State::Transferring);
  (void)s.data_failed();
  EXPECT_EQ(take(s), "425 Failed to establish connection.\r\n");
  EXPECT_EQ(s.state(), State::LoggedIn);
}

TEST(FtpServerSession, EveryTransferOutcomeHasItsReply) {
  const std::pair<TransferOutcome, std::string> cases[] = {
      {TransferOutcome::Ok, "226 Transfer complete.\r\n"},
      {TransferOutcome::DataLost, "426 Failure writing network stream.\r\n"},
      {TransferOutcome::LocalError, "451 Failure reading local file.\r\n"},
      {TransferOutcome::NotFound, "550 Failed to open file.\r\n"},
      {TransferOutcome::IsDirectory, "550 Failed to open file.\r\n"},
      {TransferOutcome::PermissionDenied, "550 Permission denied.\r\n"},
      {TransferOutcome::NoSpace, "452 Insufficient storage space.\r\n"},
      {TransferOutcome::TooLarge, "552 Exceeded storage allocation.\r\n"},
      {TransferOutcome::TlsFailed, "522 Data connection TLS negotiation failed.\r\n"},
  };
  for (const auto& [outcome, reply] : cases) {
    ServerSession s = logged_in();
    (void)s.on_line("PASV");
    (void)s.passive_ready(2000);
    take(s);
    ASSERT_TRUE(std::holds_alternative<action::Transfer>(s.on_line("RETR f")));
    EXPECT_TRUE(std::holds_alternative<action::None>(s.transfer_done(outcome)));
    EXPECT_EQ(take(s), reply);
    EXPECT_EQ(s.state(), State::LoggedIn);
  }
  // Uploads name the other direction.
  ServerSession s = logged_in();
  (void)s.on_line("PASV");
  (void)s.passive_ready(2000);
  (void)s.on_line("STOR f");
  s.transfer_started();
  (void)s.transfer_done(TransferOutcome::DataLost);
  (void)s.on_line("PASV");
  (void)s.passive_ready(2000);
  (void)s.on_line("STOR f");
  (void)s.transfer_done(TransferOutcome::LocalError);
  EXPECT_EQ(take(s),
            "227 Entering Passive Mode (10,0,0,1,7,208).\r\n150 Ok to send data.\r\n"
            "426 Failure reading network stream.\r\n227 Entering Passive Mode (10,0,0,1,7,208).\r\n"
            "451 Failure writing to local file.\r\n");
}

TEST(FtpServerSession, AbortAfterTheTransferHadFinished) {
  ServerSession s = logged_in();
  (void)s.on_line("PASV");
  (void)s.passive_ready(2000);
  (void)s.on_line("RETR f");
  s.transfer_started(10);
  take(s);
  EXPECT_TRUE(std::holds_alternative<action::Abort>(s.on_line("ABOR")));
  EXPECT_TRUE(std::holds_alternative<action::None>(s.on_line("ABOR")));  // one Abort is enough
  (void)s.transfer_done(TransferOutcome::Ok);
  EXPECT_EQ(take(s), "226 Transfer complete.\r\n225 No transfer to ABOR.\r\n");
}

TEST(FtpServerSession, CompletionsOutOfTurnAreIgnored) {
  ServerSession s = logged_in();
  EXPECT_TRUE(std::holds_alternative<action::None>(s.login_result(true)));
  EXPECT_TRUE(std::holds_alternative<action::None>(s.passive_ready(1)));
  EXPECT_TRUE(std::holds_alternative<action::None>(s.fs_result({})));
  EXPECT_TRUE(std::holds_alternative<action::None>(s.transfer_done(TransferOutcome::Ok)));
  EXPECT_TRUE(std::holds_alternative<action::None>(s.tls_ready()));
  EXPECT_TRUE(std::holds_alternative<action::None>(s.data_failed()));
  s.transfer_started();
  EXPECT_EQ(take(s), "");
  EXPECT_FALSE(s.tls_active());
}

TEST(FtpServerSession, TimeoutsAndRefusal) {
  ServerSession s = logged_in();
  EXPECT_EQ(s.idle_timeout(), Action(action::Close{}));
  EXPECT_EQ(take(s), "421 Timeout.\r\n");
  EXPECT_TRUE(s.closing());
  EXPECT_EQ(s.idle_timeout(), Action(action::None{}));

  ServerSession d = logged_in();
  EXPECT_EQ(d.data_timeout(), Action(action::Close{}));
  EXPECT_EQ(take(d), "421 Data timeout. Reconnect. Sorry.\r\n");

  ServerSession r(config());
  EXPECT_EQ(r.refuse("Too many connections from your address."), Action(action::Close{}));
  EXPECT_EQ(take(r), "421 Too many connections from your address.\r\n");
}

TEST(FtpServerSession, LoginFailuresWithoutALimitNeverClose) {
  SessionConfig c = config();
  c.limits.max_login_failures = 0;
  c.limits.failed_login_delay = std::chrono::milliseconds(0);
  ServerSession s(c);
  for (int i = 0; i < 10; ++i) {
    (void)s.on_line("USER bob");
    (void)s.on_line("PASS x");
    EXPECT_EQ(s.login_result(false), Action(action::None{}));
  }
  EXPECT_EQ(s.login_failures(), 10u);
  EXPECT_FALSE(s.closing());
}

TEST(FtpServerSession, TraceMasksPasswords) {
  EXPECT_EQ(ServerSession::traceable("PASS secret"), "PASS ****");
  EXPECT_EQ(ServerSession::traceable("pass"), "pass ****");
  EXPECT_EQ(ServerSession::traceable("RETR a.txt"), "RETR a.txt");
  EXPECT_EQ(ServerSession::traceable("\xff\xf4\xff\xf2"
                                     "ABOR"),
            "ABOR");
}

TEST(FtpServerSession, ListingLinesCannotBreakTheReply) {
  ServerSession s = logged_in();
  ASSERT_TRUE(std::holds_alternative<action::Fs>(s.on_line("STAT /")));
  FsResult r;
  r.lines = {"evil\r\n213 End of status", "ok"};
  (void)s.fs_result(r);
  EXPECT_EQ(take(s), "213-Status follows:\r\n evil??213 End of status\r\n ok\r\n213 End of status\r\n");
}

TEST(FtpServerSession, AReplyTooBigForTheBufferIs451) {
  ServerSession s(config(), text::WriterLimits{1024, 1024});
  (void)s.on_line("USER bob");
  (void)s.on_line("PASS x");
  (void)s.login_result(true);
  take(s);
  ASSERT_TRUE(std::holds_alternative<action::Fs>(s.on_line("STAT /")));
  FsResult r;
  r.lines.assign(100, std::string(50, 'x'));
  (void)s.fs_result(r);
  EXPECT_EQ(take(s), "451 Reply too long.\r\n");
  EXPECT_FALSE(s.closing());
}

TEST(FtpServerSession, AnUndrainedOutputEndsTheSession) {
  ServerSession s(config(), text::WriterLimits{64, 64});
  s.greeting();                                          // 16 bytes, never sent
  EXPECT_EQ(s.on_line("NOOP"), Action(action::None{}));  // 30
  EXPECT_EQ(s.on_line("NOOP"), Action(action::None{}));  // 44
  EXPECT_EQ(s.on_line("SYST"), Action(action::None{}));  // 63
  EXPECT_FALSE(s.closing());
  EXPECT_EQ(s.on_line("NOOP"), Action(action::Close{}));  // 77: does not fit
  EXPECT_TRUE(s.closing());
  EXPECT_EQ(s.on_line("NOOP"), Action(action::None{}));
  EXPECT_EQ(s.poll(), Action(action::None{}));
}

TEST(FtpServerSession, MdtmIsUtcTimeVal) {
  ServerSession s = logged_in();
  (void)s.on_line("MDTM f");
  FsResult r;
  r.mtime = core::WallTime(std::chrono::seconds(0));
  (void)s.fs_result(r);
  (void)s.on_line("MDTM f");
  r.mtime = core::WallTime(std::chrono::seconds(951782400 + 86399));  // 2000-02-29 23:59:59
  (void)s.fs_result(r);
  EXPECT_EQ(take(s), "213 19700101000000\r\n213 20000229235959\r\n");
}

TEST(FtpServerSession, FsErrorsMapToTheirCodes) {
  ServerSession s = logged_in();
  (void)s.on_line("MKD d");
  FsResult r;
  r.error = FsError::NoSpace;
  (void)s.fs_result(r);
  (void)s.on_line("MKD d");
  r.error = FsError::Io;
  (void)s.fs_result(r);
  (void)s.on_line("MKD d");
  r.error = FsError::PermissionDenied;
  (void)s.fs_result(r);
  EXPECT_EQ(take(s),
            "452 Insufficient storage space.\r\n451 Local error in processing.\r\n"
            "550 Create directory operation failed.\r\n");
}

TEST(FtpServerSession, RenameToThatFails) {
  ServerSession s = logged_in();
  ASSERT_TRUE(std::holds_alternative<action::Fs>(s.on_line("RNFR a")));
  (void)s.fs_result({});
  const Action a = s.on_line("RNTO b");
  ASSERT_EQ(a, Action(action::Fs{action::FsOp::RenameTo, "/a", "/b", 0, {}}));
  FsResult r;
  r.error = FsError::Exists;
  (void)s.fs_result(r);
  EXPECT_EQ(take(s), "350 Ready for RNTO.\r\n550 Rename failed.\r\n");
}

TEST(FtpServerSession, AuthAfterLogin) {
  ServerSession s = logged_in();
  EXPECT_EQ(s.on_line("AUTH TLS"), Action(action::None{}));
  EXPECT_EQ(take(s), "503 AUTH not allowed after login.\r\n");
}

TEST(FtpServerSession, TransferCarriesTheSessionSettings) {
  ServerSession s = logged_in();
  (void)s.on_line("TYPE I");
  (void)s.on_line("REST 77");
  (void)s.on_line("OPTS MLST size;");
  (void)s.on_line("CWD pub");
  (void)s.fs_result({});
  (void)s.on_line("PASV");
  (void)s.passive_ready(3000);
  const Action a = s.on_line("RETR ../x");
  ASSERT_TRUE(std::holds_alternative<action::Transfer>(a));
  const auto& t = std::get<action::Transfer>(a);
  EXPECT_EQ(t.kind, action::TransferKind::Retr);
  EXPECT_EQ(t.path, "/x");
  EXPECT_EQ(t.offset, 77u);
  EXPECT_FALSE(t.ascii);
  EXPECT_FALSE(t.protected_data);
  EXPECT_FALSE(t.exclusive);
  EXPECT_EQ(t.facts, (MlstFacts{false, true, false, false, false}));
  // While it runs, other commands wait.
  EXPECT_TRUE(std::holds_alternative<action::None>(s.on_line("PWD")));
  take(s);
  (void)s.transfer_done(TransferOutcome::Ok);
  (void)s.poll();
  EXPECT_EQ(take(s), "226 Transfer complete.\r\n257 \"/pub\" is the current directory\r\n");
}

}  // namespace
}  // namespace endhost::ftp
