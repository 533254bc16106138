// The IMAP session against the in-memory store: states, login, SELECT's responses, FETCH, STORE, SEARCH,
// EXPUNGE, COPY/MOVE with UIDPLUS codes, APPEND with literals, IDLE, and two sessions seeing each other.
#include <gtest/gtest.h>

#include "driver.hpp"
#include "fake_store.hpp"

namespace endhost::imap::testing {
namespace {

const std::string kMessage =
    "From: Alice <alice@crepes.fr>\r\n"
    "To: bob@hamburger.edu\r\n"
    "Subject: Lunch\r\n"
    "Date: Wed, 02 Dec 2026 16:59:35 +0000\r\n"
    "\r\n"
    "Shall we meet at noon?\r\n";

SessionConfig loopback() {
  SessionConfig c;
  c.hostname = "hamburger.edu";
  c.peer_is_trusted = true;
  return c;
}

bool has(const std::string& out, std::string_view what) {
  return out.find(what) != std::string::npos;
}

class ImapSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 3; ++i) (void)dir.inbox().append(kMessage, Flags{}, 1'764'694'775);
  }
  std::string login(Driver& d) {
    d.greet();
    return d.send("a1 LOGIN bob secret\r\n");
  }
  FakeDirectory dir;
};

TEST_F(ImapSessionTest, GreetingAndCapabilityBeforeLogin) {
  Driver d(loopback(), dir);
  const std::string g = d.greet();
  EXPECT_TRUE(has(g, "* OK [CAPABILITY IMAP4rev1"));
  EXPECT_TRUE(has(g, "AUTH=PLAIN"));
  const std::string c = d.send("c1 CAPABILITY\r\n");
  EXPECT_TRUE(has(c, "* CAPABILITY IMAP4rev1"));
  EXPECT_TRUE(has(c, "c1 OK"));
}

TEST_F(ImapSessionTest, LoginIsDisabledInClearOffLoopback) {
  SessionConfig c = loopback();
  c.peer_is_trusted = false;
  c.tls_available = true;
  Driver d(c, dir);
  const std::string g = d.greet();
  EXPECT_TRUE(has(g, "LOGINDISABLED"));
  EXPECT_TRUE(has(g, "STARTTLS"));
  EXPECT_TRUE(has(d.send("a1 LOGIN bob secret\r\n"), "a1 NO [PRIVACYREQUIRED]"));
  EXPECT_EQ(dir.attempts, 0);
  EXPECT_TRUE(has(d.send("a2 STARTTLS\r\n"), "a2 OK"));
  EXPECT_EQ(d.tls_upgrades, 1);
  EXPECT_TRUE(has(d.send("a3 CAPABILITY\r\n"), "AUTH=PLAIN"));
  EXPECT_TRUE(has(d.send("a4 LOGIN bob secret\r\n"), "a4 OK"));
}

TEST_F(ImapSessionTest, CommandsOutOfStateAreRefused) {
  Driver d(loopback(), dir);
  d.greet();
  EXPECT_TRUE(has(d.send("a1 SELECT INBOX\r\n"), "a1 BAD"));
  d.send("a2 LOGIN bob secret\r\n");
  EXPECT_TRUE(has(d.send("a3 FETCH 1 FLAGS\r\n"), "a3 BAD No mailbox selected"));
  EXPECT_TRUE(has(d.send("a4 LOGIN bob secret\r\n"), "a4 BAD"));
}

TEST_F(ImapSessionTest, FailedLoginsEndTheConnection) {
  Driver d(loopback(), dir);
  d.greet();
  EXPECT_TRUE(has(d.send("a1 LOGIN bob wrong\r\n"), "a1 NO [AUTHENTICATIONFAILED]"));
  d.send("a2 LOGIN bob wrong\r\n");
  const std::string last = d.send("a3 LOGIN bob wrong\r\n");
  EXPECT_TRUE(has(last, "* BYE"));
  EXPECT_TRUE(d.closed);
}

