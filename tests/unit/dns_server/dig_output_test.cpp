// dig-compatible output of `endhost dns query`.
#include <gtest/gtest.h>

#include "dns/client/dig_output.hpp"
#include "dns/client/query_client.hpp"
#include "test_util.hpp"

namespace endhost::dns::client {
namespace {

using test::N;

TEST(DigOutput, PrintsHeaderSectionsAndFooter) {
  Message m;
  m.header.id = 4321;
  m.header.qr = true;
  m.header.aa = true;
  m.header.rd = true;
  m.questions.push_back({N("www.networkutopia.com."), RRType::A, RRClass::IN});
  m.answers.push_back(test::rr("www.networkutopia.com.", RRType::A, test::a(212, 212, 71, 4), 3600));
  m.edns = Edns{};
  ExchangeFacts f;
  f.server_address = "127.0.0.1#5300";
  f.server_name = "127.0.0.1";
  f.query_ms = 3;
  f.size = 66;
  f.when = "Sat Nov 21 03:40:00 UTC 2026";
  std::string out = format_response(m, f);
  EXPECT_NE(out.find(";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4321"), std::string::npos) << out;
  EXPECT_NE(out.find(";; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1\n"
                     ";; WARNING: recursion requested but not available"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(";; ANSWER SECTION:\nwww.networkutopia.com.\t3600\tIN\tA\t212.212.71.4"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(";; Query time: 3 msec\n;; SERVER: 127.0.0.1#5300(127.0.0.1) (UDP)\n"),
            std::string::npos);
  EXPECT_NE(out.find(";; MSG SIZE  rcvd: 66"), std::string::npos);
  EXPECT_EQ(out.find("Truncated"), std::string::npos);
}

TEST(DigOutput, SaysWhenItRetriedOverTcp) {
  Message m;
  m.header.qr = true;
  ExchangeFacts f;
  f.tcp = true;
  f.retried_over_tcp = true;
  std::string out = format_response(m, f);
  EXPECT_EQ(out.rfind(";; Truncated, retrying in TCP mode.\n;; Got answer:", 0), 0u) << out;
  EXPECT_NE(out.find("(TCP)"), std::string::npos);
  EXPECT_EQ(out.find("WARNING"), std::string::npos);  // RD was not set
}

TEST(ResolvConf, FirstNameserverWins) {
  EXPECT_EQ(first_nameserver("# comment\nsearch example\nnameserver 192.0.2.53\nnameserver 192.0.2.54\n"),
            "192.0.2.53");
  EXPECT_EQ(first_nameserver("options edns0\n"), "");
}

TEST(DigOutput, DisplaySwitchesKeepOnlyWhatDigWouldPrint) {
  Message m;
  m.header.qr = true;
  m.header.aa = true;
  m.questions.push_back({N("networkutopia.com."), RRType::MX, RRClass::IN});
  m.answers.push_back(
      test::rr("networkutopia.com.", RRType::MX, rdata::Mx{10, N("mail.networkutopia.com.")}, 3600));
  m.authorities.push_back(
      test::rr("networkutopia.com.", RRType::NS, rdata::Ns{N("dns1.networkutopia.com.")}, 3600));
  ExchangeFacts f;
  f.server_address = "127.0.0.1#5300";
  f.server_name = "127.0.0.1";
  Display all;
  EXPECT_EQ(format_response(m, f, all), format_response(m, f));
  Display answer_only;
  answer_only.cmd = answer_only.comments = answer_only.question = answer_only.authority =
      answer_only.additional = answer_only.stats = false;
  EXPECT_EQ(format_response(m, f, answer_only),
            "networkutopia.com.\t3600\tIN\tMX\t10 mail.networkutopia.com.\n");
  Display short_form = answer_only;
  short_form.short_form = true;
  EXPECT_EQ(format_response(m, f, short_form), "10 mail.networkutopia.com.\n");
  Display no_stats;
  no_stats.stats = false;
  const std::string out = format_response(m, f, no_stats);
  EXPECT_EQ(out.find(";; Query time"), std::string::npos);
  EXPECT_NE(out.find(";; AUTHORITY SECTION:\nnetworkutopia.com."), std::string::npos) << out;
  EXPECT_EQ(out.find("\n\n\n"), std::string::npos) << out;
}

}  // namespace
}  // namespace endhost::dns::client
