// PORT/EPRT arguments and the 227/229 reply texts (RFC 959 §4.1.2, §4.2.2; RFC 2428 §§2–3; RFC 1123
// §4.1.2.6), both directions, with the malformed forms refused.
#include "ftp/host_port.hpp"

#include <gtest/gtest.h>

#include "ftp/server_session.hpp"  // the header compiles on its own

namespace endhost::ftp {
namespace {

TEST(FtpPortArgument, ParsesTheRfcExample) {
  const auto hp = parse_port_argument("132,235,1,2,24,131");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->address, "132.235.1.2");
  EXPECT_EQ(hp->port, 24 * 256 + 131);
  EXPECT_FALSE(hp->v6);
  EXPECT_EQ(format_port_argument(*hp), "132,235,1,2,24,131");
}

TEST(FtpPortArgument, NormalizesLeadingZeros) {
  const auto hp = parse_port_argument("010,000,0,1,4,0");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->address, "10.0.0.1");
  EXPECT_EQ(hp->port, 1024);
}

TEST(FtpPortArgument, RefusesMalformed) {
  EXPECT_EQ(parse_port_argument("").error(), HostPortError::Malformed);
  EXPECT_EQ(parse_port_argument("1,2,3,4,5").error(), HostPortError::Malformed);
  EXPECT_EQ(parse_port_argument("1,2,3,4,5,6,7").error(), HostPortError::BadNumber);
  EXPECT_EQ(parse_port_argument("256,2,3,4,5,6").error(), HostPortError::BadNumber);
  EXPECT_EQ(parse_port_argument("1,2,3,4,5,256").error(), HostPortError::BadNumber);
  EXPECT_EQ(parse_port_argument("1,2,3,4,0,0").error(), HostPortError::BadPort);
  EXPECT_EQ(parse_port_argument("1,2,3,-4,5,6").error(), HostPortError::BadNumber);
  EXPECT_EQ(parse_port_argument("1,2,3,+4,5,6").error(), HostPortError::BadNumber);
  EXPECT_EQ(parse_port_argument(" 1,2,3,4,5,6").error(), HostPortError::BadNumber);
  EXPECT_EQ(parse_port_argument("1,2,3,4,5,6 ").error(), HostPortError::BadNumber);
  EXPECT_EQ(parse_port_argument("1,,3,4,5,6").error(), HostPortError::BadNumber);
  EXPECT_EQ(parse_port_argument("1,2,3,4,5,0006").error(), HostPortError::BadNumber);
  EXPECT_EQ(parse_port_argument("1.2.3.4,5,6").error(), HostPortError::BadNumber);
}

TEST(FtpEprtArgument, ParsesTheRfcExamples) {
  const auto v4 = parse_eprt_argument("|1|132.235.1.2|6275|");
  ASSERT_TRUE(v4);
  EXPECT_EQ(*v4, (HostPort{"132.235.1.2", 6275, false}));
  const auto v6 = parse_eprt_argument("|2|1080::8:800:200C:417A|5282|");
  ASSERT_TRUE(v6);
  EXPECT_EQ(*v6, (HostPort{"1080::8:800:200c:417a", 5282, true}));
  EXPECT_EQ(format_eprt_argument(*v4), "|1|132.235.1.2|6275|");
  EXPECT_EQ(format_eprt_argument(*v6), "|2|1080::8:800:200c:417a|5282|");
}

TEST(FtpEprtArgument, TakesAnyDelimiter) {
  const auto hp = parse_eprt_argument("!2!::1!1025!");
  ASSERT_TRUE(hp);
  EXPECT_EQ(*hp, (HostPort{"::1", 1025, true}));
}

// The fuzzer's find: a v4-mapped address under net-prt 2 printed as dotted IPv4 did not parse back.
TEST(FtpEprtArgument, KeepsAV4MappedAddressInItsIpv6Form) {
  const auto hp = parse_eprt_argument("|2|::ffff:050:A|5|");
  ASSERT_TRUE(hp);
  EXPECT_EQ(*hp, (HostPort{"::ffff:0.80.0.10", 5, true}));
  EXPECT_EQ(*parse_eprt_argument(format_eprt_argument(*hp)), *hp);
  EXPECT_TRUE(same_host(hp->address, "0.80.0.10"));
}

TEST(FtpEprtArgument, RefusesMalformed) {
  EXPECT_EQ(parse_eprt_argument("|3|1.2.3.4|1025|").error(), HostPortError::UnsupportedProtocol);
  EXPECT_EQ(parse_eprt_argument("|1|::1|1025|").error(), HostPortError::BadAddress);
  EXPECT_EQ(parse_eprt_argument("|2|1.2.3.4|1025|").error(), HostPortError::BadAddress);
  EXPECT_EQ(parse_eprt_argument("|1|1.2.3.256|1025|").error(), HostPortError::BadAddress);
  EXPECT_EQ(parse_eprt_argument("|1|1.2.3|1025|").error(), HostPortError::BadAddress);
  EXPECT_EQ(parse_eprt_argument("|1|1.2.3.4|0|").error(), HostPortError::BadPort);
  EXPECT_EQ(parse_eprt_argument("|1|1.2.3.4|65536|").error(), HostPortError::BadPort);
  EXPECT_EQ(parse_eprt_argument("|1|1.2.3.4|123456|").error(), HostPortError::BadNumber);
  EXPECT_EQ(parse_eprt_argument("|1|1.2.3.4|1025").error(), HostPortError::Malformed);
  EXPECT_EQ(parse_eprt_argument("|1|1.2.3.4!1025|").error(), HostPortError::Malformed);
  EXPECT_EQ(parse_eprt_argument("|1|1.2.3.4|1025|9|").error(), HostPortError::Malformed);
  EXPECT_EQ(parse_eprt_argument(" |1|1.2.3.4|1025|").error(), HostPortError::Malformed);
  EXPECT_EQ(parse_eprt_argument("1|1|1.2.3.4|10251").error(), HostPortError::Malformed);
  EXPECT_EQ(parse_eprt_argument("|2|fe80::1%eth0|1025|").error(), HostPortError::BadAddress);
  EXPECT_EQ(parse_eprt_argument("||1.2.3.4|1025|").error(), HostPortError::Malformed);
}