TEST_F(ImapSessionTest, AuthenticatePlainWithAndWithoutInitialResponse) {
  Driver d(loopback(), dir);
  d.greet();
  // "\0bob\0secret"
  EXPECT_TRUE(has(d.send("a1 AUTHENTICATE PLAIN AGJvYgBzZWNyZXQ=\r\n"), "a1 OK"));
  Driver e(loopback(), dir);
  e.greet();
  EXPECT_EQ(e.send("b1 AUTHENTICATE PLAIN\r\n"), "+ \r\n");
  EXPECT_EQ(e.session.traceable("AGJvYgBzZWNyZXQ="), "****");
  EXPECT_TRUE(has(e.send("AGJvYgBzZWNyZXQ=\r\n"), "b1 OK"));
  Driver f(loopback(), dir);
  f.greet();
  f.send("c1 AUTHENTICATE PLAIN\r\n");
  EXPECT_TRUE(has(f.send("*\r\n"), "c1 BAD"));
}

TEST_F(ImapSessionTest, SelectReportsTheMailbox) {
  Driver d(loopback(), dir);
  login(d);
  const std::string s = d.send("a2 SELECT inbox\r\n");
  EXPECT_TRUE(has(s, "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)"));
  EXPECT_TRUE(has(s, "* 3 EXISTS"));
  EXPECT_TRUE(has(s, "* 3 RECENT"));
  EXPECT_TRUE(has(s, "* OK [UNSEEN 1]"));
  EXPECT_TRUE(has(s, "* OK [UIDVALIDITY 1000]"));
  EXPECT_TRUE(has(s, "* OK [UIDNEXT 4]"));
  EXPECT_TRUE(has(s, "a2 OK [READ-WRITE]"));
  // \Recent went to this session: a second one sees none.
  Driver e(loopback(), dir);
  login(e);
  EXPECT_TRUE(has(e.send("b2 SELECT INBOX\r\n"), "* 0 RECENT"));
}

TEST_F(ImapSessionTest, SelectOfAMissingMailboxLeavesNoneSelected) {
  Driver d(loopback(), dir);
  login(d);
  d.send("a2 SELECT INBOX\r\n");
  EXPECT_TRUE(has(d.send("a3 SELECT Nope\r\n"), "a3 NO [NONEXISTENT]"));
  EXPECT_TRUE(has(d.send("a4 FETCH 1 FLAGS\r\n"), "a4 BAD No mailbox selected"));
}

TEST_F(ImapSessionTest, FetchBodyPeekDoesNotSetSeenButBodyDoes) {
  Driver d(loopback(), dir);
  login(d);
  d.send("a2 SELECT INBOX\r\n");
  const std::string peek = d.send("a3 FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)] RFC822.SIZE)\r\n");
  EXPECT_TRUE(has(peek, "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: Lunch\r\n\r\n"));
  EXPECT_TRUE(has(peek, "RFC822.SIZE " + std::to_string(kMessage.size())));
  EXPECT_FALSE(has(peek, "\\Seen"));
  const std::string body = d.send("a4 FETCH 1 BODY[TEXT]\r\n");
  EXPECT_TRUE(has(body, "BODY[TEXT] {24}\r\nShall we meet at noon?\r\n"));
  EXPECT_TRUE(has(body, "FLAGS (\\Seen \\Recent)"));
  EXPECT_TRUE(dir.inbox().find(1)->flags.system & mail::store::kSeen);
}

TEST_F(ImapSessionTest, UidFetchAlwaysCarriesTheUidAndPartialsHaveTheirOrigin) {
  Driver d(loopback(), dir);
  login(d);
  d.send("a2 EXAMINE INBOX\r\n");
  const std::string out = d.send("a3 UID FETCH 2:* (FLAGS BODY.PEEK[]<0.4>)\r\n");
  // EXAMINE shows \\Recent without taking it (RFC 3501 §6.3.2).
  EXPECT_TRUE(has(out, "* 2 FETCH (UID 2 FLAGS (\\Recent) BODY[]<0> {4}\r\nFrom)"));
  EXPECT_TRUE(has(out, "* 3 FETCH (UID 3"));
  EXPECT_TRUE(has(out, "a3 OK"));
  // EXAMINE is read-only: BODY[] sets nothing.
  d.send("a4 FETCH 1 BODY[]\r\n");
  EXPECT_FALSE(dir.inbox().find(1)->flags.system & mail::store::kSeen);
}

