// Key records (RFC 6376 §3.6.1, RFC 8463 §4.2) and the zone line `endhost dns serve` loads.
#include <gtest/gtest.h>

#include "dns/zone_parser.hpp"
#include "mail/dkim/base64.hpp"
#include "mail/dkim/key_record.hpp"

namespace endhost::mail::dkim {
namespace {

TEST(KeyRecord, ParsesTheRfc8463Records) {
  auto ed = parse_key_record("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
  ASSERT_TRUE(ed) << ed.error();
  EXPECT_EQ(ed->type, KeyType::Ed25519);
  EXPECT_EQ(ed->public_key.size(), 32u);
  auto rsa = parse_key_record("p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR");
  ASSERT_TRUE(rsa) << rsa.error();
  EXPECT_EQ(rsa->type, KeyType::Rsa);  // k= defaults to rsa
}

TEST(KeyRecord, Flags) {
  EXPECT_FALSE(parse_key_record("k=rsa; v=DKIM1; p=AAAA"));  // v= must come first
  EXPECT_FALSE(parse_key_record("v=DKIM2; p=AAAA"));
  EXPECT_FALSE(parse_key_record("v=DKIM1; k=dsa; p=AAAA"));
  EXPECT_FALSE(parse_key_record("v=DKIM1; k=rsa"));  // p= required
  auto revoked = parse_key_record("v=DKIM1; p=");
  ASSERT_TRUE(revoked);
  EXPECT_TRUE(revoked->public_key.empty());
  auto flags = parse_key_record("v=DKIM1; t=y:s; s=email; h=sha1:sha256; p=AAAA");
  ASSERT_TRUE(flags);
  EXPECT_TRUE(flags->testing);
  EXPECT_TRUE(flags->strict_identity);
  EXPECT_TRUE(flags->email_service);
  EXPECT_EQ(flags->hashes, (std::vector<std::string>{"sha1", "sha256"}));
  auto other = parse_key_record("s=tlsrpt; p=AAAA");
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->email_service);
}

TEST(KeyRecord, FormatRoundTrips) {
  const std::string key(32, '\x07');
  const std::string text = format_key_record(KeyType::Ed25519, key);
  EXPECT_EQ(text.rfind("v=DKIM1; k=ed25519; p=", 0), 0u);
  auto back = parse_key_record(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->public_key, key);
}

// The zone line of a long (RSA-sized) record splits into strings of at most 255 octets, and the DNS server's
// own master-file parser reads it back as one TXT record whose strings join to the text.
TEST(ZoneLine, LongRecordsSplitIntoStringsTheZoneParserReads) {
  const std::string text =
      format_key_record(KeyType::Rsa, std::string(294, '\x5a'));  // a 2048-bit SPKI's size
  ASSERT_GT(text.size(), 255u);
  const std::string line = zone_line("endhost", "crepes.fr", text);
  EXPECT_EQ(line.rfind("endhost._domainkey.crepes.fr. IN TXT ( \"v=DKIM1; k=rsa; p=", 0), 0u);
  dns::ZoneParseOptions options;
  options.origin = *dns::Name::from_string("crepes.fr.");
  options.default_ttl = dns::Ttl{3600};
  const std::string zone = line + "\n";
  auto records = dns::parse_master_file(zone, "test", options);
  ASSERT_TRUE(records) << records.error().to_string();
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].name.to_string(), "endhost._domainkey.crepes.fr.");
  const auto& txt = std::get<dns::rdata::Txt>((*records)[0].rdata);
  ASSERT_EQ(txt.strings.size(), 2u);
  std::string joined;
  for (const std::string& s : txt.strings) {
    EXPECT_LE(s.size(), 255u);
    joined += s;
  }
  EXPECT_EQ(joined, text);
}

TEST(ZoneLine, ShortRecordsAreOneString) {
  EXPECT_EQ(zone_line("s", "d.example", "v=DKIM1; p=AAAA"),
            "s._domainkey.d.example. IN TXT ( \"v=DKIM1; p=AAAA\" )");
}

}  // namespace
}  // namespace endhost::mail::dkim
