// The command table (issue §1: one table that says in which state each command is allowed and whether it
// ends a pipelined group).
#include <gtest/gtest.h>

#include "smtp/command_table.hpp"

namespace endhost::smtp {
namespace {

text::Verdict verdict(std::string_view line, State state, bool tls = false, bool insisted = false) {
  return command_table().lookup(line, {state, false, tls, insisted}).verdict;
}

TEST(SmtpCommandTable, States) {
  EXPECT_EQ(verdict("MAIL FROM:<a@b>", State::Start), text::Verdict::WrongState);
  EXPECT_EQ(verdict("mail FROM:<a@b>", State::Ready), text::Verdict::Allowed);
  EXPECT_EQ(verdict("RCPT TO:<a@b>", State::Ready), text::Verdict::WrongState);
  EXPECT_EQ(verdict("RCPT TO:<a@b>", State::Rcpt), text::Verdict::Allowed);
  EXPECT_EQ(verdict("DATA", State::Mail), text::Verdict::WrongState);
  EXPECT_EQ(verdict("DATA", State::Rcpt), text::Verdict::Allowed);
  EXPECT_EQ(verdict("DATA", State::Bdat), text::Verdict::WrongState);  // RFC 3030 §2
  EXPECT_EQ(verdict("BDAT 1", State::Bdat), text::Verdict::Allowed);
  EXPECT_EQ(verdict("MAIL FROM:<a@b>", State::Bdat), text::Verdict::WrongState);
  EXPECT_EQ(verdict("RSET", State::Bdat), text::Verdict::Allowed);
  EXPECT_EQ(verdict("AUTH PLAIN", State::Mail), text::Verdict::WrongState);  // RFC 4954 §4
  EXPECT_EQ(verdict("XYZZY", State::Ready), text::Verdict::Unknown);
}

TEST(SmtpCommandTable, Tls) {
  EXPECT_EQ(verdict("STARTTLS", State::Ready, true), text::Verdict::RefusedUnderTls);
  for (const std::string_view pre : {"EHLO x", "HELO x", "NOOP", "QUIT", "HELP", "STARTTLS"}) {
    EXPECT_EQ(verdict(pre, State::Ready, false, true), text::Verdict::Allowed) << pre;
  }
  for (const std::string_view post : {"MAIL FROM:<a@b>", "AUTH PLAIN", "VRFY x", "RSET"}) {
    EXPECT_EQ(verdict(post, State::Ready, false, true), text::Verdict::NeedsTls) << post;
  }
}

TEST(SmtpCommandTable, GroupEnds) {
  // RFC 2920 §3.1 and RFC 3030 §4.2.
  for (const std::string_view v : {"EHLO", "DATA", "VRFY", "EXPN", "NOOP", "QUIT", "STARTTLS", "AUTH"}) {
    EXPECT_TRUE(command_table().find(v)->ends_group) << v;
  }
  for (const std::string_view v : {"HELO", "MAIL", "RCPT", "RSET", "BDAT"}) {
    EXPECT_FALSE(command_table().find(v)->ends_group) << v;
  }
}

}  // namespace
}  // namespace endhost::smtp
