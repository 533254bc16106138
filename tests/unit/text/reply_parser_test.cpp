#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "text/coded_reply_parser.hpp"
#include "text/imap_response_parser.hpp"
#include "text/pop3_reply_parser.hpp"

namespace endhost::text {
namespace {

std::vector<CodedReply> replies(ReplyDialect dialect, std::string_view input, ReadError* error = nullptr,
                                std::size_t piece = 0, ParserLimits limits = {}) {
  CodedReplyParser p(dialect, limits);
  std::vector<CodedReply> out;
  if (piece == 0) piece = input.size() + 1;
  for (std::size_t at = 0; at < input.size(); at += piece) {
    std::string_view chunk = input.substr(at, piece);
    while (!chunk.empty()) {
      chunk.remove_prefix(p.feed(chunk));
      for (;;) {
        auto r = p.next();
        if (!r) {
          if (error) *error = r.error();
          return out;
        }
        if (!*r) break;
        out.push_back(std::move(**r));
      }
    }
  }
  return out;
}

TEST(CodedReplyParser, SmtpSingleAndMultiLine) {
  const std::string input =
      "220 mail.example ESMTP\r\n250-mail.example\r\n250-PIPELINING\r\n250 SIZE 100\r\n354\r\n";
  const std::vector<CodedReply> want{
      {220, {"mail.example ESMTP"}}, {250, {"mail.example", "PIPELINING", "SIZE 100"}}, {354, {""}}};
  for (std::size_t piece = 1; piece <= input.size(); ++piece) {
    EXPECT_EQ(replies(ReplyDialect::Smtp, input, nullptr, piece), want) << "pieces of " << piece;
  }
}

TEST(CodedReplyParser, SmtpRefusesMixedCodesAndBadLines) {
  for (const std::string bad : {"250-a\r\n251 b\r\n", "25\r\n", "2500 x\r\n", "250x\r\n", "150 x\r\n",
                                "260 x\r\n", "abc def\r\n", "250 ok\n"}) {
    ReadError error = ReadError::Malformed;
    EXPECT_TRUE(replies(ReplyDialect::Smtp, bad, &error).empty()) << bad;
    if (bad == "250 ok\n") {
      EXPECT_EQ(error, ReadError::BareLf);
    }
  }
}

TEST(CodedReplyParser, FtpFreeTextInsideAMultiLineReply) {
  // RFC 959 §4.2: the lines between the first and the last need not start with the code.
  const auto got = replies(
      ReplyDialect::Ftp,
      "150 Opening\r\n230-Welcome\r\n  to the archive\r\n123 not the end\r\n230-still\r\n230 Done\r\n");
  const std::vector<CodedReply> want{
      {150, {"Opening"}}, {230, {"Welcome", "  to the archive", "123 not the end", "still", "Done"}}};
  EXPECT_EQ(got, want);
}

TEST(CodedReplyParser, Bounded) {
  ParserLimits limits;
  limits.max_lines = 3;
  limits.max_line = 20;
  ReadError error = ReadError::Malformed;
  EXPECT_TRUE(replies(ReplyDialect::Smtp, "250-a\r\n250-b\r\n250-c\r\n250 d\r\n", &error, 0, limits).empty());
  EXPECT_EQ(error, ReadError::TooManyLines);
  EXPECT_EQ(replies(ReplyDialect::Smtp, "250-a\r\n250-b\r\n250 c\r\n", &error, 0, limits).size(), 1u);
  EXPECT_TRUE(replies(ReplyDialect::Smtp, "250 " + std::string(30, 'x') + "\r\n", &error, 0, limits).empty());
  EXPECT_EQ(error, ReadError::LineTooLong);
}

std::vector<std::string> pop3(std::string_view input, std::size_t piece, bool body_after_first) {
  Pop3ReplyParser p;
  std::vector<std::string> out;
  bool first = true;
  for (std::size_t at = 0; at < input.size(); at += piece) {
    std::string_view chunk = input.substr(at, piece);
    while (!chunk.empty()) {
      chunk.remove_prefix(p.feed(chunk));
      for (Pop3Event e = p.next(); e.kind != Pop3Event::Kind::NeedMore; e = p.next()) {
        switch (e.kind) {
          case Pop3Event::Kind::Status:
            out.push_back(std::string(e.ok ? "ok:" : "err:") + std::string(e.text));
            if (first && body_after_first) p.expect_body();
            first = false;
            break;
          case Pop3Event::Kind::Continuation:
            out.push_back("+:" + std::string(e.text));
            break;
          case Pop3Event::Kind::BodyChunk:
            if (out.empty() || out.back().rfind("body:", 0) != 0) out.emplace_back("body:");
            out.back() += e.text;
            break;
          case Pop3Event::Kind::BodyEnd:
            out.emplace_back("end");
            break;
          case Pop3Event::Kind::Error:
            out.push_back("error:" + std::string(describe(e.error)));
            return out;
          case Pop3Event::Kind::NeedMore:
            break;
        }
      }
    }
  }
  return out;
}

TEST(Pop3ReplyParser, StatusLinesAndBodies) {
  // The greeting, then RETR's +OK with its body, then a -ERR that has none even though one was expected.
  const std::string input =
      "+OK POP3 ready\r\n+OK 20 octets\r\nline\r\n..dot\r\n.\r\n-ERR no such message\r\n+ \r\n";
  const std::vector<std::string> want{"ok:POP3 ready", "ok:20 octets",        "body:line\r\n.dot\r\n",
                                      "end",           "err:no such message", "+:"};
  for (std::size_t piece = 1; piece <= input.size(); ++piece) {
    Pop3ReplyParser p;
    std::vector<std::string> got;
    std::size_t status = 0;
    std::string_view rest = input;
    while (!rest.empty()) {
      std::string_view chunk = rest.substr(0, piece);
      rest.remove_prefix(chunk.size());
      while (!chunk.empty()) {
        chunk.remove_prefix(p.feed(chunk));
        for (Pop3Event e = p.next(); e.kind != Pop3Event::Kind::NeedMore; e = p.next()) {
          if (e.kind == Pop3Event::Kind::Status) {
            got.push_back(std::string(e.ok ? "ok:" : "err:") + std::string(e.text));
            if (++status <= 2) p.expect_body();  // RETR after the greeting; again after RETR, answered -ERR
          } else if (e.kind == Pop3Event::Kind::Continuation) {
            got.push_back("+:" + std::string(e.text));
          } else if (e.kind == Pop3Event::Kind::BodyChunk) {
            if (got.back().rfind("body:", 0) != 0) got.emplace_back("body:");
            got.back() += e.text;
          } else if (e.kind == Pop3Event::Kind::BodyEnd) {
            got.emplace_back("end");
          } else {
            got.push_back("error");
          }
        }
      }
    }
    EXPECT_EQ(got, want) << "pieces of " << piece;
  }
}

TEST(Pop3ReplyParser, RefusesOtherIndicatorsAndBareLf) {
  EXPECT_EQ(pop3("+ok lower\r\n", 100, false), (std::vector<std::string>{"error:malformed reply line"}));
  EXPECT_EQ(pop3("+OKAY\r\n", 100, false), (std::vector<std::string>{"error:malformed reply line"}));
  EXPECT_EQ(pop3("+OK\r\nbody\n.\n", 100, true),
            (std::vector<std::string>{"ok:", "error:" + std::string(describe(ReadError::BareLf))}));
}

std::vector<std::string> imap(std::string_view input, std::size_t piece, ParserLimits limits = {}) {
  ImapResponseParser p(limits);
  std::vector<std::string> out;
  for (std::size_t at = 0; at < input.size(); at += piece) {
    std::string_view chunk = input.substr(at, piece);
    while (!chunk.empty()) {
      chunk.remove_prefix(p.feed(chunk));
      for (ImapEvent e = p.next(); e.kind != ImapEvent::Kind::NeedMore; e = p.next()) {
        std::string literal = e.literal_follows ? " {" + std::to_string(e.literal_size) + "}" : "";
        switch (e.kind) {
          case ImapEvent::Kind::Tagged: {
            const char* status = e.status == ImapStatus::Ok   ? "OK"
                                 : e.status == ImapStatus::No ? "NO"
                                                              : "BAD";
            out.push_back("tagged:" + std::string(e.tag) + " " + status + " " + std::string(e.text) +
                          literal);
            break;
          }
          case ImapEvent::Kind::Untagged:
            out.push_back("*:" + std::string(e.text) + literal);
            break;
          case ImapEvent::Kind::Continuation:
            out.push_back("+:" + std::string(e.text));
            break;
          case ImapEvent::Kind::Rest:
            out.push_back("rest:" + std::string(e.text) + literal);
            break;
          case ImapEvent::Kind::LiteralChunk:
            if (out.back().rfind("lit:", 0) != 0) out.emplace_back("lit:");
            out.back() += e.text;
            break;
          case ImapEvent::Kind::LiteralEnd:
            out.emplace_back("end");
            break;
          case ImapEvent::Kind::Error:
            out.push_back("error:" + std::string(describe(e.error)));
            return out;
          case ImapEvent::Kind::NeedMore:
            break;
        }
      }
    }
  }
  return out;
}

TEST(ImapResponseParser, TaggedUntaggedContinuationAndLiterals) {
  const std::string input =
      "* OK IMAP4rev2 ready\r\n+ go ahead\r\n+\r\n* 1 FETCH (BODY[] {7}\r\nhi\r\nyo) FLAGS {2}\r\n\\S)\r\n"
      "a1 OK FETCH done\r\nA2 no [ALERT] nope\r\n";
  const std::vector<std::string> want{"*:OK IMAP4rev2 ready",
                                      "+:go ahead",
                                      "+:",
                                      "*:1 FETCH (BODY[]  {7}",
                                      "lit:hi\r\nyo)",
                                      "end",
                                      "rest: FLAGS  {2}",
                                      "lit:\\S",
                                      "end",
                                      "rest:)",
                                      "tagged:a1 OK FETCH done",
                                      "tagged:A2 NO [ALERT] nope"};
  for (std::size_t piece = 1; piece <= input.size(); ++piece) {
    EXPECT_EQ(imap(input, piece), want) << "pieces of " << piece;
  }
}

TEST(ImapResponseParser, RefusesUnknownStatusAndHugeLiterals) {
  EXPECT_EQ(imap("a1 MAYBE x\r\n", 100), (std::vector<std::string>{"error:malformed reply line"}));
  ParserLimits limits;
  limits.max_literal = 10;
  EXPECT_EQ(imap("* 1 FETCH (BODY[] {11}\r\n", 100, limits),
            (std::vector<std::string>{"error:" + std::string(describe(ReadError::LiteralTooLarge))}));
}

}  // namespace
}  // namespace endhost::text
