// The mail-access experiment's reply readers (experiments/mail_replies.hpp): whole POP3 replies and IMAP
// responses from the text parsers' events, the same whether the bytes come at once or one at a time, with
// bodies and literals counted in full and kept up to the bound; errors that stay; and the FETCH items the
// experiment reads back.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lab/experiments/mail_replies.hpp"

namespace endhost::lab {
namespace {

std::vector<Pop3Reply> pop3_all(Pop3ReplyReader& r, std::string_view bytes, bool bytewise) {
  std::vector<Pop3Reply> out;
  if (!bytewise) {
    auto got = r.feed(bytes);
    EXPECT_TRUE(got) << (got ? "" : got.error());
    return got ? *got : out;
  }
  for (char c : bytes) {
    auto got = r.feed(std::string_view(&c, 1));
    EXPECT_TRUE(got) << (got ? "" : got.error());
    if (!got) break;
    for (auto& x : *got) out.push_back(std::move(x));
  }
  return out;
}

std::vector<ImapResponse> imap_all(ImapReplyReader& r, std::string_view bytes, bool bytewise) {
  std::vector<ImapResponse> out;
  const std::size_t step = bytewise ? 1 : bytes.size();
  for (std::size_t i = 0; i < bytes.size(); i += step) {
    auto got = r.feed(bytes.substr(i, step));
    EXPECT_TRUE(got) << (got ? "" : got.error());
    if (!got) break;
    for (auto& x : *got) out.push_back(std::move(x));
  }
  return out;
}

class Split : public ::testing::TestWithParam<bool> {};

TEST_P(Split, Pop3RepliesInOrderWithTheirBodies) {
  Pop3ReplyReader r;
  r.expect(false);  // greeting
  r.expect(false);  // STAT
  r.expect(true);   // RETR 1
  r.expect(true);   // RETR 9: -ERR, no body follows
  r.expect(false);  // QUIT
  const std::string bytes =
      "+OK ready\r\n"
      "+OK 1 27\r\n"
      "+OK 27 octets\r\nSubject: x\r\n\r\n..dotted\r\nend\r\n.\r\n"
      "-ERR no such message\r\n"
      "+OK bye\r\n";
  auto replies = pop3_all(r, bytes, GetParam());
  ASSERT_EQ(replies.size(), 5u);
  EXPECT_TRUE(replies[0].ok);
  EXPECT_EQ(replies[0].text, "ready");
  EXPECT_FALSE(replies[1].has_body);
  EXPECT_EQ(replies[1].text, "1 27");
  EXPECT_TRUE(replies[2].has_body);
  EXPECT_EQ(replies[2].body, "Subject: x\r\n\r\n.dotted\r\nend\r\n");  // dot-unstuffed (RFC 1939 §3)
  EXPECT_EQ(replies[2].body_size, replies[2].body.size());
  EXPECT_FALSE(replies[3].ok);
  EXPECT_FALSE(replies[3].has_body);
  EXPECT_EQ(replies[3].text, "no such message");
  EXPECT_EQ(replies[4].text, "bye");
}

TEST_P(Split, ImapResponsesWithLiterals) {
  ImapReplyReader r;
  const std::string bytes =
      "* OK [CAPABILITY IMAP4rev1] ready\r\n"
      "* 1 FETCH (UID 7 BODY[HEADER.FIELDS (SUBJECT)] {13}\r\nSubject: hi\r\n FLAGS (\\Seen))\r\n"
      "* 2 FETCH (BODY[1] {3}\r\nabc BODY[2] {0}\r\n)\r\n"
      "+ go on\r\n"
      "a1 OK Fetch completed.\r\n"
      "a2 no [TRYCREATE] no such mailbox\r\n";
  auto got = imap_all(r, bytes, GetParam());
  ASSERT_EQ(got.size(), 6u);
  EXPECT_FALSE(got[0].tagged);
  EXPECT_EQ(got[0].text, "OK [CAPABILITY IMAP4rev1] ready");
  EXPECT_EQ(got[1].text, "1 FETCH (UID 7 BODY[HEADER.FIELDS (SUBJECT)] {13} FLAGS (\\Seen))");
  ASSERT_EQ(got[1].literals.size(), 1u);
  EXPECT_EQ(got[1].literals[0], "Subject: hi\r\n");
  EXPECT_EQ(got[1].literal_bytes, 13u);
  EXPECT_EQ(got[2].text, "2 FETCH (BODY[1] {3} BODY[2] {0})");
  ASSERT_EQ(got[2].literals.size(), 2u);
  EXPECT_EQ(got[2].literals[0], "abc");
  EXPECT_EQ(got[2].literals[1], "");
  EXPECT_TRUE(got[3].continuation);
  EXPECT_EQ(got[3].text, "go on");
  EXPECT_TRUE(got[4].tagged);
  EXPECT_EQ(got[4].tag, "a1");
  EXPECT_EQ(got[4].status, text::ImapStatus::Ok);
  EXPECT_EQ(got[5].status, text::ImapStatus::No);  // the status word in any case
  EXPECT_EQ(got[5].text, "[TRYCREATE] no such mailbox");
}

INSTANTIATE_TEST_SUITE_P(WholeAndBytewise, Split, ::testing::Bool());

TEST(MailReplies, LargeBodiesAndLiteralsAreCountedAndKeptUpToTheBound) {
  const std::string big(kMaxKeptPayload + 4096, 'x');
  text::ParserLimits limits;
  Pop3ReplyReader pop3(limits);
  pop3.expect(true);
  std::string body;
  for (std::size_t i = 0; i < big.size(); i += 1000) body += big.substr(i, 1000) + "\r\n";
  auto replies = pop3.feed("+OK\r\n" + body + ".\r\n");
  ASSERT_TRUE(replies) << replies.error();
  ASSERT_EQ(replies->size(), 1u);
  EXPECT_EQ((*replies)[0].body_size, body.size());
  EXPECT_EQ((*replies)[0].body.size(), kMaxKeptPayload);
  EXPECT_EQ((*replies)[0].body, body.substr(0, kMaxKeptPayload));

  ImapReplyReader imap;
  auto got = imap.feed("* 1 FETCH (BODY[] {" + std::to_string(big.size()) + "}\r\n" + big + ")\r\n");
  ASSERT_TRUE(got) << got.error();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].literal_bytes, big.size());
  EXPECT_EQ((*got)[0].literals[0].size(), kMaxKeptPayload);
}

