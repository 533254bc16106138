// ENVELOPE (RFC 3501 §7.4.2) and the RFC 5322 address lists in it.
#include "imap/message/envelope.hpp"

#include <gtest/gtest.h>

#include "imap_value.hpp"

namespace endhost::imap::message {
namespace {

std::string list(std::string_view value) {
  std::string out;
  append_address_list(out, parse_address_list(value));
  return out;
}

std::string envelope(std::string_view message) {
  const ParsedMessage m(message);
  std::string out;
  append_envelope(out, make_envelope(m));
  return out;
}

TEST(ImapEnvelope, Rfc3501Example) {
  const std::string text =
      "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\nFrom: Terry Gray <gray@cac.washington.edu>\r\n"
      "Subject: IMAP4rev1 WG mtg summary and minutes\r\nTo: imap@cac.washington.edu\r\n"
      "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n"
      "Message-Id: <B27397-0100000@cac.washington.edu>\r\n\r\nbody\r\n";
  EXPECT_EQ(
      envelope(text),
      R"~(("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" )~"
      R"~((("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) )~"
      R"~((("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) )~"
      R"~(((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL )~"
      R"~("<B27397-0100000@cac.washington.edu>"))~");
}

TEST(ImapEnvelope, EmptyMessageIsAllNil) {
  EXPECT_EQ(envelope(""), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST(ImapEnvelope, SenderAndReplyToKeepTheirOwn) {
  const std::string e = envelope("From: a@x\r\nSender: s@x\r\nReply-To: r@x\r\n\r\n");
  EXPECT_EQ(e,
            R"~((NIL NIL ((NIL NIL "a" "x")) ((NIL NIL "s" "x")) ((NIL NIL "r" "x")) NIL NIL NIL NIL NIL))~");
}

TEST(ImapEnvelope, FirstFieldCountsAndValuesAreUnfolded) {
  const std::string e =
      envelope("Subject: first\r\n\t  folded   twice\r\nSubject: second\r\nMessage-ID:\r\n <id@x>  \r\n\r\n");
  const auto v = test::parse_value(e);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->items[1].text, "first folded twice");
  EXPECT_EQ(v->items[9].text, " <id@x>");  // unfolded; only the trailing blanks go
}

TEST(ImapEnvelope, EncodedWordsStayAsTheyAre) {
  const std::string e =
      envelope("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nFrom: =?utf-8?b?SsO2cmc=?= <j@x.de>\r\n\r\n");
  EXPECT_NE(e.find("\"=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\""), std::string::npos) << e;
  EXPECT_NE(e.find("((\"=?utf-8?b?SsO2cmc=?=\" NIL \"j\" \"x.de\"))"), std::string::npos) << e;
}

TEST(ImapAddress, Groups) {
  EXPECT_EQ(list("undisclosed-recipients:;"),
            R"~(((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)))~");
  EXPECT_EQ(
      list("Friends: a@x, \"B\" <b@y>; c@z"),
      R"~(((NIL NIL "Friends" NIL)(NIL NIL "a" "x")("B" NIL "b" "y")(NIL NIL NIL NIL)(NIL NIL "c" "z")))~");
  // A group that never ends still gets its end marker.
  EXPECT_EQ(list("G: a@x"), R"~(((NIL NIL "G" NIL)(NIL NIL "a" "x")(NIL NIL NIL NIL)))~");
}

TEST(ImapAddress, NamesLocalPartsAndDomains) {
  EXPECT_EQ(list("\"john doe\"@example.org"), R"~(((NIL NIL "john doe" "example.org")))~");
  EXPECT_EQ(list("John Q. Public <jqp@example.org>"), R"~((("John Q. Public" NIL "jqp" "example.org")))~");
  EXPECT_EQ(list("\"Quoted \\\"Name\\\"\" <q@[192.0.2.1]>"),
            R"~((("Quoted \"Name\"" NIL "q" "[192.0.2.1]")))~");
  EXPECT_EQ(list("Jane (the boss) <jane @ example . org>"), R"~((("Jane" NIL "jane" "example.org")))~");
  EXPECT_EQ(list("user@host (Old Style)"), R"~((("Old Style" NIL "user" "host")))~");
  EXPECT_EQ(list("S <@relay.a,@relay.b:s@c>"), R"~((("S" "@relay.a,@relay.b" "s" "c")))~");
}

TEST(ImapAddress, MissingHalvesAreFilledIn) {
  EXPECT_EQ(list("root"), R"~(((NIL NIL "root" "MISSING_DOMAIN")))~");
  EXPECT_EQ(list("Only A Name"), R"~((("Only A Name" NIL "MISSING_MAILBOX" "MISSING_DOMAIN")))~");
  EXPECT_EQ(list("<@host>"), R"~(((NIL NIL "MISSING_MAILBOX" "host")))~");
  EXPECT_EQ(list("<>"), "NIL");
  EXPECT_EQ(list("a@"), R"~(((NIL NIL "a" "MISSING_DOMAIN")))~");
}

TEST(ImapAddress, GarbageIsSkipped) {
  EXPECT_EQ(list(""), "NIL");
  EXPECT_EQ(list(" , ,, "), "NIL");
  EXPECT_EQ(list(">>> a@b <<<"), R"~(((NIL NIL "a" "b")))~");
  EXPECT_EQ(list("\"unterminated <a@b>"), R"~(((NIL NIL "unterminated <a@b>" "MISSING_DOMAIN")))~");
  EXPECT_EQ(list("(unterminated comment a@b"), "NIL");
}

TEST(ImapAddress, ManyAddressesStopAtTheLimit) {
  std::string v;
  for (std::size_t i = 0; i < kMaxAddressesPerField + 10; ++i) v += "a" + std::to_string(i) + "@x, ";
  EXPECT_EQ(parse_address_list(v).size(), kMaxAddressesPerField);
}

}  // namespace
}  // namespace endhost::imap::message
