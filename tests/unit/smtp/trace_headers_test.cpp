// Trace headers (RFC 5321 §4.4; RFC 3848 protocol names; RFC 6531 §3.7.3).
#include <gtest/gtest.h>

#include "smtp/server_session.hpp"

namespace endhost::smtp {
namespace {

Envelope envelope() {
  Envelope e;
  e.helo = "crepes.fr";
  e.esmtp = true;
  e.reverse_path = "alice@crepes.fr";
  e.recipients.push_back({"bob@hamburger.edu", RecipientKind::LocalUser, "bob"});
  e.transaction_id = "Q1";
  return e;
}

const core::WallTime kNow{std::chrono::seconds(1'796'229'960)};  // Wed, 02 Dec 2026 16:46:00 UTC

TEST(SmtpTraceHeaders, OneRecipient) {
  EXPECT_EQ(ServerSession::trace_headers(envelope(), "hamburger.edu", "192.0.2.7", kNow),
            "Return-Path: <alice@crepes.fr>\r\n"
            "Received: from crepes.fr (unknown [192.0.2.7])\r\n"
            "\tby hamburger.edu with ESMTP id Q1\r\n"
            "\tfor <bob@hamburger.edu>; Wed, 02 Dec 2026 16:46:00 +0000\r\n");
}

TEST(SmtpTraceHeaders, ProtocolNamesAndNoRecipientList) {
  Envelope e = envelope();
  e.tls = true;
  e.authenticated_user = "alice";
  e.recipients.push_back({"carol@elsewhere.example", RecipientKind::Remote, ""});
  const std::string h = ServerSession::trace_headers(e, "hamburger.edu", "192.0.2.7", kNow);
  EXPECT_NE(h.find("with ESMTPSA id Q1; Wed"), std::string::npos) << h;
  EXPECT_EQ(h.find("for <"), std::string::npos) << h;  // Bcc recipients stay hidden
  e.esmtp = false;
  e.tls = false;
  e.authenticated_user.clear();
  EXPECT_NE(ServerSession::trace_headers(e, "h", "1", kNow).find("with SMTP id"), std::string::npos);
  e.smtputf8 = true;
  EXPECT_NE(ServerSession::trace_headers(e, "h", "1", kNow).find("with UTF8SMTP id"), std::string::npos);
}

TEST(SmtpTraceHeaders, NullSenderAndDates) {
  Envelope e = envelope();
  e.reverse_path.clear();
  const std::string h = ServerSession::trace_headers(e, "h", "1", core::WallTime{std::chrono::seconds(0)});
  EXPECT_EQ(h.substr(0, 16), "Return-Path: <>\r");
  EXPECT_NE(h.find("Thu, 01 Jan 1970 00:00:00 +0000"), std::string::npos) << h;
  const std::string leap =
      ServerSession::trace_headers(e, "h", "1", core::WallTime{std::chrono::seconds(951'782'400)});
  EXPECT_NE(leap.find("Tue, 29 Feb 2000 00:00:00 +0000"), std::string::npos) << leap;
}

TEST(SmtpTraceHeaders, NoInjection) {
  Envelope e = envelope();
  e.helo = "evil\r\nX-Injected: 1";
  const std::string h = ServerSession::trace_headers(e, "h", "1", kNow);
  EXPECT_EQ(h.find("\r\nX-Injected"), std::string::npos);
}

}  // namespace
}  // namespace endhost::smtp
