// parse_command's refusals: malformed commands and every ParseLimits bound, each a ParseError carrying the
// tag when there was a valid one (`tag BAD ...`), "" otherwise (`* BAD ...`).
#include <gtest/gtest.h>

#include <string>

#include "imap/command_parser.hpp"

namespace endhost::imap {
namespace {

using namespace std::string_literals;
using Kind = ParseError::Kind;

ParseError bad(std::string_view wire, const ParseLimits& limits = {}) {
  auto r = parse_command(wire, limits);
  EXPECT_FALSE(r) << wire;
  if (r) return {};
  EXPECT_FALSE(r.error().message.empty()) << wire;
  EXPECT_EQ(r.error().message.find_first_of("\r\n"), std::string::npos);
  return r.error();
}

TEST(ImapParseErrors, NoValidTag) {
  for (const std::string& wire :
       {""s, " NOOP"s, "* NOOP"s, "+ NOOP"s, "a+b NOOP"s, "a(b NOOP"s, "a\"b NOOP"s, "a{1} NOOP"s,
        "a%b NOOP"s, "a\\b NOOP"s, "t\xc3\xa9 NOOP"s, "a\0 NOOP"s, "a\tNOOP"s, "\r\n"s}) {
    const ParseError e = bad(wire);
    EXPECT_EQ(e.tag, "") << wire;
    EXPECT_EQ(e.kind, Kind::Syntax) << wire;
  }
}

TEST(ImapParseErrors, UnknownCommands) {
  for (const char* wire : {"a FOO", "a GETQUOTAROOT INBOX", "a UID NOOP", "a UID", "a UID  FETCH 1 FLAGS",
                           "a UID UID FETCH 1 FLAGS", "a NOOP(", "a DONE"}) {
    const ParseError e = bad(wire);
    EXPECT_EQ(e.tag, "a") << wire;
    if (std::string_view(wire) != "a UID" && std::string_view(wire) != "a UID  FETCH 1 FLAGS") {
      EXPECT_EQ(e.kind, Kind::UnknownCommand) << wire;
    }
  }
  EXPECT_EQ(bad("a").tag, "a");
  EXPECT_EQ(bad("a ").tag, "a");
}

TEST(ImapParseErrors, MalformedTable) {
  for (const std::string& wire :
       {// arguments missing, extra, or with the wrong separator
        "t NOOP x"s, "t CAPABILITY "s, "t LOGIN bob"s, "t LOGIN bob  secret"s, "t LOGIN bob secret extra"s,
        "t SELECT"s, "t SELECT "s, "t RENAME a"s, "t IDLE now"s, "t EXPUNGE 1"s, "t UID EXPUNGE"s,
        // strings
        "t LOGIN \"bob secret"s, "t LOGIN \"bo\rb\" x"s, "t LOGIN \"bo\nb\" x"s, "t LOGIN \"bo\0b\" x"s,
        "t LOGIN \"b\\ob\" x"s, "t LOGIN \"bob\\\" x"s, "t LOGIN b\xc3\xa9 x"s, "t LOGIN \"\xc3\" x"s,
        "t LOGIN bob ()"s, "t LOGIN bob se(cret"s, "t SELECT %"s, "t SELECT *"s,
        // literals
        "t LOGIN {3}\r\nbo"s, "t LOGIN {3}bob x"s, "t LOGIN {3}\nbob x"s, "t LOGIN {}\r\n x"s,
        "t LOGIN {x}\r\nb x"s, "t LOGIN {99999999999999999999999}\r\nb x"s, "t LOGIN {3}\r\nb\0b x"s,
        "t LOGIN {-1}\r\n x"s,
        // sequence sets
        "t FETCH 0 FLAGS"s, "t FETCH 1:0 FLAGS"s, "t FETCH 01 FLAGS"s, "t FETCH 1, FLAGS"s,
        "t FETCH ,1 FLAGS"s, "t FETCH 1::2 FLAGS"s, "t FETCH 4294967296 FLAGS"s, "t FETCH 1:2:3 FLAGS"s,
        "t FETCH $ FLAGS"s, "t FETCH a FLAGS"s, "t COPY 1 "s, "t FETCH -1 FLAGS"s,
        // fetch items and sections
        "t FETCH 1"s, "t FETCH 1 ()"s, "t FETCH 1 (FLAGS"s, "t FETCH 1 FLAGS)"s, "t FETCH 1 ((FLAGS))"s,
        "t FETCH 1 BINARY[]"s, "t FETCH 1 (ALL)"s, "t FETCH 1 BODY[1.]"s, "t FETCH 1 BODY[.1]"s,
        "t FETCH 1 BODY[0]"s, "t FETCH 1 BODY[1..2]"s, "t FETCH 1 BODY[MIME]"s, "t FETCH 1 BODY[HEADER"s,
        "t FETCH 1 BODY[FOO]"s, "t FETCH 1 BODY[1.FOO]"s, "t FETCH 1 BODY[HEADER.FIELDS]"s,
        "t FETCH 1 BODY[HEADER.FIELDS ()]"s, "t FETCH 1 BODY[HEADER.FIELDS (A:B)]"s,
        "t FETCH 1 BODY[HEADER.FIELDS (\"\")]"s, "t FETCH 1 BODY[]<1.0>"s, "t FETCH 1 BODY[]<1>"s,
        "t FETCH 1 BODY[]<1.2"s, "t FETCH 1 BODY[]<.2>"s, "t FETCH 1 BODY.PEEK"s, "t FETCH 1 BODY.PEEK[TEXT"s,
        "t FETCH 1 RFC822.SIZE[]"s, "t FETCH 1 FLAGS (CHANGEDSINCE x)"s, "t FETCH 1 FLAGS (CHANGEDSINCE)"s,
        "t FETCH 1 FLAGS ()"s, "t FETCH 1 FLAGS (CHANGEDSINCE 9223372036854775808)"s,
        // store and flags
        "t STORE 1 FLAGS"s, "t STORE 1 +FLAGS"s, "t STORE 1 *FLAGS (\\Seen)"s,
        "t STORE 1 FLAGS.LOUD (\\Seen)"s, "t STORE 1 +FLAGS (\\*)"s, "t STORE 1 +FLAGS \\*"s,
        "t STORE 1 +FLAGS (\\)"s, "t STORE 1 +FLAGS (\\Seen"s, "t STORE 1 +FLAGS ((\\Seen))"s,
        "t STORE 1 +FLAGS (\"Seen\")"s, "t STORE 1 +FLAGS (\\Seen )"s, "t STORE 1 +FLAGS (a\xff)"s,
        "t STORE 1 (UNCHANGEDSINCE) +FLAGS (\\Seen)"s,
        // search
        "t SEARCH"s, "t SEARCH FOO"s, "t SEARCH (SEEN"s, "t SEARCH SEEN)"s, "t SEARCH ()"s, "t SEARCH NOT"s,
        "t SEARCH OR SEEN"s, "t SEARCH FROM"s, "t SEARCH SINCE 1-Foo-1994"s, "t SEARCH SINCE \"1-Feb-1994"s,
        "t SEARCH SINCE 30-Feb-1994"s, "t SEARCH LARGER x"s, "t SEARCH LARGER -1"s, "t SEARCH UID x"s,
        "t SEARCH KEYWORD \\Seen"s, "t SEARCH HEADER \"a b\" x"s, "t SEARCH CHARSET"s,
        "t SEARCH CHARSET UTF-8"s, "t SEARCH RETURN (MIN"s, "t SEARCH RETURN MIN ALL"s,
        "t SEARCH SEEN  UNSEEN"s, "t SEARCH 0"s, "t SEARCH MODSEQ \"/flags/x\" wrong 5"s,
        // lists and the rest
        "t LIST \"\""s, "t LIST (SUBSCRIBED \"\" *"s, "t LIST \"\" ()"s, "t LIST \"\" * RETURN"s,
        "t LIST \"\" * RETURN (STATUS)"s, "t LIST \"\" * RETURN (STATUS (FOO))"s, "t LIST \"\" * CHILDREN"s,
        "t STATUS INBOX"s, "t STATUS INBOX ()"s, "t STATUS INBOX (MESSAGES"s, "t STATUS INBOX (FOO)"s,
        "t APPEND INBOX"s, "t APPEND INBOX \"msg\""s, "t APPEND INBOX (\\Seen) {1}\r\n"s,
        "t APPEND INBOX \"bad date\" {1}\r\nx"s, "t APPEND INBOX ~{1}\r\nx"s, "t APPEND INBOX {1}\r\nxy"s,
        "t APPEND INBOX {1}\r\nx {1}\r\ny"s, "t AUTHENTICATE"s, "t AUTHENTICATE PLAIN abc"s,
        "t AUTHENTICATE PLAIN ab=c"s, "t AUTHENTICATE PLAIN ===="s, "t AUTHENTICATE PLAIN a*=="s, "t ENABLE"s,
        "t ENABLE "s, "t ID"s, "t ID (\"name\")"s, "t ID (name \"x\")"s, "t ID NILL"s, "t ID (\"a\" \"b\""s,
        "t SELECT INBOX ()"s, "t SELECT INBOX (CONDSTORE"s, "t SELECT INBOX CONDSTORE"s,
        "t SELECT INBOX ((x))"s}) {
    const ParseError e = bad(wire);
    EXPECT_EQ(e.tag, "t") << wire;
  }
}

TEST(ImapParseErrors, LiteralPlusTolerated) {
  // The session normalises {n+} to {n}; should one come through anyway, it is read the same.
  const auto r = parse_command("1 LOGIN bob {6+}\r\nsecret");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->as<LoginArgs>().password, "secret");
}

// Each limit: the input just at the limit parses, one past it is a Limit error with the tag.
class ImapParseLimits : public ::testing::Test {
 protected:
  void at_and_past(const std::string& at, const std::string& past, const ParseLimits& limits) {
    const auto r = parse_command(at, limits);
    EXPECT_TRUE(r) << at.substr(0, 200) << " -> " << (r ? "" : r.error().message);
    const ParseError e = bad(past, limits);
    EXPECT_EQ(e.kind, Kind::Limit) << past.substr(0, 200) << " -> " << e.message;
    EXPECT_EQ(e.tag, "t") << past.substr(0, 200);
  }
  static std::string repeat(const std::string& s, std::size_t n, const std::string& sep) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += (i ? sep : "") + s;
    return out;
  }
};

