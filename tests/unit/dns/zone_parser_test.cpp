// The master-file parser: every supported feature, and errors that name file:line precisely.
#include <gtest/gtest.h>

#include <map>

#include "dns/zone_parser.hpp"
#include "dns_test_util.hpp"

namespace endhost::dns {
namespace {
using test::N;

std::vector<ResourceRecord> parse_ok(std::string_view text, std::string_view origin = "example.com.",
                                     IncludeLoader loader = {}) {
  ZoneParseOptions o;
  o.origin = N(origin);
  o.include_loader = std::move(loader);
  auto r = parse_master_file(text, "db.example", o);
  EXPECT_TRUE(r) << (r ? "" : r.error().to_string());
  return r ? *r : std::vector<ResourceRecord>{};
}

std::string parse_error(std::string_view text, ZoneParseOptions o = {}) {
  if (o.origin.is_root()) o.origin = N("example.com.");
  auto r = load_zone(text, "db.example", o);
  EXPECT_FALSE(r);
  return r ? "" : r.error().to_string();
}

constexpr std::string_view kSoa = "@ 3600 IN SOA ns hostmaster 1 2 3 4 5\n@ NS ns\n";

TEST(ZoneParser, OwnerTtlClassAndInheritance) {
  auto rrs = parse_ok(
      "$TTL 1h30m\n"
      "@        IN  SOA ns.example.com. hostmaster ( 2024 1h 15m 1w 5m )\n"
      "         IN  NS  ns\n"
      "www      300 A   192.0.2.1\n"
      "         A   192.0.2.2 ; same owner, TTL from $TTL\n"
      "ftp.example.com. IN 60 CNAME www   ; class before TTL\n"
      "mail     MX  10 @\n");
  ASSERT_EQ(rrs.size(), 6u);
  EXPECT_EQ(rrs[0].name, N("example.com."));
  EXPECT_EQ(rrs[0].ttl, Ttl{5400});
  auto soa = std::get<rdata::Soa>(rrs[0].rdata);
  EXPECT_EQ(soa.mname, N("ns.example.com."));
  EXPECT_EQ(soa.rname, N("hostmaster.example.com."));
  EXPECT_EQ(soa.serial, 2024u);
  EXPECT_EQ(soa.refresh, 3600u);
  EXPECT_EQ(soa.retry, 900u);
  EXPECT_EQ(soa.expire, 604800u);
  EXPECT_EQ(soa.minimum, 300u);
  EXPECT_EQ(rrs[1].name, N("example.com."));
  EXPECT_EQ(std::get<rdata::Ns>(rrs[1].rdata).host, N("ns.example.com."));
  EXPECT_EQ(rrs[2].ttl, Ttl{300});
  EXPECT_EQ(rrs[3].name, N("www.example.com."));
  EXPECT_EQ(rrs[3].ttl, Ttl{5400});
  EXPECT_EQ(rrs[4].ttl, Ttl{60});
  EXPECT_EQ(std::get<rdata::Cname>(rrs[4].rdata).target, N("www.example.com."));
  EXPECT_EQ(std::get<rdata::Mx>(rrs[5].rdata).exchange, N("example.com."));
}

TEST(ZoneParser, WithoutDollarTtlThePreviousTtlIsUsed) {
  auto rrs = parse_ok("@ SOA ns hm 1 2 3 4 77\na 100 A 1.2.3.4\nb A 1.2.3.5\n");
  ASSERT_EQ(rrs.size(), 3u);
  EXPECT_EQ(rrs[0].ttl, Ttl{77});  // first SOA without TTL takes MINIMUM
  EXPECT_EQ(rrs[2].ttl, Ttl{100});
}

TEST(ZoneParser, OriginDirectiveAndAbsoluteNames) {
  auto rrs = parse_ok(
      "$TTL 60\n"
      "$ORIGIN sub.example.com.\n"
      "a A 192.0.2.1\n"
      "$ORIGIN deeper\n"  // relative: appended to the current origin
      "b A 192.0.2.2\n"
      "c.example.com. A 192.0.2.3\n");
  ASSERT_EQ(rrs.size(), 3u);
  EXPECT_EQ(rrs[0].name, N("a.sub.example.com."));
  EXPECT_EQ(rrs[1].name, N("b.deeper.sub.example.com."));
  EXPECT_EQ(rrs[2].name, N("c.example.com."));
}

TEST(ZoneParser, QuotedStringsAndEscapes) {
  auto rrs = parse_ok(
      "$TTL 60\n"
      "t TXT \"hello world\" unquoted \"semi;colon\" \"quote\\\"d\" \"\\065\\066\" \"\"\n"
      "esc\\.aped\\032name A 1.2.3.4\n"
      "long TXT ( \"part one\"\n"
      "           \"part two\" ) ; continued\n");
  ASSERT_EQ(rrs.size(), 3u);
  auto txt = std::get<rdata::Txt>(rrs[0].rdata);
  EXPECT_EQ(txt.strings,
            (std::vector<std::string>{"hello world", "unquoted", "semi;colon", "quote\"d", "AB", ""}));
  EXPECT_EQ(rrs[1].name.label_count(), 3u);
  EXPECT_EQ(rrs[1].name.to_string(), "esc\\.aped\\032name.example.com.");
  EXPECT_EQ(std::get<rdata::Txt>(rrs[2].rdata).strings.size(), 2u);
}

TEST(ZoneParser, AllTypedRdata) {
  auto rrs = parse_ok(
      "$TTL 60\n"
      "a A 192.0.2.1\n"
      "a AAAA 2001:db8::1\n"
      "a PTR host.example.net.\n"
      "_sip._udp SRV 10 20 5060 sip\n"
      "a MX 5 mx.example.net.\n");
  ASSERT_EQ(rrs.size(), 5u);
  EXPECT_EQ(std::get<rdata::Aaaa>(rrs[1].rdata).address[15], 1);
  auto srv = std::get<rdata::Srv>(rrs[3].rdata);
  EXPECT_EQ(srv.priority, 10);
  EXPECT_EQ(srv.weight, 20);
  EXPECT_EQ(srv.port, 5060);
  EXPECT_EQ(srv.target, N("sip.example.com."));
}

TEST(ZoneParser, GenericRdataRfc3597) {
  auto rrs = parse_ok(
      "$TTL 60\n"
      "a TYPE65280 \\# 4 0A000001\n"
      "a TYPE1 \\# 4 c0 00 02 01\n"  // a known type in generic form becomes typed
      "a CLASS1 TYPE99 \\# 0\n"
      "a DS \\# 2 abcd\n");
  ASSERT_EQ(rrs.size(), 4u);
  EXPECT_EQ(rrs[0].type, static_cast<RRType>(65280));
  EXPECT_EQ(std::get<rdata::Unknown>(rrs[0].rdata).data, (std::vector<std::uint8_t>{10, 0, 0, 1}));
  EXPECT_EQ(rrs[1].type, RRType::A);
  EXPECT_EQ(std::get<rdata::A>(rrs[1].rdata).address, (std::array<std::uint8_t, 4>{192, 0, 2, 1}));
  EXPECT_TRUE(std::get<rdata::Unknown>(rrs[2].rdata).data.empty());
  EXPECT_EQ(rrs[3].type, RRType::DS);
  // Presentation of the unknown type round-trips through the parser.
  std::string text = "$TTL 60\n" + to_string(rrs[0]) + "\n";
  auto again = parse_ok(text);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0], rrs[0]);
}