TEST_F(ImapSessionTest, FetchPastTheLastMessageIsBad) {
  Driver d(loopback(), dir);
  login(d);
  d.send("a2 SELECT INBOX\r\n");
  EXPECT_TRUE(has(d.send("a3 FETCH 9 FLAGS\r\n"), "a3 BAD"));
  EXPECT_TRUE(has(d.send("a4 UID FETCH 9 FLAGS\r\n"), "a4 OK"));
}

TEST_F(ImapSessionTest, EnvelopeAndBodyStructure) {
  Driver d(loopback(), dir);
  login(d);
  d.send("a2 SELECT INBOX\r\n");
  const std::string out = d.send("a3 FETCH 1 (ENVELOPE BODYSTRUCTURE)\r\n");
  EXPECT_TRUE(has(
      out,
      "ENVELOPE (\"Wed, 02 Dec 2026 16:59:35 +0000\" \"Lunch\" ((\"Alice\" NIL \"alice\" \"crepes.fr\"))"));
  EXPECT_TRUE(has(out, "BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 24 1"));
}

TEST_F(ImapSessionTest, StoreAndSilentStore) {
  Driver d(loopback(), dir);
  login(d);
  d.send("a2 SELECT INBOX\r\n");
  const std::string out = d.send("a3 STORE 1:2 +FLAGS (\\Flagged $Important)\r\n");
  EXPECT_TRUE(has(out, "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Important)"));
  EXPECT_TRUE(has(out, "* 1 FETCH (FLAGS (\\Flagged \\Recent $Important))"));
  EXPECT_TRUE(has(out, "* 2 FETCH (FLAGS"));
  const std::string silent = d.send("a4 UID STORE 3 +FLAGS.SILENT (\\Deleted)\r\n");
  EXPECT_FALSE(has(silent, "FETCH"));
  EXPECT_TRUE(has(silent, "a4 OK"));
  EXPECT_TRUE(has(d.send("a5 STORE 1 +FLAGS (\\Recent)\r\n"), "a5 BAD"));
}

TEST_F(ImapSessionTest, SearchKeys) {
  Driver d(loopback(), dir);
  login(d);
  d.send("a2 SELECT INBOX\r\n");
  d.send("a3 STORE 2 +FLAGS (\\Seen)\r\n");
  EXPECT_TRUE(has(d.send("a4 SEARCH UNSEEN\r\n"), "* SEARCH 1 3\r\n"));
  EXPECT_TRUE(has(d.send("a5 UID SEARCH SUBJECT lunch NOT 1\r\n"), "* SEARCH 2 3\r\n"));
  EXPECT_TRUE(has(d.send("a6 SEARCH OR SEEN 3 BODY noon\r\n"), "* SEARCH 2 3\r\n"));
  EXPECT_TRUE(has(d.send("a6b SEARCH BODY NOON\r\n"), "* SEARCH 1 2 3\r\n"));
  EXPECT_TRUE(has(d.send("a7 SEARCH FROM nobody\r\n"), "* SEARCH\r\n"));
  EXPECT_TRUE(has(d.send("a8 SEARCH SENTON 2-Dec-2026\r\n"), "* SEARCH 1 2 3\r\n"));
  EXPECT_TRUE(has(d.send("a9 SEARCH CHARSET KOI8-R TEXT x\r\n"), "a9 NO [BADCHARSET"));
  EXPECT_TRUE(has(d.send("b1 SEARCH LARGER 10 SMALLER 100000\r\n"), "* SEARCH 1 2 3\r\n"));
}