TEST_F(ImapParseLimits, Tag) {
  ParseLimits l;
  l.max_tag = 8;
  EXPECT_TRUE(parse_command("12345678 NOOP", l));
  const ParseError e = bad("123456789 NOOP", l);
  EXPECT_EQ(e.kind, Kind::Limit);
  EXPECT_EQ(e.tag, "");  // too long to echo: `* BAD`
}

TEST_F(ImapParseLimits, Depth) {
  ParseLimits l;
  l.max_depth = 4;
  // A key's depth is its level in the tree: a top-level key is 1, each parenthesis, NOT and OR adds one.
  at_and_past("t SEARCH (((SEEN)))", "t SEARCH ((((SEEN))))", l);
  at_and_past("t SEARCH NOT NOT NOT SEEN", "t SEARCH NOT NOT NOT NOT SEEN", l);
  at_and_past("t SEARCH OR SEEN OR SEEN (SEEN)", "t SEARCH OR SEEN OR SEEN (NOT NOT SEEN)", l);
  // The parameter list is level 1, each parenthesis in a value one more.
  at_and_past("t SELECT x (P (((1))))", "t SELECT x (P ((((1)))))", l);
  // A deep input far past any stack a recursive parser could take is refused, not followed.
  ParseLimits d;
  EXPECT_EQ(bad("t SEARCH " + std::string(100000, '(') + "SEEN" + std::string(100000, ')'), d).kind,
            Kind::Limit);
  EXPECT_EQ(bad("t SEARCH " + repeat("NOT", 100000, " ") + " SEEN", d).kind, Kind::Limit);
}