TEST(ZoneParser, IncludeIsRelativeToTheIncludingFileAndRestoresOrigin) {
  std::map<std::string, std::string> files = {
      {"zones/inc/hosts", "www A 192.0.2.80\n$ORIGIN other.example.com.\nx A 192.0.2.81\n"},
      {"zones/inc/deep", "$INCLUDE deep\n"},
  };
  std::vector<std::string> asked;
  IncludeLoader loader = [&](const std::string& path) -> endhost::Expected<std::string, std::string> {
    asked.push_back(path);
    auto it = files.find(path);
    if (it == files.end()) return endhost::Unexpected(std::string("no such file"));
    return it->second;
  };
  ZoneParseOptions o;
  o.origin = N("example.com.");
  o.include_loader = loader;
  auto r = parse_master_file("$TTL 60\n$INCLUDE inc/hosts sub\nafter A 192.0.2.1\n", "zones/db.example", o);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(asked, std::vector<std::string>{"zones/inc/hosts"});
  EXPECT_EQ((*r)[0].name, N("www.sub.example.com."));
  EXPECT_EQ((*r)[1].name, N("x.other.example.com."));
  EXPECT_EQ((*r)[2].name, N("after.example.com."));  // origin restored (RFC 1035 §5.1)

  auto deep = parse_master_file("$INCLUDE inc/deep\n", "zones/db.example", o);
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().to_string(), "zones/inc/deep:1: $INCLUDE nested deeper than 8");
  auto missing = parse_master_file("\n$INCLUDE nope\n", "zones/db.example", o);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().to_string(), "zones/db.example:2: cannot $INCLUDE 'zones/nope': no such file");
}