TEST(FtpIp, CanonicalForms) {
  EXPECT_EQ(*canonical_ip("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
  EXPECT_EQ(*canonical_ip("2001:db8:0:1:0:0:0:1"), "2001:db8:0:1::1");       // the longer run
  EXPECT_EQ(*canonical_ip("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");     // the first on a tie
  EXPECT_EQ(*canonical_ip("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");  // one zero group stays
  EXPECT_EQ(*canonical_ip("::"), "::");
  EXPECT_EQ(*canonical_ip("::1"), "::1");
  EXPECT_EQ(*canonical_ip("1::"), "1::");
  EXPECT_EQ(*canonical_ip("::ffff:10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(*canonical_ip("::FFFF:0a00:0001"), "10.0.0.1");
  EXPECT_EQ(*canonical_ip("64:ff9b::192.0.2.33"), "64:ff9b::c000:221");
  for (const char* bad :
       {"", ":", ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "::g", "1:2:3:4:5:6:7", "1:", ":1",
        "1.2.3", "1.2.3.4.5", "::1.2.3", "1:2:3:4:5:6:7:1.2.3.4", "1.2.3.4:5"}) {
    EXPECT_FALSE(canonical_ip(bad)) << bad;
  }
  EXPECT_TRUE(canonical_ip("1:2:3:4:5:6:1.2.3.4"));
  EXPECT_TRUE(canonical_ip("1:2:3:4:5:6:7::"));
}

TEST(FtpIp, SameHostAcrossFamilies) {
  EXPECT_TRUE(same_host("10.0.0.1", "::ffff:10.0.0.1"));
  EXPECT_TRUE(same_host("::1", "0:0:0:0:0:0:0:1"));
  EXPECT_FALSE(same_host("10.0.0.1", "10.0.0.2"));
  EXPECT_FALSE(same_host("127.0.0.1", "::1"));
  EXPECT_FALSE(same_host("", ""));
  EXPECT_FALSE(same_host("bad", "bad"));
}

TEST(FtpPassiveReplies, Format227AndParseItBack) {
  const HostPort hp{"192.0.2.7", 5001, false};
  EXPECT_EQ(format_227_text(hp), "Entering Passive Mode (192,0,2,7,19,137).");
  EXPECT_EQ(*parse_227_text(format_227_text(hp)), hp);
}

TEST(FtpPassiveReplies, Parse227AsClientsMeetIt) {
  // RFC 1123 §4.1.2.6: no parentheses guaranteed; the first six numbers count.
  EXPECT_EQ(*parse_227_text("Entering Passive Mode 10,0,0,1,4,1"), (HostPort{"10.0.0.1", 1025, false}));
  EXPECT_EQ(*parse_227_text("=10,0,0,1,4,1"), (HostPort{"10.0.0.1", 1025, false}));
  EXPECT_EQ(*parse_227_text("Entering Passive Mode (1,2) (10,0,0,1,4,1)"),
            (HostPort{"10.0.0.1", 1025, false}));
  EXPECT_FALSE(parse_227_text("Entering Passive Mode"));
  EXPECT_FALSE(parse_227_text("Entering Passive Mode (10,0,0,1,4)"));
  EXPECT_FALSE(parse_227_text("Entering Passive Mode (10,0,0,1,0,0)"));
  EXPECT_FALSE(parse_227_text("Entering Passive Mode (300,0,0,1,4,1)"));
  EXPECT_FALSE(parse_227_text(""));
}

TEST(FtpPassiveReplies, Format229AndParseItBack) {
  EXPECT_EQ(format_229_text(6446), "Entering Extended Passive Mode (|||6446|)");
  EXPECT_EQ(*parse_229_text(format_229_text(6446)), 6446);
  EXPECT_EQ(*parse_229_text("Entering Extended Passive Mode (!!!65535!)"), 65535);
  EXPECT_FALSE(parse_229_text("Entering Extended Passive Mode (|||0|)"));
  EXPECT_FALSE(parse_229_text("Entering Extended Passive Mode (|||65536|)"));
  EXPECT_FALSE(parse_229_text("Entering Extended Passive Mode (||6446|)"));
  EXPECT_FALSE(parse_229_text("Entering Extended Passive Mode (|!|6446|)"));
  EXPECT_FALSE(parse_229_text("Entering Extended Passive Mode (|||64a6|)"));
  EXPECT_FALSE(parse_229_text("Entering Extended Passive Mode |||6446|"));
  EXPECT_FALSE(parse_229_text("Entering Extended Passive Mode (|||6446|"));
  EXPECT_FALSE(parse_229_text("(1116461)"));
}

TEST(FtpHostPort, EveryErrorIsDescribed) {
  for (auto e : {HostPortError::Malformed, HostPortError::BadNumber, HostPortError::BadPort,
                 HostPortError::BadAddress, HostPortError::UnsupportedProtocol}) {
    EXPECT_FALSE(describe(e).empty());
  }
}

}  // namespace
}  // namespace endhost::ftp