TEST_F(ImapParseLimits, SearchKeys) {
  ParseLimits l;
  l.max_search_keys = 10;
  at_and_past("t SEARCH " + repeat("SEEN", 10, " "), "t SEARCH " + repeat("SEEN", 11, " "), l);
  at_and_past("t SEARCH (" + repeat("SEEN", 9, " ") + ")", "t SEARCH (" + repeat("SEEN", 10, " ") + ")", l);
}

TEST_F(ImapParseLimits, SequenceRanges) {
  ParseLimits l;
  l.max_sequence_ranges = 5;
  at_and_past("t FETCH 1,2,3,4,5:* FLAGS", "t FETCH 1,2,3,4,5,6 FLAGS", l);
  at_and_past("t UID SEARCH UID 1,2,3,4,5", "t UID SEARCH UID 1,2,3,4,5,6", l);
}

TEST_F(ImapParseLimits, FetchItemsAndHeaderFields) {
  ParseLimits l;
  l.max_fetch_items = 4;
  at_and_past("t FETCH 1 (UID FLAGS UID FLAGS)", "t FETCH 1 (UID FLAGS UID FLAGS UID)", l);
  l.max_fetch_items = 4;
  const ParseError e = bad("t FETCH 1 FULL", l);  // five items after expansion
  EXPECT_EQ(e.kind, Kind::Limit);
  l = {};
  l.max_header_fields = 3;
  at_and_past("t FETCH 1 BODY[HEADER.FIELDS (A B C)]", "t FETCH 1 BODY[HEADER.FIELDS (A B C D)]", l);
  l = {};
  l.max_part_depth = 3;
  at_and_past("t FETCH 1 BODY[1.2.3]", "t FETCH 1 BODY[1.2.3.4]", l);
}

