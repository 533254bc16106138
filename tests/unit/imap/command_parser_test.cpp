// parse_command on what real clients send (Thunderbird, mbsync, mutt, python's imaplib, curl) and the RFC
// examples, command by command (RFC 3501 §6, RFC 9051 §6 and the extension RFCs named in each test).
#include <gtest/gtest.h>

#include <string>

#include "imap/command_parser.hpp"

namespace endhost::imap {
namespace {

using namespace std::string_literals;

Command ok(std::string_view wire) {
  auto r = parse_command(wire);
  EXPECT_TRUE(r) << wire << " -> " << (r ? "" : r.error().message);
  return r ? *r : Command{};
}

Flag sys(const char* name) {
  return {FlagKind::System, name};
}

TEST(ImapParse, NoArgumentCommands) {
  struct Case {
    const char* wire;
    CommandName name;
  };
  for (const Case& c :
       {Case{"a0000 CAPABILITY", CommandName::Capability}, Case{"1 capability", CommandName::Capability},
        Case{"A001 NOOP", CommandName::Noop}, Case{"A023 LOGOUT", CommandName::Logout},
        Case{"a001 STARTTLS", CommandName::Starttls}, Case{"A001 NAMESPACE", CommandName::Namespace},
        Case{"FXXZ CHECK", CommandName::Check}, Case{"A341 CLOSE", CommandName::Close},
        Case{"A342 UNSELECT", CommandName::Unselect}, Case{"A202 EXPUNGE", CommandName::Expunge},
        Case{"A002 IDLE", CommandName::Idle}}) {
    const Command cmd = ok(c.wire);
    EXPECT_EQ(cmd.name, c.name) << c.wire;
    EXPECT_FALSE(cmd.uid);
    EXPECT_EQ(cmd.tag, std::string(c.wire).substr(0, std::string(c.wire).find(' ')));
  }
  EXPECT_FALSE(ok("A202 EXPUNGE").as<ExpungeArgs>().uid_set);
}

TEST(ImapParse, TagsMayHoldBracketsAndDots) {
  EXPECT_EQ(ok("a]1.x NOOP").tag, "a]1.x");
  EXPECT_EQ(to_string(ok("a]1.x NOOP").name), "NOOP");
}

TEST(ImapParse, Login) {
  auto a = ok("A002 LOGIN bob secret").as<LoginArgs>();
  EXPECT_EQ(a.userid, "bob");
  EXPECT_EQ(a.password, "secret");
  // Thunderbird quotes both; a quoted password may hold spaces, \" and \\.
  a = ok(R"(2 login "bob" "se \"cr\\et")").as<LoginArgs>();
  EXPECT_EQ(a.password, R"(se "cr\et)");
  // mbsync sends the password as a literal (LITERAL+ {6+}, which the session turns into {6}).
  a = ok("1 LOGIN bob {8}\r\npa ss\"\r\n").as<LoginArgs>();
  EXPECT_EQ(a.password, "pa ss\"\r\n");
  a = ok("1 LOGIN {3}\r\nbob {0}\r\n").as<LoginArgs>();
  EXPECT_EQ(a.userid, "bob");
  EXPECT_EQ(a.password, "");
}

TEST(ImapParse, Authenticate) {
  auto a = ok("a001 AUTHENTICATE plain").as<AuthenticateArgs>();
  EXPECT_EQ(a.mechanism, "PLAIN");
  EXPECT_FALSE(a.initial_response);
  // RFC 4959 §4 (SASL-IR) example.
  a = ok("a01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=").as<AuthenticateArgs>();
  EXPECT_EQ(a.initial_response, "dGVzdAB0ZXN0AHRlc3Q=");
  EXPECT_EQ(ok("a01 AUTHENTICATE PLAIN =").as<AuthenticateArgs>().initial_response, "=");
}

TEST(ImapParse, EnableAndId) {
  // RFC 5161 §4.
  EXPECT_EQ(ok("t2 ENABLE CONDSTORE X-GOOD-IDEA").as<EnableArgs>().capabilities,
            (std::vector<std::string>{"CONDSTORE", "X-GOOD-IDEA"}));
  EXPECT_EQ(ok("t3 enable utf8=accept").as<EnableArgs>().capabilities,
            (std::vector<std::string>{"UTF8=ACCEPT"}));
  // RFC 2971 §3.4, and Thunderbird's.
  auto id =
      ok(R"(a023 ID ("name" "sodr" "version" "19.34" "vendor" "Pink Floyd Music Limited"))").as<IdArgs>();
  ASSERT_TRUE(id.fields);
  ASSERT_EQ(id.fields->size(), 3u);
  EXPECT_EQ((*id.fields)[2].first, "vendor");
  EXPECT_EQ((*id.fields)[2].second, "Pink Floyd Music Limited");
  id = ok(R"(3 ID ("name" "Thunderbird" "version" NIL))").as<IdArgs>();
  EXPECT_FALSE((*id.fields)[1].second);
  EXPECT_FALSE(ok("a ID NIL").as<IdArgs>().fields);
  EXPECT_TRUE(ok("a ID ()").as<IdArgs>().fields->empty());
}

TEST(ImapParse, SelectAndExamine) {
  auto s = ok("A142 SELECT INBOX");
  EXPECT_EQ(s.name, CommandName::Select);
  EXPECT_EQ(s.as<SelectArgs>().mailbox, "INBOX");
  EXPECT_EQ(ok("6 select \"inbox\"").as<SelectArgs>().mailbox, "INBOX");  // INBOX in any case
  EXPECT_EQ(ok("a SELECT {5}\r\nInBoX").as<SelectArgs>().mailbox, "INBOX");
  EXPECT_EQ(ok("a SELECT Inbox/Sub").as<SelectArgs>().mailbox, "Inbox/Sub");  // only INBOX itself
  EXPECT_EQ(ok("A932 EXAMINE blurdybloop").name, CommandName::Examine);
  // RFC 7162 §3.1.8 and QRESYNC's parameter with a list value, kept raw.
  auto p = ok("a103 SELECT INBOX (CONDSTORE)").as<SelectArgs>().params;
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].name, "CONDSTORE");
  EXPECT_EQ(p[0].value, "");
  p = ok("A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541) condstore)")
          .as<SelectArgs>()
          .params;
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].name, "QRESYNC");
  EXPECT_EQ(p[0].value, "(67890007 20050715194045000 41,43:211,214:541)");
  EXPECT_EQ(p[1].name, "CONDSTORE");
}