TEST(ZoneParser, ErrorsNameFileAndLine) {
  struct Case {
    std::string text;
    std::string error;
  } cases[] = {
      {std::string(kSoa) + "www A 192.0.2.256\n", "db.example:3: bad IPv4 address '192.0.2.256'"},
      {std::string(kSoa) + "www BOGUS x\n", "db.example:3: unknown type 'BOGUS'"},
      {std::string(kSoa) + "www A\n", "db.example:3: A needs an IPv4 address"},
      {std::string(kSoa) + "www A 1.2.3.4 5.6.7.8\n", "db.example:3: unexpected '5.6.7.8' after A RDATA"},
      {std::string(kSoa) + "www MX ( 10\n\n mail extra )\n",
       "db.example:5: unexpected 'extra' after MX RDATA"},
      {std::string(kSoa) + "www TXT ( \"a\"\n", "db.example:3: '(' is never closed"},
      {std::string(kSoa) + "www TXT )\n", "db.example:3: ')' without a matching '('"},
      {std::string(kSoa) + "www TXT \"abc\n", "db.example:3: unterminated quoted string"},
      {"www A 1.2.3.4\n", "db.example:1: no TTL: give one, or a $TTL directive before this record"},
      {"$TTL 1x\n", "db.example:1: bad $TTL '1x'"},
      {"$TTL 60\n  A 1.2.3.4\n", "db.example:2: record without an owner name and no previous owner"},
      {"$TTL 60\nwww CH A 1.2.3.4\n", "db.example:2: class CH is not supported (only IN)"},
      {"$GENERATE 1-10 a$ A 1.2.3.$\n", "db.example:1: unknown or unsupported directive '$GENERATE'"},
      {"$INCLUDE other\n", "db.example:1: $INCLUDE is not allowed here"},
      {"$TTL 60\nwww.example.org. A 1.2.3.4\n", "db.example:2: www.example.org.: out of zone example.com."},
      {"$TTL 60\na TYPE65280 \\# 3 0a00\n", "db.example:2: '\\#' length 3 but 2 octets of hex"},
      {"$TTL 60\na A \\# 3 0a0000\n",
       "db.example:2: '\\#' RDATA is not valid A: RDATA too short for its type"},
      {"$TTL 60\na DS 1 2 3 abcd\n",
       "db.example:2: no presentation format for DS here; use the RFC 3597 form '\\# <length> <hex>'"},
      {"$TTL 60\na..b A 1.2.3.4\n", "db.example:2: bad owner name 'a..b': empty label in name"},
      {"$TTL 60\na 99999999999 A 1.2.3.4\n", "db.example:2: bad TTL '99999999999'"},
      {"$TTL 60\na MX 70000 b\n", "db.example:2: bad MX preference '70000'"},
      {"$TTL 60\na TXT \"" + std::string(256, 'x') + "\"\n",
       "db.example:2: character string longer than 255 octets: '" + std::string(256, 'x') + "'"},
      {"$TTL 60\na OPT \\# 0\n", "db.example:2: OPT is a pseudo-record and cannot appear in a zone file"},
      {"$TTL 60\n@ NS ns\n", "db.example: example.com.: zone has no SOA record at its apex"},
      {"$TTL 60\n@ SOA ns hm 1 2 3 4 5\n", "db.example: example.com.: zone has no NS records at its apex"},
      {std::string(kSoa) + "w CNAME x\nw A 1.2.3.4\n",
       "db.example: w.example.com.: CNAME and other data (RFC 1034 §3.6.2)"},
      {std::string(kSoa) + "w CNAME x\nw CNAME y\n",
       "db.example: w.example.com.: more than one CNAME record (RFC 2181 §10.1)"},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_error(c.text), c.error) << c.text;
}