TEST_F(ImapSessionTest, ExpungeAnnouncesAndRenumbers) {
  Driver d(loopback(), dir);
  login(d);
  d.send("a2 SELECT INBOX\r\n");
  d.send("a3 STORE 1,3 +FLAGS.SILENT (\\Deleted)\r\n");
  const std::string out = d.send("a4 EXPUNGE\r\n");
  EXPECT_TRUE(has(out, "* 3 EXPUNGE\r\n* 1 EXPUNGE\r\n"));
  EXPECT_TRUE(has(d.send("a5 FETCH 1 UID\r\n"), "* 1 FETCH (UID 2)"));
}

TEST_F(ImapSessionTest, AnotherSessionsChangesArriveAsUntaggedResponses) {
  Driver a(loopback(), dir), b(loopback(), dir);
  login(a);
  login(b);
  a.send("a2 SELECT INBOX\r\n");
  b.send("b2 SELECT INBOX\r\n");
  b.send("b3 STORE 2 +FLAGS (\\Answered)\r\n");
  (void)dir.inbox().append(kMessage, Flags{}, std::nullopt);
  // NOOP: flags, the new message.
  const std::string noop = a.send("a3 NOOP\r\n");
  EXPECT_TRUE(has(noop, "* 2 FETCH (FLAGS (\\Answered"));
  EXPECT_TRUE(has(noop, "* 4 EXISTS"));
  // b expunges 1 while a fetches: a's FETCH must not announce it (RFC 3501 §7.4.1), NOOP then does.
  b.send("b4 STORE 1 +FLAGS.SILENT (\\Deleted)\r\n");
  b.send("b5 EXPUNGE\r\n");
  const std::string fetch = a.send("a4 FETCH 1:* FLAGS\r\n");
  EXPECT_FALSE(has(fetch, "EXPUNGE"));
  EXPECT_TRUE(has(fetch, "a4 OK"));
  EXPECT_TRUE(has(a.send("a5 NOOP\r\n"), "* 1 EXPUNGE"));
  // A journal that no longer reaches back makes the view resynchronise from a snapshot.
  b.send("b6 STORE 1 +FLAGS (\\Flagged)\r\n");
  dir.inbox().forget_journal();
  EXPECT_TRUE(has(a.send("a6 NOOP\r\n"), "* 1 FETCH (FLAGS (\\Answered \\Flagged"));
}

TEST_F(ImapSessionTest, IdleWakesWithNewMailAndEndsWithDone) {
  Driver d(loopback(), dir);
  login(d);
  d.send("a2 SELECT INBOX\r\n");
  EXPECT_EQ(d.send("a3 IDLE\r\n"), "+ idling\r\n");
  EXPECT_TRUE(d.session.idling());
  (void)dir.inbox().append(kMessage, Flags{}, std::nullopt);
  EXPECT_TRUE(has(d.idle_update(), "* 4 EXISTS"));
  EXPECT_TRUE(has(d.send("DONE\r\n"), "a3 OK"));
  EXPECT_FALSE(d.session.idling());
}

TEST_F(ImapSessionTest, AppendWithSynchronisingAndNonSynchronisingLiterals) {
  Driver d(loopback(), dir);
  login(d);
  const std::string msg = "Subject: hi\r\n\r\nbody\r\n";
  const std::string go = d.send("a2 APPEND Sent (\\Seen) {" + std::to_string(msg.size()) + "}\r\n");
  EXPECT_EQ(go, "+ Ready for literal data\r\n");
  const std::string done = d.send(msg + "\r\n");
  EXPECT_TRUE(has(done, "a2 OK [APPENDUID 1000 1]"));
  const std::string plus = d.send("a3 APPEND Sent {" + std::to_string(msg.size()) + "+}\r\n" + msg + "\r\n");
  EXPECT_TRUE(has(plus, "a3 OK [APPENDUID 1000 2]"));
  EXPECT_FALSE(has(plus, "+ Ready"));
  EXPECT_TRUE(has(d.send("a4 APPEND Nope {1+}\r\nx\r\n"), "a4 NO [TRYCREATE]"));
  EXPECT_EQ(dir.folders.at("Sent")->find(1)->flags.system, mail::store::kSeen);
}

