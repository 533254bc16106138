// The bounce is a multipart/report (RFC 6522) with the RFC 3464 fields per message and per recipient, the
// original message (or only its header when large), CRLF line ends throughout, and the same text when
// built again from the same input.
#include "mail/queue/dsn.hpp"

#include <gtest/gtest.h>

namespace endhost::mail::queue {
namespace {

DsnInput input(std::string_view original) {
  DsnInput in;
  in.reporting_host = "crepes.fr";
  in.queue_id = "656A1B2C0A1B2C3D";
  in.arrival = core::WallTime(std::chrono::seconds(1'700'000'000));
  in.now = in.arrival + std::chrono::seconds(3600);
  in.sender = "alice@crepes.fr";
  in.failed.push_back({"bob@hamburger.edu", "5.1.1", "mx.hamburger.edu[127.0.0.3]:25",
                       "550 5.1.1 <bob@hamburger.edu>: no such user"});
  in.original = original;
  return in;
}

bool contains(const std::string& s, std::string_view what) {
  return s.find(what) != std::string::npos;
}

TEST(Dsn, HasTheReportParts) {
  const std::string original =
      "From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: hi\r\n\r\nHello Bob\r\n";
  const std::string m = build_dsn(input(original));
  EXPECT_TRUE(m.starts_with("From: Mail Delivery System <MAILER-DAEMON@crepes.fr>\r\n"));
  EXPECT_TRUE(contains(m, "To: <alice@crepes.fr>\r\n"));
  EXPECT_TRUE(contains(m, "Auto-Submitted: auto-replied\r\n"));
  EXPECT_TRUE(contains(m, "Content-Type: multipart/report; report-type=delivery-status;"));
  EXPECT_TRUE(contains(m, "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; crepes.fr\r\n"));
  EXPECT_TRUE(contains(m, "Arrival-Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"));
  EXPECT_TRUE(
      contains(m, "\r\nFinal-Recipient: rfc822; bob@hamburger.edu\r\nAction: failed\r\nStatus: 5.1.1\r\n"));
  EXPECT_TRUE(contains(m, "Remote-MTA: dns; mx.hamburger.edu\r\n"));
  EXPECT_TRUE(contains(m, "Diagnostic-Code: smtp; 550 5.1.1 <bob@hamburger.edu>: no such user\r\n"));
  EXPECT_TRUE(contains(m, "Content-Type: message/rfc822\r\n\r\n" + original));
  EXPECT_TRUE(m.ends_with("\r\n--656A1B2C0A1B2C3D/crepes.fr--\r\n"));
  // Every line ends in CRLF: no bare LF.
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (m[i] == '\n') {
      ASSERT_TRUE(i > 0 && m[i - 1] == '\r') << i;
    }
  }
  EXPECT_EQ(build_dsn(input(original)), m);
}

TEST(Dsn, LargeMessagesReturnOnlyTheirHeader) {
  const std::string original = "Subject: big\r\n\r\n" + std::string(kDsnReturnLimit + 10, 'x') + "\r\n";
  const std::string m = build_dsn(input(original));
  EXPECT_TRUE(contains(m, "Content-Type: text/rfc822-headers\r\n\r\nSubject: big\r\n"));
  EXPECT_FALSE(contains(m, "xxxxxxxx"));
}

TEST(Dsn, Date) {
  EXPECT_EQ(rfc5322_date(core::WallTime(std::chrono::seconds(0))), "Thu, 01 Jan 1970 00:00:00 +0000");
}

}  // namespace
}  // namespace endhost::mail::queue