TEST(ZoneParser, Limits) {
  ZoneParseOptions o;
  o.limits.max_records = 2;
  EXPECT_EQ(parse_error(std::string(kSoa) + "a A 1.2.3.4\n", o), "db.example:3: more than 2 records");
  ZoneParseOptions l;
  l.limits.max_line_length = 20;
  EXPECT_EQ(parse_error("$TTL 60\n; a comment that is far too long\n", l),
            "db.example:2: line longer than 20 octets");
  ZoneParseOptions f;
  f.limits.max_file_bytes = 10;
  EXPECT_EQ(parse_error(std::string(kSoa), f), "db.example: zone larger than 10 octets");
}

TEST(ZoneParser, TtlUnits) {
  EXPECT_EQ(parse_ttl("0"), Ttl{0});
  EXPECT_EQ(parse_ttl("1h30m"), Ttl{5400});
  EXPECT_EQ(parse_ttl("1W2D3H4M5S"), Ttl{604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5});
  EXPECT_EQ(parse_ttl("1h30"), Ttl{3630});
  EXPECT_EQ(parse_ttl("2147483647"), Ttl{2147483647});
  EXPECT_FALSE(parse_ttl("2147483648"));
  EXPECT_FALSE(parse_ttl("h"));
  EXPECT_FALSE(parse_ttl(""));
  EXPECT_FALSE(parse_ttl("1y"));
  EXPECT_FALSE(parse_ttl("-1"));
  EXPECT_FALSE(parse_ttl("4000w"));
}

TEST(ZoneParser, ExampleZonesLoad) {
  Zone root = test::example_zone("root.zone", ".");
  EXPECT_EQ(root.origin(), N("."));
  EXPECT_TRUE(root.find(N("com."))->delegation);
  EXPECT_TRUE(root.find(N("d.nic.fr."))->occluded);
  Zone com = test::example_zone("com.zone", "com.");
  EXPECT_TRUE(com.find(N("networkutopia.com."))->delegation);
  Zone nu = test::example_zone("networkutopia.com.zone", "networkutopia.com.");
  EXPECT_EQ(nu.soa().minimum, 300u);
  EXPECT_EQ(nu.negative_ttl(), Ttl{300});
  EXPECT_TRUE(nu.find(N("_tcp.networkutopia.com."))->rrsets.empty());  // empty non-terminal
  ZoneParseOptions o;
  auto hints = load_zone_file(std::string(ENDHOST_EXAMPLE_ZONES) + "/root.hints", o);
  // Hints are NS + A only, not a zone (no SOA): parse them as records instead.
  EXPECT_FALSE(hints);
  auto text = file_loader()(std::string(ENDHOST_EXAMPLE_ZONES) + "/root.hints");
  ASSERT_TRUE(text);
  auto recs = parse_master_file(*text, "root.hints", o);
  ASSERT_TRUE(recs) << recs.error().to_string();
  ASSERT_EQ(recs->size(), 2u);
  EXPECT_EQ(to_string((*recs)[1]), "A.ROOT-SERVERS.NET.\t3600000\tIN\tA\t127.0.1.1");
}

TEST(ZoneParser, RecordsComeBackInCanonicalOrder) {
  Zone z = test::zone_from_text(
      "$TTL 60\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nz A 1.2.3.4\nb A 1.2.3.5\nns A 1.2.3.6\n", "example.");
  auto rrs = z.records();
  ASSERT_EQ(rrs.size(), 5u);
  EXPECT_EQ(rrs[0].type, RRType::SOA);
  EXPECT_EQ(rrs[2].name, N("b.example."));
  EXPECT_EQ(rrs[4].name, N("z.example."));
}

}  // namespace
}  // namespace endhost::dns