TEST_F(ImapParseLimits, Flags) {
  ParseLimits l;
  l.max_flags = 3;
  at_and_past("t STORE 1 +FLAGS (a b c)", "t STORE 1 +FLAGS (a b c d)", l);
  at_and_past("t STORE 1 +FLAGS a b c", "t STORE 1 +FLAGS a b c d", l);
  at_and_past("t APPEND x (a b c) {1}\r\nm", "t APPEND x (a b c d) {1}\r\nm", l);
}

TEST_F(ImapParseLimits, Strings) {
  ParseLimits l;
  l.max_string = 10;
  at_and_past("t LOGIN " + std::string(10, 'a') + " x", "t LOGIN " + std::string(11, 'a') + " x", l);
  at_and_past("t LOGIN \"" + std::string(10, 'a') + "\" x", "t LOGIN \"" + std::string(11, 'a') + "\" x", l);
  at_and_past("t STORE 1 FLAGS " + std::string(10, 'k'), "t STORE 1 FLAGS " + std::string(11, 'k'), l);
  at_and_past("t SEARCH KEYWORD " + std::string(10, 'k'), "t SEARCH KEYWORD " + std::string(11, 'k'), l);
  // A literal is bounded by the reader, not by max_string.
  EXPECT_TRUE(parse_command("t LOGIN {11}\r\n" + std::string(11, 'a') + " x", l));
}

TEST_F(ImapParseLimits, Mailbox) {
  ParseLimits l;
  l.max_mailbox = 6;
  at_and_past("t SELECT abcdef", "t SELECT abcdefg", l);
  at_and_past("t SELECT {6}\r\nabcdef", "t SELECT {7}\r\nabcdefg", l);
  at_and_past("t LIST \"\" abcde*", "t LIST \"\" abcdef*", l);
  at_and_past("t LIST abcdef *", "t LIST abcdefg *", l);
}

TEST_F(ImapParseLimits, Lists) {
  ParseLimits l;
  l.max_list_items = 3;
  at_and_past("t ENABLE A B C", "t ENABLE A B C D", l);
  at_and_past("t STATUS x (MESSAGES UNSEEN SIZE)", "t STATUS x (MESSAGES UNSEEN SIZE DELETED)", l);
  at_and_past("t LIST (A B C) \"\" *", "t LIST (A B C D) \"\" *", l);
  at_and_past("t LIST \"\" (a b c)", "t LIST \"\" (a b c d)", l);
  at_and_past("t SELECT x (A B C)", "t SELECT x (A B C D)", l);
  at_and_past("t SEARCH RETURN (MIN MAX ALL) SEEN", "t SEARCH RETURN (MIN MAX ALL COUNT) SEEN", l);
}

TEST_F(ImapParseLimits, Id) {
  ParseLimits l;
  at_and_past("t ID (" + repeat("\"k\" \"v\"", 30, " ") + ")",
              "t ID (" + repeat("\"k\" \"v\"", 31, " ") + ")", l);
  at_and_past("t ID (\"" + std::string(30, 'k') + "\" NIL)", "t ID (\"" + std::string(31, 'k') + "\" NIL)",
              l);
  at_and_past("t ID (\"k\" \"" + std::string(1024, 'v') + "\")",
              "t ID (\"k\" \"" + std::string(1025, 'v') + "\")", l);
  at_and_past("t ID (\"k\" {1024}\r\n" + std::string(1024, 'v') + ")",
              "t ID (\"k\" {1025}\r\n" + std::string(1025, 'v') + ")", l);
}

}  // namespace
}  // namespace endhost::imap