TEST(ImapParse, MailboxCommands) {
  EXPECT_EQ(ok("A003 CREATE owatagusiam/").as<MailboxArgs>().mailbox, "owatagusiam/");
  EXPECT_EQ(ok("A683 DELETE blurdybloop").name, CommandName::Delete);
  EXPECT_EQ(ok("A002 SUBSCRIBE #news.comp.mail.mime").as<MailboxArgs>().mailbox, "#news.comp.mail.mime");
  EXPECT_EQ(ok("A002 UNSUBSCRIBE \"Sent Items\"").as<MailboxArgs>().mailbox, "Sent Items");
  EXPECT_EQ(ok("a CREATE ~peter/mail/&U,BTFw-/&ZeVnLIqe-").as<MailboxArgs>().mailbox,
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-");  // modified UTF-7 kept as sent
  const auto r = ok("A683 RENAME blurdybloop {8}\r\nsarasoop").as<RenameArgs>();
  EXPECT_EQ(r.from, "blurdybloop");
  EXPECT_EQ(r.to, "sarasoop");
}

TEST(ImapParse, ListClassic) {
  auto l = ok("A682 LIST \"\" *").as<ListArgs>();
  EXPECT_FALSE(l.extended);
  EXPECT_EQ(l.reference, "");
  EXPECT_EQ(l.patterns, (std::vector<std::string>{"*"}));
  l = ok("A202 LIST ~/Mail/ %").as<ListArgs>();
  EXPECT_EQ(l.reference, "~/Mail/");
  EXPECT_EQ(l.patterns, (std::vector<std::string>{"%"}));
  l = ok("a LIST inbox \"\"").as<ListArgs>();
  EXPECT_EQ(l.reference, "inbox");  // a reference is a prefix: not normalised
  l = ok("a LIST \"\" foo]*%").as<ListArgs>();
  EXPECT_EQ(l.patterns, (std::vector<std::string>{"foo]*%"}));
  const auto lsub = ok("5 lsub \"\" \"*\"");
  EXPECT_EQ(lsub.name, CommandName::Lsub);
  EXPECT_EQ(lsub.as<ListArgs>().patterns, (std::vector<std::string>{"*"}));
}

TEST(ImapParse, ListExtended) {
  // RFC 5258 §5 examples and RFC 6154's SPECIAL-USE.
  auto l = ok("A02 LIST (SUBSCRIBED) \"\" \"*\"").as<ListArgs>();
  EXPECT_TRUE(l.extended);
  EXPECT_EQ(l.selection, (std::vector<std::string>{"SUBSCRIBED"}));
  l = ok("A03 LIST () \"\" \"%\" RETURN (CHILDREN)").as<ListArgs>();
  EXPECT_TRUE(l.selection.empty());
  EXPECT_EQ(l.return_options, (std::vector<std::string>{"CHILDREN"}));
  l = ok("a LIST (special-use subscribed) \"\" \"*\" RETURN (SPECIAL-USE CHILDREN SUBSCRIBED)")
          .as<ListArgs>();
  EXPECT_EQ(l.selection, (std::vector<std::string>{"SPECIAL-USE", "SUBSCRIBED"}));
  EXPECT_EQ(l.return_options, (std::vector<std::string>{"SPECIAL-USE", "CHILDREN", "SUBSCRIBED"}));
  l = ok("A06 LIST \"\" (\"INBOX\" \"Drafts\" Sent/%)").as<ListArgs>();
  EXPECT_TRUE(l.extended);
  EXPECT_EQ(l.patterns, (std::vector<std::string>{"INBOX", "Drafts", "Sent/%"}));
  l = ok("t1 LIST \"\" \"%\" RETURN (SPECIAL-USE)").as<ListArgs>();
  EXPECT_TRUE(l.extended);
  // RFC 5819 LIST-STATUS.
  l = ok("A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))").as<ListArgs>();
  EXPECT_EQ(l.return_options, (std::vector<std::string>{"STATUS"}));
  EXPECT_EQ(l.return_status, (std::vector<StatusItem>{StatusItem::Messages, StatusItem::Unseen}));
}

TEST(ImapParse, Status) {
  const auto s =
      ok("a0008 STATUS \"INBOX\" (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN size deleted)").as<StatusArgs>();
  EXPECT_EQ(s.mailbox, "INBOX");
  EXPECT_EQ(s.items, (std::vector<StatusItem>{StatusItem::Messages, StatusItem::Recent, StatusItem::UidNext,
                                              StatusItem::UidValidity, StatusItem::Unseen, StatusItem::Size,
                                              StatusItem::Deleted}));
}

TEST(ImapParse, Append) {
  // RFC 3501 §6.3.11, shortened.
  const std::string message =
      "Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nSubject: afternoon meeting\r\n\r\nHello\r\n";
  std::string wire =
      "A003 APPEND saved-messages (\\Seen) {" + std::to_string(message.size()) + "}\r\n" + message;
  auto a = ok(wire).as<AppendArgs>();
  EXPECT_EQ(a.mailbox, "saved-messages");
  EXPECT_EQ(a.flags, (std::vector<Flag>{sys("\\Seen")}));
  EXPECT_FALSE(a.internal_date);
  EXPECT_EQ(a.message, message);
  // The view points into the wire.
  EXPECT_GE(a.message.data(), wire.data());
  EXPECT_LE(a.message.data() + a.message.size(), wire.data() + wire.size());
  // python imaplib: flags, a date-time; the mailbox as a literal too; NUL stored as it is.
  wire = "B APPEND {5}\r\nDraft (\\Draft $Forwarded) \"17-Jul-1996 02:44:25 -0700\" {3}\r\na\0b"s;
  a = ok(wire).as<AppendArgs>();
  EXPECT_EQ(a.mailbox, "Draft");
  EXPECT_EQ(a.flags, (std::vector<Flag>{sys("\\Draft"), {FlagKind::Keyword, "$Forwarded"}}));
  ASSERT_TRUE(a.internal_date);
  EXPECT_EQ(a.internal_date->unix_seconds, 837596665);
  EXPECT_EQ(a.message, "a\0b"s);
  a = ok("C APPEND INBOX () \" 1-Jan-2020 00:00:00 +0000\" {0}\r\n").as<AppendArgs>();
  EXPECT_TRUE(a.flags.empty());
  EXPECT_EQ(a.message, "");
}

TEST(ImapParse, Copy_Move_UidExpunge) {
  auto c = ok("A003 COPY 2:4 MEETING");
  EXPECT_EQ(c.name, CommandName::Copy);
  EXPECT_EQ(c.as<CopyArgs>().set, (SequenceSet{{{2, 4}}}));
  EXPECT_EQ(c.as<CopyArgs>().mailbox, "MEETING");
  c = ok("a UID MOVE 42:69 foo");  // RFC 6851 §4.1
  EXPECT_EQ(c.name, CommandName::Move);
  EXPECT_TRUE(c.uid);
  c = ok("14 uid copy 3,7:* \"Trash\"");
  EXPECT_EQ(c.as<CopyArgs>().set, (SequenceSet{{{3, 3}, {7, kStar}}}));
  c = ok("A004 UID EXPUNGE 3000:3002");  // RFC 4315 §2.1
  EXPECT_EQ(c.name, CommandName::Expunge);
  EXPECT_EQ(c.as<ExpungeArgs>().uid_set, (SequenceSet{{{3000, 3002}}}));
}

TEST(ImapParse, Store) {
  auto s = ok("A003 STORE 2:4 +FLAGS (\\Deleted)").as<StoreArgs>();
  EXPECT_EQ(s.mode, StoreArgs::Mode::Add);
  EXPECT_FALSE(s.silent);
  EXPECT_EQ(s.flags, (std::vector<Flag>{sys("\\Deleted")}));
  // mutt and mbsync; flags in any case come out canonical.
  s = ok("a0007 UID STORE 1 -flags.silent (\\SEEN \\answered $Label1)").as<StoreArgs>();
  EXPECT_EQ(s.mode, StoreArgs::Mode::Remove);
  EXPECT_TRUE(s.silent);
  EXPECT_EQ(s.flags, (std::vector<Flag>{sys("\\Seen"), sys("\\Answered"), {FlagKind::Keyword, "$Label1"}}));
  // python imaplib: no parentheses.
  s = ok("X STORE 1 +FLAGS \\Deleted \\Flagged").as<StoreArgs>();
  EXPECT_EQ(s.flags, (std::vector<Flag>{sys("\\Deleted"), sys("\\Flagged")}));
  s = ok("X STORE 1 FLAGS ()").as<StoreArgs>();
  EXPECT_EQ(s.mode, StoreArgs::Mode::Replace);
  EXPECT_TRUE(s.flags.empty());
  // \Recent and other \atoms parse; the session refuses them.
  s = ok("X STORE 1 +FLAGS (\\Recent \\Whatever)").as<StoreArgs>();
  EXPECT_EQ(s.flags,
            (std::vector<Flag>{{FlagKind::Recent, "\\Recent"}, {FlagKind::Extension, "\\Whatever"}}));
  // RFC 7162 §3.1.3.
  s = ok("d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)").as<StoreArgs>();
  EXPECT_EQ(s.unchanged_since, 320162338u);
  EXPECT_EQ(s.modifiers.size(), 1u);
  EXPECT_EQ(s.set, (SequenceSet{{{7, 7}, {5, 5}, {9, 9}}}));
}

TEST(ImapParse, FetchMacros) {
  using K = FetchItem::Kind;
  auto kinds = [](const Command& c) {
    std::vector<K> out;
    for (const FetchItem& i : c.as<FetchArgs>().items) out.push_back(i.kind);
    return out;
  };
  EXPECT_EQ(kinds(ok("a FETCH 1 ALL")),
            (std::vector<K>{K::Flags, K::InternalDate, K::Rfc822Size, K::Envelope}));
  EXPECT_EQ(kinds(ok("a FETCH 1 fast")), (std::vector<K>{K::Flags, K::InternalDate, K::Rfc822Size}));
  EXPECT_EQ(kinds(ok("a FETCH 1 FULL")),
            (std::vector<K>{K::Flags, K::InternalDate, K::Rfc822Size, K::Envelope, K::Body}));
  EXPECT_EQ(kinds(ok("A999 UID FETCH 4827313:4828442 FLAGS")), (std::vector<K>{K::Flags}));
  EXPECT_EQ(
      kinds(ok("a FETCH 1 (FLAGS INTERNALDATE RFC822 RFC822.HEADER RFC822.SIZE RFC822.TEXT ENVELOPE BODY "
               "BODYSTRUCTURE UID MODSEQ)")),
      (std::vector<K>{K::Flags, K::InternalDate, K::Rfc822, K::Rfc822Header, K::Rfc822Size, K::Rfc822Text,
                      K::Envelope, K::Body, K::BodyStructure, K::Uid, K::ModSeq}));
}

TEST(ImapParse, FetchSections) {
  // RFC 3501 §6.4.5 example.
  auto f = ok("A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])").as<FetchArgs>();
  ASSERT_EQ(f.items.size(), 2u);
  const FetchItem& h = f.items[1];
  EXPECT_EQ(h.kind, FetchItem::Kind::BodySection);
  EXPECT_FALSE(h.peek);
  EXPECT_EQ(h.section.text, Section::Text::HeaderFields);
  EXPECT_EQ(h.section.fields, (std::vector<std::string>{"DATE", "FROM"}));
  EXPECT_EQ(h.response_name(), "BODY[HEADER.FIELDS (DATE FROM)]");
  // Thunderbird's header fetch: names upper-cased, PEEK dropped from the response name.
  f = ok("8 UID fetch 1 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Bcc Subject Date "
         "Message-ID "
         "Priority X-Priority References Newsgroups In-Reply-To Content-Type Reply-To)])")
          .as<FetchArgs>();
  ASSERT_EQ(f.items.size(), 4u);
  EXPECT_TRUE(f.items[3].peek);
  EXPECT_EQ(f.items[3].section.fields.size(), 14u);
  EXPECT_EQ(f.items[3].response_name().substr(0, 34), "BODY[HEADER.FIELDS (FROM TO CC BCC");
  // Part numbers, section texts, partials.
  struct Case {
    const char* item;
    const char* response_name;
  };
  for (const Case& c :
       {Case{"BODY[]", "BODY[]"}, Case{"BODY.PEEK[]<0.16384>", "BODY[]<0>"},
        Case{"body[1.2.3]", "BODY[1.2.3]"}, Case{"BODY[1.MIME]", "BODY[1.MIME]"},
        Case{"BODY[2.HEADER]", "BODY[2.HEADER]"}, Case{"BODY[TEXT]<100.5>", "BODY[TEXT]<100>"},
        Case{"BODY[3.header.fields.not (x-tuid)]", "BODY[3.HEADER.FIELDS.NOT (X-TUID)]"},
        Case{"BODY[HEADER.FIELDS (\"Subject\" {4}\r\nDate)]", "BODY[HEADER.FIELDS (SUBJECT DATE)]"},
        Case{"BODY[1.TEXT]", "BODY[1.TEXT]"}, Case{"BODY[HEADER]<00.1>", "BODY[HEADER]<0>"}}) {
    const auto items = ok("a FETCH 1 (" + std::string(c.item) + ")").as<FetchArgs>().items;
    ASSERT_EQ(items.size(), 1u) << c.item;
    EXPECT_EQ(items[0].response_name(), c.response_name) << c.item;
  }
  const auto p = ok("a FETCH 1 BODY.PEEK[1.2]<10.20>").as<FetchArgs>().items[0];
  EXPECT_EQ(p.section.part, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(p.partial, (Partial{10, 20}));
}

TEST(ImapParse, FetchModifiers) {
  // RFC 7162 §3.1.4.1.
  const auto f = ok("s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)").as<FetchArgs>();
  EXPECT_EQ(f.changed_since, 12345u);
  ASSERT_EQ(f.modifiers.size(), 2u);
  EXPECT_EQ(f.modifiers[1].name, "VANISHED");
  EXPECT_EQ(f.set, (SequenceSet{{{1, kStar}}}));
}

TEST(ImapParse, SearchSimple) {
  // RFC 3501 §6.4.4 examples.
  auto s = ok("A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"").as<SearchArgs>();
  EXPECT_FALSE(s.charset);
  EXPECT_FALSE(s.return_options);
  ASSERT_EQ(s.key.kind, SearchKey::Kind::And);
  ASSERT_EQ(s.key.children.size(), 3u);
  EXPECT_EQ(s.key.children[0].kind, SearchKey::Kind::Flagged);
  EXPECT_EQ(s.key.children[1].kind, SearchKey::Kind::Since);
  EXPECT_EQ(s.key.children[1].date, (Date{1994, 2, 1}));
  EXPECT_EQ(s.key.children[2].kind, SearchKey::Kind::Not);
  EXPECT_EQ(s.key.children[2].children[0].kind, SearchKey::Kind::From);
  EXPECT_EQ(s.key.children[2].children[0].text, "Smith");
  s = ok("A283 SEARCH TEXT \"string not in mailbox\"").as<SearchArgs>();
  EXPECT_EQ(s.key.children[0].text, "string not in mailbox");
  // CHARSET with a literal (RFC 3501 §6.4.4), UTF-8 bytes in it.
  s = ok("A284 SEARCH CHARSET utf-8 TEXT {6}\r\n\xe5\x8f\xb0\xe5\x8c\x97").as<SearchArgs>();
  EXPECT_EQ(s.charset, "UTF-8");
  EXPECT_EQ(s.key.children[0].text, "\xe5\x8f\xb0\xe5\x8c\x97");
  // UTF-8 in a quoted string (RFC 9051 utf8-quoted).
  EXPECT_EQ(ok("a SEARCH SUBJECT \"caf\xc3\xa9\"").as<SearchArgs>().key.children[0].text, "caf\xc3\xa9");
  // python imaplib's search(None, "ALL"); a sequence set; UID with a set.
  EXPECT_EQ(ok("a SEARCH ALL").as<SearchArgs>().key.children[0].kind, SearchKey::Kind::All);
  s = ok("a UID SEARCH 1:3,5 UID 10:* UNSEEN").as<SearchArgs>();
  EXPECT_EQ(s.key.children[0].kind, SearchKey::Kind::SequenceSet);
  EXPECT_EQ(s.key.children[0].set, (SequenceSet{{{1, 3}, {5, 5}}}));
  EXPECT_EQ(s.key.children[1].set, (SequenceSet{{{10, kStar}}}));
}

TEST(ImapParse, SearchEveryKey) {
  using K = SearchKey::Kind;
  struct Case {
    const char* key;
    K kind;
  };
  for (const Case& c : {Case{"ALL", K::All},
                        Case{"ANSWERED", K::Answered},
                        Case{"BCC x", K::Bcc},
                        Case{"BEFORE 1-Feb-1994", K::Before},
                        Case{"BODY x", K::Body},
                        Case{"CC x", K::Cc},
                        Case{"DELETED", K::Deleted},
                        Case{"DRAFT", K::Draft},
                        Case{"FLAGGED", K::Flagged},
                        Case{"FROM x", K::From},
                        Case{"HEADER X-Spam \"\"", K::Header},
                        Case{"KEYWORD $Junk", K::Keyword},
                        Case{"LARGER 1000", K::Larger},
                        Case{"NEW", K::New},
                        Case{"NOT SEEN", K::Not},
                        Case{"OLD", K::Old},
                        Case{"ON \"01-Feb-1994\"", K::On},
                        Case{"OR SEEN DRAFT", K::Or},
                        Case{"RECENT", K::Recent},
                        Case{"SEEN", K::Seen},
                        Case{"SENTBEFORE 1-Feb-1994", K::SentBefore},
                        Case{"SENTON 1-Feb-1994", K::SentOn},
                        Case{"SENTSINCE 1-Feb-1994", K::SentSince},
                        Case{"SINCE 1-Feb-1994", K::Since},
                        Case{"SMALLER 99999999999", K::Smaller},
                        Case{"SUBJECT x", K::Subject},
                        Case{"TEXT x", K::Text},
                        Case{"TO x", K::To},
                        Case{"UID 1", K::Uid},
                        Case{"UNANSWERED", K::Unanswered},
                        Case{"UNDELETED", K::Undeleted},
                        Case{"UNDRAFT", K::Undraft},
                        Case{"UNFLAGGED", K::Unflagged},
                        Case{"UNKEYWORD foo", K::Unkeyword},
                        Case{"UNSEEN", K::Unseen},
                        Case{"*", K::SequenceSet},
                        Case{"(SEEN)", K::And},
                        Case{"MODSEQ 620162338", K::ModSeq}}) {
    const auto s = ok("a SEARCH " + std::string(c.key)).as<SearchArgs>();
    ASSERT_EQ(s.key.children.size(), 1u) << c.key;
    EXPECT_EQ(s.key.children[0].kind, c.kind) << c.key;
  }
  const auto h = ok("a SEARCH HEADER message-id <x@y>").as<SearchArgs>().key.children[0];
  EXPECT_EQ(h.field, "MESSAGE-ID");
  EXPECT_EQ(h.text, "<x@y>");
  EXPECT_EQ(ok("a SEARCH SMALLER 99999999999").as<SearchArgs>().key.children[0].number, 99999999999u);
  // RFC 7162 §3.1.5 example with an entry name.
  EXPECT_EQ(ok("a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338").as<SearchArgs>().key.children[0].number,
            620162338u);
}

TEST(ImapParse, SearchNested) {
  using K = SearchKey::Kind;
  const auto s = ok("a SEARCH OR (FROM alice NOT SEEN) NOT (OR TO bob (DELETED)) 1:5").as<SearchArgs>().key;
  ASSERT_EQ(s.children.size(), 2u);
  const SearchKey& o = s.children[0];
  EXPECT_EQ(o.kind, K::Or);
  ASSERT_EQ(o.children.size(), 2u);
  EXPECT_EQ(o.children[0].kind, K::And);
  EXPECT_EQ(o.children[0].children[1].kind, K::Not);
  EXPECT_EQ(o.children[0].children[1].children[0].kind, K::Seen);
  EXPECT_EQ(o.children[1].kind, K::Not);
  const SearchKey& inner = o.children[1].children[0].children[0];
  EXPECT_EQ(inner.kind, K::Or);
  EXPECT_EQ(inner.children[0].text, "bob");
  EXPECT_EQ(inner.children[1].kind, K::And);
  EXPECT_EQ(s.children[1].set, (SequenceSet{{{1, 5}}}));
}

TEST(ImapParse, SearchReturn) {
  // RFC 4731 §3 example.
  auto s = ok("A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"").as<SearchArgs>();
  EXPECT_EQ(s.return_options, (std::vector<std::string>{"MIN", "COUNT"}));
  EXPECT_EQ(s.key.children.size(), 3u);
  s = ok("a UID SEARCH RETURN () CHARSET US-ASCII ALL").as<SearchArgs>();
  ASSERT_TRUE(s.return_options);
  EXPECT_TRUE(s.return_options->empty());
  EXPECT_EQ(s.charset, "US-ASCII");
}

TEST(ImapParse, LiteralsInEveryAstringPosition) {
  EXPECT_EQ(ok("a SELECT {4}\r\nWork").as<SelectArgs>().mailbox, "Work");
  EXPECT_EQ(ok("a STATUS {4}\r\nWork (MESSAGES)").as<StatusArgs>().mailbox, "Work");
  EXPECT_EQ(ok("a COPY 1 {4}\r\nWork").as<CopyArgs>().mailbox, "Work");
  EXPECT_EQ(ok("a LIST {0}\r\n {1}\r\n*").as<ListArgs>().patterns, (std::vector<std::string>{"*"}));
  EXPECT_EQ(ok("a SEARCH HEADER {7}\r\nSubject {2}\r\nhi").as<SearchArgs>().key.children[0].text, "hi");
  EXPECT_EQ(ok("a ID ({4}\r\nname {2}\r\nme)").as<IdArgs>().fields->at(0).second, "me");
  EXPECT_EQ(ok("a SEARCH CHARSET {5}\r\nutf-8 ALL").as<SearchArgs>().charset, "UTF-8");
}

}  // namespace
}  // namespace endhost::imap