TEST(MailReplies, ErrorsPutTheReaderOutOfStepForGood) {
  Pop3ReplyReader unasked;
  auto a = unasked.feed("+OK nobody asked\r\n");
  EXPECT_FALSE(a);
  EXPECT_FALSE(unasked.feed("+OK\r\n"));

  Pop3ReplyReader bad;
  bad.expect(false);
  EXPECT_FALSE(bad.feed("HELLO\r\n"));  // neither +OK nor -ERR (RFC 1939 §3)
  Pop3ReplyReader bare_lf;
  bare_lf.expect(false);
  EXPECT_FALSE(bare_lf.feed("+OK\n"));

  ImapReplyReader imap;
  EXPECT_FALSE(imap.feed("a1 MAYBE so\r\n"));
  EXPECT_FALSE(imap.feed("* OK\r\n"));

  text::ParserLimits small;
  small.max_literal = 10;
  ImapReplyReader limited(small);
  EXPECT_FALSE(limited.feed("* 1 FETCH (BODY[] {11}\r\n"));
}

TEST(MailReplies, FetchItems) {
  const std::string t =
      "3 FETCH (UID 9 RFC822.SIZE 281721 FLAGS (\\Seen \\Flagged) BODY[HEADER.FIELDS (UID)] {20})";
  EXPECT_EQ(fetch_number(t, "UID"), 9u);
  EXPECT_EQ(fetch_number(t, "rfc822.size"), 281721u);
  EXPECT_EQ(fetch_list(t, "FLAGS"), "\\Seen \\Flagged");
  EXPECT_FALSE(fetch_number(t, "SIZE"));                       // not a whole atom
  EXPECT_FALSE(fetch_number("1 FETCH (X \"UID 5\")", "UID"));  // inside a quoted string
  EXPECT_FALSE(fetch_list("1 FETCH (FLAGS \\Seen)", "FLAGS"));
  EXPECT_FALSE(fetch_list("1 FETCH (FLAGS (\\Seen", "FLAGS"));
  EXPECT_EQ(fetch_list("1 FETCH (BODYSTRUCTURE ((\"text\" NIL) \"mixed\"))", "BODYSTRUCTURE"),
            "(\"text\" NIL) \"mixed\"");
  EXPECT_EQ(exists_count("3 EXISTS"), 3u);
  EXPECT_EQ(exists_count("0 exists"), 0u);
  EXPECT_FALSE(exists_count("3 RECENT"));
  EXPECT_FALSE(exists_count("EXISTS"));
}

}  // namespace
}  // namespace endhost::lab
