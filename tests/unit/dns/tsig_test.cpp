// TSIG (RFC 8945) sans-I/O: keys from the command line, signing, the server's checks (BADKEY, BADSIG,
// BADTIME, BADTRUNC) and the chained MACs of a multi-message answer.
#include <gtest/gtest.h>

#include "dns/message.hpp"
#include "dns/tsig.hpp"
#include "dns_test_util.hpp"

namespace endhost::dns {
namespace {
using test::N;

constexpr std::uint64_t kNow = 1'764'000'000;

TsigKey key(std::string_view spec) {
  auto k = parse_tsig_key(spec);
  EXPECT_TRUE(k.has_value()) << (k ? "" : k.error());
  return k ? *k : TsigKey{};
}

std::vector<std::uint8_t> signed_query(const TsigKey& k, std::uint64_t when) {
  auto wire = test::encode(make_query(0x1234, N("example."), RRType::SOA, false, std::nullopt));
  wire.resize(wire.size() + 512);
  TsigSigner signer(k);
  auto n = signer.sign(wire, wire.size() - 512, when);
  EXPECT_TRUE(n.has_value());
  wire.resize(n.value_or(0));
  return wire;
}

TEST(Tsig, KeysAreParsedFromNameAlgorithmAndBase64) {
  TsigKey k = key("xfr-key:hmac-sha256:c2VjcmV0c2VjcmV0");
  EXPECT_EQ(k.name.to_string(), "xfr-key.");
  EXPECT_EQ(k.algorithm, TsigAlgorithm::hmac_sha256);
  EXPECT_EQ(std::string(k.secret.begin(), k.secret.end()), "secretsecret");
  EXPECT_EQ(key("k:sha512:YQ==").secret.size(), 1u);
  EXPECT_EQ(key("k:HMAC-SHA1:YWI=").algorithm, TsigAlgorithm::hmac_sha1);
  for (const char* bad :
       {"k:hmac-md5:YQ==", "k:hmac-sha256", "k:hmac-sha256:not base64!", ":hmac-sha256:YQ=="}) {
    auto r = parse_tsig_key(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_NE(r.error().find("NAME:ALGORITHM:BASE64"), std::string::npos) << r.error();
  }
}

TEST(Tsig, AServerAcceptsItsKeyAndNamesEachFault) {
  std::vector<TsigKey> keys{key("xfr-key:hmac-sha256:c2VjcmV0c2VjcmV0")};
  auto wire = signed_query(keys[0], kNow);
  auto found = find_tsig(wire);
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->key_name.to_string(), "xfr-key.");
  EXPECT_EQ((*found)->mac.size(), 32u);
  TsigCheck ok = verify_request(wire, **found, keys, kNow + 10);
  EXPECT_EQ(ok.error, TsigError::none);
  EXPECT_EQ(ok.key, &keys[0]);
  EXPECT_EQ(ok.request_mac.size(), 32u);
  // Another secret under the same name: BADSIG.
  std::vector<TsigKey> other{key("xfr-key:hmac-sha256:b3RoZXJzZWNyZXQ=")};
  EXPECT_EQ(verify_request(wire, **found, other, kNow).error, TsigError::badsig);
  // A key we do not have (or the same name with another algorithm): BADKEY.
  std::vector<TsigKey> unknown{key("another:hmac-sha256:c2VjcmV0c2VjcmV0")};
  EXPECT_EQ(verify_request(wire, **found, unknown, kNow).error, TsigError::badkey);
  std::vector<TsigKey> sha1{key("xfr-key:hmac-sha1:c2VjcmV0c2VjcmV0")};
  EXPECT_EQ(verify_request(wire, **found, sha1, kNow).error, TsigError::badkey);
  // Outside the fudge (300 s): BADTIME, checked after the MAC.
  EXPECT_EQ(verify_request(wire, **found, keys, kNow + 301).error, TsigError::badtime);
  EXPECT_EQ(verify_request(wire, **found, keys, kNow - 301).error, TsigError::badtime);
  // A changed octet of the message: BADSIG.
  auto tampered = wire;
  tampered[3] ^= 0x10;
  auto t = find_tsig(tampered);
  ASSERT_TRUE(t && *t);
  EXPECT_EQ(verify_request(tampered, **t, keys, kNow).error, TsigError::badsig);
}

TEST(Tsig, EveryMessageOfAnAnswerIsSignedAndChained) {
  TsigKey k = key("xfr-key:hmac-sha512:c2VjcmV0c2VjcmV0");
  auto query = signed_query(k, kNow);
  auto q = find_tsig(query);
  ASSERT_TRUE(q && *q);
  std::vector<std::uint8_t> request_mac((*q)->mac.begin(), (*q)->mac.end());
  TsigSigner server(k, request_mac);
  std::vector<std::vector<std::uint8_t>> messages;
  for (int i = 0; i < 3; ++i) {
    Message m;
    m.header.id = 0x1234;
    m.header.qr = true;
    m.answers.push_back(ResourceRecord{N("example."), RRType::A, RRClass::IN, Ttl{60},
                                       rdata::A{{192, 0, 2, static_cast<std::uint8_t>(i)}}});
    auto wire = test::encode(m);
    std::size_t size = wire.size();
    wire.resize(size + 512);
    auto n = server.sign(wire, size, kNow + static_cast<std::uint64_t>(i));
    ASSERT_TRUE(n.has_value());
    wire.resize(*n);
    messages.push_back(wire);
  }
  std::vector<std::uint8_t> prior = request_mac;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    auto mac = verify_response(messages[i], k, prior, i == 0, kNow);
    ASSERT_TRUE(mac.has_value()) << i << ": " << mac.error();
    prior = *mac;
  }
  // Out of order, the chain breaks.
  auto wrong = verify_response(messages[2], k, request_mac, false, kNow);
  EXPECT_FALSE(wrong.has_value());
}

TEST(Tsig, MalformedOrMisplacedTsigIsAnError) {
  TsigKey k = key("k:hmac-sha256:c2VjcmV0c2VjcmV0");
  auto wire = signed_query(k, kNow);
  auto cut = wire;
  cut.resize(cut.size() - 3);
  EXPECT_FALSE(find_tsig(cut).has_value());
  auto plain = test::encode(make_query(1, N("example."), RRType::A, false, std::nullopt));
  auto none = find_tsig(plain);
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());
}

}  // namespace
}  // namespace endhost::dns
