// Signing and verification against RFC 8463 Appendix A (both signatures of the published message, and the
// Ed25519 signature reproduced from the published private key), RFC 6376 Appendix A's body hash, and round
// trips with fresh keys.
#include <gtest/gtest.h>

#include "mail/dkim/base64.hpp"
#include "mail/dkim/dkim.hpp"

namespace endhost::mail::dkim {
namespace {

// RFC 8463 Appendix A.3, with CRLF line ends.
constexpr std::string_view kRfc8463Message =
    "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
    " d=football.example.com; i=@football.example.com;\r\n"
    " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"
    " subject : date : message-id : from : subject : date;\r\n"
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
    " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n"
    " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\r\n"
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
    " d=football.example.com; i=@football.example.com;\r\n"
    " q=dns/txt; s=test; t=1528637909; h=from : to : subject :\r\n"
    " date : message-id : from : subject : date;\r\n"
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
    " b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\r\n"
    " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\r\n"
    " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=\r\n"
    "From: Joe SixPack <joe@football.example.com>\r\n"
    "To: Suzie Q <suzie@shopping.example.net>\r\n"
    "Subject: Is dinner ready?\r\n"
    "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
    "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
    "\r\n"
    "Hi.\r\n"
    "\r\n"
    "We lost the game.  Are you hungry yet?\r\n"
    "\r\n"
    "Joe.\r\n";

// RFC 8463 Appendix A.1 and A.2.
constexpr std::string_view kEd25519Seed = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
const std::string kEd25519Record = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
const std::string kRsaRecord =
    "v=DKIM1; k=rsa; "
    "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQ"
    "iY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/"
    "8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+"
    "2kryOTIKT+l/K4w3QIDAQAB";

constexpr std::int64_t kNow = 1'700'000'000;

Verdict verify_one(const Verification& v, std::size_t i, const std::string& record) {
  return v.finish(i, KeyLookup::Found, {record}, kNow);
}

TEST(Rfc8463, BothPublishedSignaturesVerify) {
  auto v = Verification::start(kRfc8463Message);
  ASSERT_TRUE(v) << v.error();
  ASSERT_EQ(v->count(), 2u);
  EXPECT_EQ(v->key_query(0), "brisbane._domainkey.football.example.com");
  EXPECT_EQ(v->key_query(1), "test._domainkey.football.example.com");
  const Verdict ed = verify_one(*v, 0, kEd25519Record);
  EXPECT_EQ(ed.status, Status::Pass) << ed.reason;
  EXPECT_EQ(ed.domain, "football.example.com");
  EXPECT_EQ(ed.selector, "brisbane");
  EXPECT_EQ(ed.algorithm, Algorithm::Ed25519Sha256);
  const Verdict rsa = verify_one(*v, 1, kRsaRecord);
  EXPECT_EQ(rsa.status, Status::Pass) << rsa.reason;
  EXPECT_EQ(rsa.selector, "test");
}

// Ed25519 is deterministic (RFC 8032 §5.1.6): signing the same header hash input with the published private
// key must give the published b= exactly.
TEST(Rfc8463, TheEd25519SignatureIsReproducedFromThePrivateKey) {
  auto key = PrivateKey::ed25519_from_seed(*base64_decode(kEd25519Seed));
  ASSERT_TRUE(key) << key.error();
  EXPECT_EQ(key->record_text(), kEd25519Record);
  auto split = split_message(kRfc8463Message);
  ASSERT_TRUE(split);
  auto sig = parse_signature(split->headers[0].value);
  ASSERT_TRUE(sig);
  const std::string input = header_hash_input(*split, sig->header_canon, sig->headers, split->headers[0].raw);
  auto b = key->sign(input);
  ASSERT_TRUE(b) << b.error();
  EXPECT_EQ(base64_encode(*b),
            "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==");
}

TEST(Rfc8463, TamperingFails) {
  std::string body_changed(kRfc8463Message);
  body_changed.replace(body_changed.find("hungry"), 6, "HUNGRY");
  auto v = Verification::start(body_changed);
  ASSERT_TRUE(v);
  EXPECT_EQ(verify_one(*v, 0, kEd25519Record).status, Status::Fail);
  EXPECT_EQ(verify_one(*v, 0, kEd25519Record).reason, "body hash did not verify");
  std::string subject_changed(kRfc8463Message);
  subject_changed.replace(subject_changed.find("dinner"), 6, "supper");
  auto w = Verification::start(subject_changed);
  ASSERT_TRUE(w);
  EXPECT_EQ(verify_one(*w, 0, kEd25519Record).reason, "signature did not verify");
  EXPECT_EQ(verify_one(*w, 1, kRsaRecord).status, Status::Fail);
  // Relaxed canonicalization: re-folded and re-spaced headers and trailing blank lines still verify.
  std::string refolded(kRfc8463Message);
  refolded.replace(refolded.find("Subject: Is dinner ready?"), 25, "subject:   Is dinner\r\n\tready?  ");
  refolded += "\r\n\r\n";
  auto r = Verification::start(refolded);
  ASSERT_TRUE(r);
  EXPECT_EQ(verify_one(*r, 0, kEd25519Record).status, Status::Pass);
}

TEST(Rfc8463, KeyProblems) {
  auto v = Verification::start(kRfc8463Message);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->finish(0, KeyLookup::TempFail, {}, kNow).status, Status::TempError);
  EXPECT_EQ(v->finish(0, KeyLookup::NotFound, {}, kNow).status, Status::PermError);
  EXPECT_EQ(verify_one(*v, 0, "v=DKIM1; k=ed25519; p=").reason, "key revoked");
  EXPECT_EQ(verify_one(*v, 0, kRsaRecord).status, Status::PermError);  // k=rsa for a=ed25519-sha256
  EXPECT_EQ(verify_one(*v, 1, "v=DKIM1; k=rsa; h=sha1; p=AAAA").status, Status::PermError);
  // Several records at the name: the first usable one is taken.
  EXPECT_EQ(v->finish(0, KeyLookup::Found, {"garbage", kEd25519Record}, kNow).status, Status::Pass);
}

// RFC 6376 Appendix A: the simple body hash of the example body is the bh= of A.2.
TEST(Rfc6376, AppendixBodyHash) {
  const std::string body = "Hi.\r\n\r\nWe lost the game. Are you hungry yet?\r\n\r\nJoe.\r\n";
  EXPECT_EQ(base64_encode(sha256(canonicalize_body(Canon::Simple, body))),
            "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
  // And the RFC 8463 body (two spaces before "Are") reaches the same hash through relaxed canonicalization.
  const std::string body8463 = "Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n\r\n";
  EXPECT_EQ(base64_encode(sha256(canonicalize_body(Canon::Relaxed, body8463))),
            "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
}

constexpr std::string_view kMessage =
    "From: Alice <alice@crepes.fr>\r\n"
    "To: Bob <bob@hamburger.edu>\r\n"
    "Subject: Hello\r\n"
    "Date: Wed, 02 Dec 2026 17:00:00 +0000\r\n"
    "Message-ID: <1@crepes.fr>\r\n"
    "\r\n"
    "Hello Bob.\r\n"
    ".. a dot line\r\n";

class RoundTrip : public ::testing::TestWithParam<KeyType> {};

TEST_P(RoundTrip, SignedMailVerifiesAndTamperingIsCaught) {
  auto key = PrivateKey::generate(GetParam());
  ASSERT_TRUE(key) << key.error();
  auto pem = PrivateKey::from_pem(key->to_pem());
  ASSERT_TRUE(pem) << pem.error();
  EXPECT_EQ(pem->public_key(), key->public_key());
  SignOptions o;
  o.domain = "crepes.fr";
  o.selector = "endhost";
  o.timestamp = kNow;
  auto field = sign_message(kMessage, *pem, o);
  ASSERT_TRUE(field) << field.error();
  EXPECT_EQ(field->rfind("DKIM-Signature: v=1; a=", 0), 0u);
  // Folded at 78 columns.
  std::size_t start = 0;
  while (start < field->size()) {
    const std::size_t end = field->find("\r\n", start);
    EXPECT_LE(end - start, 78u) << *field;
    start = end + 2;
  }
  const std::string signed_message = *field + std::string(kMessage);
  auto v = Verification::start(signed_message);
  ASSERT_TRUE(v);
  ASSERT_EQ(v->count(), 1u);
  ASSERT_EQ(v->key_query(0), "endhost._domainkey.crepes.fr");
  const std::string record = key->record_text();
  const Verdict ok = verify_one(*v, 0, record);
  EXPECT_EQ(ok.status, Status::Pass) << ok.reason << "\n" << signed_message;

  // A second From added above: the over-signed From catches it.
  auto added = Verification::start(*field + "From: Mallory <m@evil.example>\r\n" + std::string(kMessage));
  ASSERT_TRUE(added);
  EXPECT_EQ(verify_one(*added, 0, record).status, Status::Fail);
  // A line appended to the body.
  auto appended = Verification::start(signed_message + "P.S. send money\r\n");
  ASSERT_TRUE(appended);
  EXPECT_EQ(verify_one(*appended, 0, record).reason, "body hash did not verify");
  // Another key.
  auto other = PrivateKey::generate(GetParam());
  ASSERT_TRUE(other);
  EXPECT_EQ(verify_one(*v, 0, other->record_text()).status, Status::Fail);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, RoundTrip, ::testing::Values(KeyType::Ed25519, KeyType::Rsa));

TEST(Sign, HeaderListOverSignsFrom) {
  auto split = split_message(kMessage);
  ASSERT_TRUE(split);
  EXPECT_EQ(default_signed_headers(*split),
            (std::vector<std::string>{"from", "to", "subject", "date", "message-id", "from"}));
  auto key = PrivateKey::generate(KeyType::Ed25519);
  ASSERT_TRUE(key);
  SignOptions o;
  o.domain = "crepes.fr";
  o.selector = "endhost";
  EXPECT_FALSE(sign_message("To: x\r\n\r\nbody\r\n", *key, o));  // no From
  o.domain = "bad domain";
  EXPECT_FALSE(sign_message(kMessage, *key, o));
}

TEST(Verify, RefusedSignatureKinds) {
  auto key = PrivateKey::generate(KeyType::Ed25519);
  ASSERT_TRUE(key);
  const std::string body = "From: a@crepes.fr\r\n\r\nhi\r\n";
  // l= is refused before any lookup.
  auto l = Verification::start(
      "DKIM-Signature: v=1; a=ed25519-sha256; d=crepes.fr; s=x; h=from; l=4; bh=AAAA; b=AAAA\r\n" + body);
  ASSERT_TRUE(l);
  EXPECT_FALSE(l->key_query(0));
  EXPECT_EQ(l->finish(0, KeyLookup::NotFound, {}, kNow).status, Status::Policy);
  auto sha1 = Verification::start(
      "DKIM-Signature: v=1; a=rsa-sha1; d=crepes.fr; s=x; h=from; bh=AAAA; b=AAAA\r\n" + body);
  ASSERT_TRUE(sha1);
  EXPECT_FALSE(sha1->key_query(0));
  EXPECT_EQ(sha1->finish(0, KeyLookup::NotFound, {}, kNow).status, Status::PermError);
  auto broken = Verification::start("DKIM-Signature: v=1; a=ed25519-sha256\r\n" + body);
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->finish(0, KeyLookup::NotFound, {}, kNow).status, Status::PermError);
  // Expired (x= before now).
  SignOptions o;
  o.domain = "crepes.fr";
  o.selector = "x";
  o.timestamp = kNow - 100;
  o.expiration = kNow - 10;
  auto field = sign_message(body, *key, o);
  ASSERT_TRUE(field);
  auto expired = Verification::start(*field + body);
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->finish(0, KeyLookup::Found, {key->record_text()}, kNow).reason, "signature expired");
  // Not more than kMaxSignatures are looked at.
  std::string many;
  for (int i = 0; i < 9; ++i) many += *field;
  auto capped = Verification::start(many + body);
  ASSERT_TRUE(capped);
  EXPECT_EQ(capped->count(), kMaxSignatures);
}

}  // namespace
}  // namespace endhost::mail::dkim
