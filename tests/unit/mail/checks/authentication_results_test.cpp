// The inbound checks over the in-memory MailDns: SPF and DKIM to one Authentication-Results field.
#include <gtest/gtest.h>

#include <optional>

#include "mail/checks/authentication_results.hpp"
#include "mail/checks/signer.hpp"

namespace endhost::mail::checks {
namespace {

template <class T>
T run(awaitable<T> task) {
  asio::io_context io;
  std::optional<T> out;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    if (e) std::rethrow_exception(e);
    out = std::move(value);
  });
  io.run();
  return std::move(*out);
}

asio::ip::address ip(const char* text) {
  return asio::ip::make_address(text);
}

constexpr std::string_view kMessage =
    "From: Alice <alice@crepes.fr>\r\nTo: bob@hamburger.edu\r\nSubject: hi\r\n\r\nHello Bob.\r\n";
const core::WallTime kNow{std::chrono::seconds(1'800'000'000)};

struct Fixture {
  dns::FakeMailDns dns;
  std::shared_ptr<Signer> signer;
  DkimKey key;

  Fixture() {
    auto k = dkim::PrivateKey::generate(dkim::KeyType::Ed25519);
    key.domain = "crepes.fr";
    key.selector = "lab";
    key.key = *k;
    signer = Signer::with_keys({key});
    dns.txt_records["crepes.fr"] = {"v=spf1 mx -all"};
    dns.mx_records["crepes.fr"] = {dns::MxHost{10, "mx.crepes.fr"}};
    dns.address_records["mx.crepes.fr"] = {ip("10.0.1.25")};
    dns.txt_records["lab._domainkey.crepes.fr"] = {key.record_text()};
  }

  std::string signed_message() const {
    return signer->signature_header(kMessage, "crepes.fr", kNow) + std::string(kMessage);
  }
};

TEST(AuthenticationResults, PassAndPassIsTheBriefsHeader) {
  Fixture f;
  const std::string message = f.signed_message();
  const std::string header = run(authentication_results(f.dns, "hamburger.edu", message, ip("10.0.1.25"),
                                                        "alice@crepes.fr", "mx.crepes.fr"));
  EXPECT_EQ(header,
            "Authentication-Results: hamburger.edu; spf=pass smtp.mailfrom=crepes.fr;\r\n"
            "\tdkim=pass header.d=crepes.fr header.s=lab\r\n");
}

TEST(AuthenticationResults, FailuresAreReportedWithTheirReasons) {
  Fixture f;
  std::string message = f.signed_message();
  message.replace(message.find("Hello Bob"), 5, "HELLO");
  CheckResults r = run(
      run_checks(f.dns, "hamburger.edu", message, ip("192.0.2.66"), "alice@crepes.fr", "evil.example", kNow));
  EXPECT_EQ(r.spf.result, spf::Result::Fail);
  EXPECT_TRUE(r.spf_failed());
  ASSERT_EQ(r.dkim.size(), 1u);
  EXPECT_EQ(r.dkim[0].status, dkim::Status::Fail);
  EXPECT_TRUE(r.dkim_failed());
  EXPECT_NE(r.header.find("spf=fail reason=\"crepes.fr: matched -all\" smtp.mailfrom=crepes.fr"),
            std::string::npos)
      << r.header;
  EXPECT_NE(r.header.find("dkim=fail reason=\"body hash did not verify\" header.d=crepes.fr header.s=lab"),
            std::string::npos)
      << r.header;
}

TEST(AuthenticationResults, UnsignedNullSenderAndDnsTrouble) {
  Fixture f;
  f.dns.txt_records["mx.crepes.fr"] = {"v=spf1 a -all"};
  CheckResults r =
      run(run_checks(f.dns, "hamburger.edu", kMessage, ip("10.0.1.25"), "", "mx.crepes.fr", kNow));
  EXPECT_EQ(r.spf.result, spf::Result::Pass);
  EXPECT_TRUE(r.spf_helo);
  EXPECT_EQ(r.header,
            "Authentication-Results: hamburger.edu; spf=pass smtp.helo=mx.crepes.fr;\r\n\tdkim=none\r\n");
  EXPECT_FALSE(r.dkim_failed());

  f.dns.temp_fail.push_back("crepes.fr");
  f.dns.temp_fail.push_back("lab._domainkey.crepes.fr");
  CheckResults t = run(run_checks(f.dns, "hamburger.edu", f.signed_message(), ip("10.0.1.25"),
                                  "alice@crepes.fr", "mx.crepes.fr", kNow));
  EXPECT_EQ(t.spf.result, spf::Result::TempError);
  ASSERT_EQ(t.dkim.size(), 1u);
  EXPECT_EQ(t.dkim[0].status, dkim::Status::TempError);
  EXPECT_FALSE(t.dkim_failed());  // a DNS failure is not a broken signature
}

TEST(AuthenticationResults, SpfAsksWithinItsLimits) {
  Fixture f;
  f.dns.txt_records["crepes.fr"] = {"v=spf1 include:crepes.fr"};
  CheckResults r = run(
      run_checks(f.dns, "hamburger.edu", kMessage, ip("10.0.1.25"), "alice@crepes.fr", "x.example", kNow));
  EXPECT_EQ(r.spf.result, spf::Result::PermError);
  EXPECT_LE(f.dns.queries, 5u);  // the one TXT question, asked once
}

TEST(AuthenticationResults, HostileValuesAreQuoted) {
  spf::Verdict v{spf::Result::None, "no SPF record", ""};
  const std::string h = format_authentication_results("hamburger.edu", v, true, "x; dkim=pass", {});
  EXPECT_NE(h.find("smtp.helo=\"x; dkim=pass\""), std::string::npos) << h;
  dkim::Verdict d;
  d.status = dkim::Status::PermError;
  d.reason = "a \"quoted\"\r\nline";
  const std::string h2 = format_authentication_results("hamburger.edu", v, true, "a.example", {d});
  EXPECT_NE(h2.find("reason=\"a \\\"quoted\\\"line\""), std::string::npos) << h2;
  EXPECT_EQ(h2.find("\r\n", 0), h2.find("\r\n\t"));  // only folds, and the final CRLF
}

TEST(RemoveForgedResults, DropsOnlyOurs) {
  const std::string m =
      "Authentication-Results: hamburger.edu; spf=pass smtp.mailfrom=evil\r\n"
      "Authentication-Results: other.example; dkim=pass\r\n"
      "authentication-results:\r\n HAMBURGER.EDU; dkim=pass\r\n"
      "From: a@b.example\r\n\r\nbody\r\n";
  EXPECT_EQ(remove_forged_results(m, "hamburger.edu"),
            "Authentication-Results: other.example; dkim=pass\r\nFrom: a@b.example\r\n\r\nbody\r\n");
  EXPECT_EQ(remove_forged_results(kMessage, "hamburger.edu"), kMessage);
}

}  // namespace
}  // namespace endhost::mail::checks