TEST_F(ImapSessionTest, TooLargeLiteralsAreRefusedAndTheSessionStaysInStep) {
  SessionConfig c = loopback();
  c.max_message_size = 100;
  Driver d(c, dir);
  login(d);
  EXPECT_TRUE(has(d.send("a2 APPEND INBOX {1000}\r\n"), "a2 NO [TOOBIG]"));
  // A non-synchronising one is on its way: its bytes and the rest of its command are skipped.
  const std::string skipped =
      d.send("a3 APPEND INBOX {200+}\r\n" + std::string(200, 'x') + "\r\na4 NOOP\r\n");
  EXPECT_TRUE(has(skipped, "a3 NO [TOOBIG]"));
  EXPECT_TRUE(has(skipped, "a4 OK"));
  EXPECT_TRUE(has(d.send("a5 LOGIN {70000}\r\n"), "a5 BAD"));
}

TEST_F(ImapSessionTest, CopyAndMoveGiveCopyUid) {
  Driver d(loopback(), dir);
  login(d);
  d.send("a2 SELECT INBOX\r\n");
  EXPECT_TRUE(has(d.send("a3 COPY 1:2 Trash\r\n"), "a3 OK [COPYUID 1000 1,2 1,2]"));
  const std::string moved = d.send("a4 UID MOVE 3 Trash\r\n");
  EXPECT_TRUE(has(moved, "* OK [COPYUID 1000 3 3]"));
  EXPECT_TRUE(has(moved, "* 3 EXPUNGE"));
  EXPECT_TRUE(has(moved, "a4 OK"));
  EXPECT_TRUE(has(d.send("a5 COPY 1 Nope\r\n"), "a5 NO [TRYCREATE]"));
}

TEST_F(ImapSessionTest, ListLsubStatusAndSpecialUse) {
  Driver d(loopback(), dir);
  login(d);
  const std::string list = d.send("a2 LIST \"\" *\r\n");
  EXPECT_TRUE(has(list, "* LIST (\\HasNoChildren) \".\" INBOX"));
  EXPECT_TRUE(has(list, "* LIST (\\HasNoChildren \\Sent) \".\" Sent"));
  EXPECT_TRUE(has(d.send("a3 LIST \"\" \"\"\r\n"), "* LIST (\\Noselect) \".\" \"\""));
  d.send("a4 CREATE Archive.2024\r\n");
  d.send("a5 SUBSCRIBE Archive.2024\r\n");
  EXPECT_TRUE(has(d.send("a6 LSUB \"\" *\r\n"), "* LSUB (\\HasNoChildren) \".\" Archive.2024"));
  EXPECT_TRUE(has(d.send("a7 LIST (SPECIAL-USE) \"\" *\r\n"), "\\Sent"));
  EXPECT_FALSE(has(d.send("a8 LIST (SPECIAL-USE) \"\" *\r\n"), "INBOX"));
  EXPECT_TRUE(has(d.send("a9 STATUS INBOX (MESSAGES UNSEEN UIDNEXT)\r\n"),
                  "* STATUS INBOX (MESSAGES 3 UNSEEN 3 UIDNEXT 4)"));
  EXPECT_TRUE(has(d.send("b1 LIST \"\" % RETURN (STATUS (MESSAGES))\r\n"), "* STATUS Trash (MESSAGES 0)"));
}

TEST_F(ImapSessionTest, DeletingTheSelectedMailboxFromAnotherSessionSaysBye) {
  Driver a(loopback(), dir), b(loopback(), dir);
  login(a);
  login(b);
  a.send("a1 CREATE Work\r\n");
  a.send("a2 SELECT Work\r\n");
  b.send("b1 DELETE Work\r\n");
  EXPECT_TRUE(has(a.send("a3 NOOP\r\n"), "* BYE"));
  EXPECT_TRUE(a.closed);
}

TEST_F(ImapSessionTest, BadCommandsAreCountedUntilBye) {
  Driver d(loopback(), dir);
  d.greet();
  for (int i = 0; i < 9; ++i) EXPECT_TRUE(has(d.send("x" + std::to_string(i) + " FROB\r\n"), "BAD"));
  EXPECT_TRUE(has(d.send("y FROB\r\n"), "* BYE"));
  EXPECT_TRUE(d.closed);
}

TEST_F(ImapSessionTest, BigFetchesAreWrittenInBatches) {
  SessionConfig c = loopback();
  c.batch_bytes = 100;
  Driver d(c, dir);
  login(d);
  d.send("a2 SELECT INBOX\r\n");
  const std::string out = d.send("a3 FETCH 1:* BODY.PEEK[]\r\n");
  EXPECT_EQ(d.more_steps, 2);
  EXPECT_TRUE(has(out, "* 3 FETCH"));
  EXPECT_TRUE(has(out, "a3 OK"));
}

TEST_F(ImapSessionTest, LogoutSaysByeThenOk) {
  Driver d(loopback(), dir);
  d.greet();
  EXPECT_EQ(d.send("a1 LOGOUT\r\n"), "* BYE Logging out.\r\na1 OK Logout completed.\r\n");
  EXPECT_TRUE(d.closed);
}

TEST_F(ImapSessionTest, EveryByteSplitGivesTheSameAnswers) {
  const std::string script =
      "a1 LOGIN bob secret\r\na2 SELECT INBOX\r\na3 APPEND Sent {5}\r\nhello\r\n"
      "a4 FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\na5 LOGOUT\r\n";
  FakeDirectory d1;
  for (int i = 0; i < 3; ++i) (void)d1.inbox().append(kMessage, Flags{}, 1'764'694'775);
  Driver whole(loopback(), d1);
  whole.greet();
  const std::string expected = whole.send(script);
  FakeDirectory d2;
  for (int i = 0; i < 3; ++i) (void)d2.inbox().append(kMessage, Flags{}, 1'764'694'775);
  Driver bytes(loopback(), d2);
  bytes.greet();
  std::string got;
  for (char ch : script) got += bytes.send(std::string_view(&ch, 1));
  EXPECT_EQ(got, expected);
}

TEST_F(ImapSessionTest, StarOfAnEmptyMailboxNamesNothing) {
  Driver d(loopback(), dir);
  login(d);
  d.send("a2 SELECT Trash\r\n");
  EXPECT_TRUE(has(d.send("a3 FETCH 1:* FLAGS\r\n"), "a3 OK"));
  EXPECT_TRUE(has(d.send("a4 STORE 1:* +FLAGS (\\Seen)\r\n"), "a4 OK"));
  EXPECT_TRUE(has(d.send("a5 FETCH 1 FLAGS\r\n"), "a5 BAD"));
}

TEST_F(ImapSessionTest, RenameTakesTheSubscriptionsAlong) {
  Driver d(loopback(), dir);
  login(d);
  d.send("a2 CREATE Work.2026\r\n");
  d.send("a3 SUBSCRIBE Work.2026\r\n");
  EXPECT_TRUE(has(d.send("a4 RENAME Work.2026 Old.2026\r\n"), "a4 OK"));
  EXPECT_EQ(dir.subscriptions, std::vector<std::string>{"Old.2026"});
}

TEST_F(ImapSessionTest, AHugeNonSynchronisingLiteralEndsTheSession) {
  Driver d(loopback(), dir);
  login(d);
  const std::string out = d.send("a2 APPEND INBOX {999999999+}\r\nxxxx");
  EXPECT_TRUE(has(out, "a2 NO [TOOBIG]"));
  EXPECT_TRUE(has(out, "* BYE"));
  EXPECT_TRUE(d.closed);
}

}  // namespace
}  // namespace endhost::imap::testing
