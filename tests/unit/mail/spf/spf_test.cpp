// SPF evaluation (RFC 7208) against the examples of Appendix A and §7.4, and the limits of §4.6.4.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "mail/spf/spf.hpp"

namespace endhost::mail::spf {
namespace {

struct Zone {
  std::map<std::string, std::vector<std::string>> txt;
  std::map<std::string, std::vector<std::string>> addresses;
  std::map<std::string, std::vector<std::string>> mx;
  std::set<std::string> temp_fail;
  std::vector<Query> asked;

  Answer lookup(const Query& q) {
    asked.push_back(q);
    Answer a;
    if (temp_fail.count(q.name)) {
      a.status = DnsStatus::TempFail;
      return a;
    }
    const bool exists = txt.count(q.name) || addresses.count(q.name) || mx.count(q.name);
    a.status = exists ? DnsStatus::NoData : DnsStatus::NxDomain;
    if (q.type == Query::Type::Txt && txt.count(q.name)) a.texts = txt[q.name];
    if (q.type == Query::Type::Mx && mx.count(q.name)) a.texts = mx[q.name];
    if (q.type == Query::Type::Addresses && addresses.count(q.name))
      for (const std::string& s : addresses[q.name]) a.addresses.push_back(*IpAddress::parse(s));
    if (!a.texts.empty() || !a.addresses.empty()) a.status = DnsStatus::Ok;
    return a;
  }

  Verdict check(std::string_view ip, std::string mail_from, std::string helo = "mx.example.net") {
    Check c(Input{*IpAddress::parse(ip), std::move(mail_from), std::move(helo)});
    for (int guard = 0; guard < 500; ++guard) {
      auto step = c.next();
      if (auto* v = std::get_if<Verdict>(&step)) return *v;
      c.answer(lookup(std::get<Query>(step)));
    }
    ADD_FAILURE() << "no verdict";
    return {};
  }
};

// RFC 7208 Appendix A: the example.com and example.org zone.
Zone appendix_a(std::string policy) {
  Zone z;
  z.txt["example.com"] = {std::move(policy)};
  z.addresses["example.com"] = {"192.0.2.10", "192.0.2.11"};
  z.addresses["amy.example.com"] = {"192.0.2.65"};
  z.addresses["bob.example.com"] = {"192.0.2.66"};
  z.addresses["mail-a.example.com"] = {"192.0.2.129"};
  z.addresses["mail-b.example.com"] = {"192.0.2.130"};
  z.addresses["mail-c.example.org"] = {"192.0.2.140"};
  z.mx["example.com"] = {"mail-a.example.com", "mail-b.example.com"};
  z.mx["example.org"] = {"mail-c.example.org"};
  return z;
}

Result result(Zone z, std::string_view ip) {
  return z.check(ip, "joe@example.com").result;
}

TEST(AppendixA1, SimpleExamples) {
  EXPECT_EQ(result(appendix_a("v=spf1 +all"), "198.51.100.1"), Result::Pass);
  EXPECT_EQ(result(appendix_a("v=spf1 a -all"), "192.0.2.10"), Result::Pass);
  EXPECT_EQ(result(appendix_a("v=spf1 a -all"), "192.0.2.11"), Result::Pass);
  EXPECT_EQ(result(appendix_a("v=spf1 a -all"), "192.0.2.12"), Result::Fail);
  EXPECT_EQ(result(appendix_a("v=spf1 a:example.org -all"), "192.0.2.10"), Result::Fail);
  EXPECT_EQ(result(appendix_a("v=spf1 mx -all"), "192.0.2.129"), Result::Pass);
  EXPECT_EQ(result(appendix_a("v=spf1 mx -all"), "192.0.2.130"), Result::Pass);
  EXPECT_EQ(result(appendix_a("v=spf1 mx -all"), "192.0.2.140"), Result::Fail);
  EXPECT_EQ(result(appendix_a("v=spf1 mx:example.org -all"), "192.0.2.140"), Result::Pass);
  EXPECT_EQ(result(appendix_a("v=spf1 mx mx:example.org -all"), "192.0.2.130"), Result::Pass);
  EXPECT_EQ(result(appendix_a("v=spf1 mx mx:example.org -all"), "192.0.2.140"), Result::Pass);
  EXPECT_EQ(result(appendix_a("v=spf1 mx/30 mx:example.org/30 -all"), "192.0.2.131"), Result::Pass);
  EXPECT_EQ(result(appendix_a("v=spf1 mx/30 mx:example.org/30 -all"), "192.0.2.143"), Result::Pass);
  EXPECT_EQ(result(appendix_a("v=spf1 mx/30 mx:example.org/30 -all"), "192.0.2.144"), Result::Fail);
  EXPECT_EQ(result(appendix_a("v=spf1 ip4:192.0.2.128/28 -all"), "192.0.2.143"), Result::Pass);
  EXPECT_EQ(result(appendix_a("v=spf1 ip4:192.0.2.128/28 -all"), "192.0.2.144"), Result::Fail);
  // ptr never matches here (spf.hpp), so the policy falls through to -all.
  EXPECT_EQ(result(appendix_a("v=spf1 ptr -all"), "192.0.2.65"), Result::Fail);
}

TEST(Qualifiers, AndTheDefault) {
  EXPECT_EQ(result(appendix_a("v=spf1 ~all"), "192.0.2.1"), Result::SoftFail);
  EXPECT_EQ(result(appendix_a("v=spf1 ?all"), "192.0.2.1"), Result::Neutral);
  EXPECT_EQ(result(appendix_a("v=spf1 -ip4:192.0.2.1 +all"), "192.0.2.1"), Result::Fail);
  EXPECT_EQ(result(appendix_a("v=spf1 ip4:10.0.0.1"), "192.0.2.1"), Result::Neutral);  // §4.7
  EXPECT_EQ(result(appendix_a("V=SPF1 A -ALL"), "192.0.2.10"), Result::Pass);          // case-insensitive
  EXPECT_EQ(result(appendix_a("v=spf1 -all exp=explain._spf.%{d}"), "192.0.2.10"), Result::Fail);
  EXPECT_EQ(result(appendix_a("v=spf1 unknown-mod=x a -all"), "192.0.2.10"), Result::Pass);
}

TEST(IPv6, Ip6AndAaaa) {
  Zone z = appendix_a("v=spf1 ip6:2001:db8::/32 a -all");
  z.addresses["example.com"].push_back("2001:db9::1");
  EXPECT_EQ(z.check("2001:db8::cb01", "joe@example.com").result, Result::Pass);
  EXPECT_EQ(appendix_a("v=spf1 ip6:2001:db8::/32 a -all").check("2001:db9::1", "joe@example.com").result,
            Result::Fail);
  EXPECT_EQ(z.check("2001:db9::1", "joe@example.com").result, Result::Pass);
  EXPECT_EQ(z.check("2001:db9::2", "joe@example.com").result, Result::Fail);
  // An IPv4-mapped client is its IPv4 address (§5).
  EXPECT_EQ(appendix_a("v=spf1 a -all").check("::ffff:192.0.2.10", "joe@example.com").result, Result::Pass);
  EXPECT_EQ(appendix_a("v=spf1 a//64 -all").check("192.0.2.10", "joe@example.com").result, Result::Pass);
}

TEST(Records, SelectionAndErrors) {
  EXPECT_EQ(result(appendix_a("not spf"), "192.0.2.1"), Result::None);
  EXPECT_EQ(result(appendix_a("v=spf10 -all"), "192.0.2.1"), Result::None);
  Zone two = appendix_a("v=spf1 -all");
  two.txt["example.com"].push_back("v=spf1 +all");
  EXPECT_EQ(result(two, "192.0.2.1"), Result::PermError);  // §4.5
  Zone none;
  EXPECT_EQ(none.check("192.0.2.1", "joe@nowhere.example").result, Result::None);
  Zone temp = appendix_a("v=spf1 -all");
  temp.temp_fail.insert("example.com");
  EXPECT_EQ(result(temp, "192.0.2.1"), Result::TempError);
  // Syntax errors anywhere are a permerror before anything matches (§4.6).
  EXPECT_EQ(result(appendix_a("v=spf1 +all foo"), "192.0.2.1"), Result::PermError);
  EXPECT_EQ(result(appendix_a("v=spf1 ip4:300.1.1.1 +all"), "192.0.2.1"), Result::PermError);
  EXPECT_EQ(result(appendix_a("v=spf1 ip4:192.0.2.0/33 +all"), "192.0.2.1"), Result::PermError);
  EXPECT_EQ(result(appendix_a("v=spf1 redirect=a.example redirect=b.example"), "192.0.2.1"),
            Result::PermError);
  EXPECT_EQ(result(appendix_a("v=spf1 exists:%{c}.example.com"), "192.0.2.1"), Result::PermError);  // §7.2
  EXPECT_EQ(result(appendix_a("v=spf1 exists:%{x}.example.com"), "192.0.2.1"), Result::PermError);
  EXPECT_EQ(result(appendix_a("v=spf1 a:example.123 +all"), "192.0.2.1"), Result::PermError);
  EXPECT_EQ(result(appendix_a("v=spf1 include +all"), "192.0.2.1"), Result::PermError);
  EXPECT_EQ(result(appendix_a("v=spf1 all/24"), "192.0.2.1"), Result::PermError);
}

TEST(IncludeAndRedirect, Results) {
  Zone z = appendix_a("v=spf1 include:_spf.example.net -all");
  z.txt["_spf.example.net"] = {"v=spf1 ip4:198.51.100.0/24 -all"};
  EXPECT_EQ(result(z, "198.51.100.7"), Result::Pass);
  EXPECT_EQ(result(z, "192.0.2.1"), Result::Fail);  // the include's fail is no match, then -all
  Zone missing = appendix_a("v=spf1 include:absent.example.net -all");
  EXPECT_EQ(result(missing, "192.0.2.1"), Result::PermError);  // §5.2: none is a permerror
  Zone temp = appendix_a("v=spf1 include:_spf.example.net -all");
  temp.temp_fail.insert("_spf.example.net");
  EXPECT_EQ(result(temp, "192.0.2.1"), Result::TempError);

  Zone r = appendix_a("v=spf1 redirect=_spf.example.net");
  r.txt["_spf.example.net"] = {"v=spf1 ip4:198.51.100.0/24 ~all"};
  EXPECT_EQ(result(r, "198.51.100.7"), Result::Pass);
  EXPECT_EQ(result(r, "192.0.2.1"), Result::SoftFail);
  EXPECT_EQ(result(appendix_a("v=spf1 redirect=absent.example.net"), "192.0.2.1"), Result::PermError);
  // redirect= is not used when a mechanism matched.
  EXPECT_EQ(result(appendix_a("v=spf1 a redirect=absent.example.net"), "192.0.2.10"), Result::Pass);
}

TEST(Limits, TenDnsTerms) {
  Zone z;
  // A chain of includes, each one more DNS term.
  for (int i = 0; i < 12; ++i)
    z.txt["l" + std::to_string(i) + ".example"] = {"v=spf1 include:l" + std::to_string(i + 1) + ".example"};
  z.txt["l12.example"] = {"v=spf1 +all"};
  const Verdict v = z.check("192.0.2.1", "a@l0.example");
  EXPECT_EQ(v.result, Result::PermError);
  EXPECT_EQ(v.reason, "more than 10 DNS lookups");

  Zone ten;
  for (int i = 0; i < 10; ++i)
    ten.txt["l" + std::to_string(i) + ".example"] = {"v=spf1 include:l" + std::to_string(i + 1) + ".example"};
  ten.txt["l10.example"] = {"v=spf1 +all"};
  EXPECT_EQ(ten.check("192.0.2.1", "a@l0.example").result, Result::Pass);  // exactly 10 is allowed

  // An include loop ends at the limit too.
  Zone loop;
  loop.txt["loop.example"] = {"v=spf1 include:loop.example"};
  EXPECT_EQ(loop.check("192.0.2.1", "a@loop.example").result, Result::PermError);
}

TEST(Limits, TwoVoidLookups) {
  Zone two = appendix_a("v=spf1 a:n1.example.com a:n2.example.com -all");
  EXPECT_EQ(result(two, "192.0.2.1"), Result::Fail);
  Zone three = appendix_a("v=spf1 a:n1.example.com a:n2.example.com mx:n3.example.com -all");
  const Verdict v = three.check("192.0.2.1", "joe@example.com");
  EXPECT_EQ(v.result, Result::PermError);
  EXPECT_EQ(v.reason, "more than 2 void DNS lookups");
}

TEST(Limits, TenMxHosts) {
  Zone z = appendix_a("v=spf1 mx -all");
  z.mx["example.com"].clear();
  for (int i = 0; i < 11; ++i) {
    z.mx["example.com"].push_back("m" + std::to_string(i) + ".example.com");
    z.addresses["m" + std::to_string(i) + ".example.com"] = {"192.0.2." + std::to_string(200 + i)};
  }
  EXPECT_EQ(result(z, "192.0.2.200"), Result::PermError);
  z.mx["example.com"].pop_back();
  EXPECT_EQ(result(z, "192.0.2.209"), Result::Pass);
}

// §7.4's examples, through the name exists: asks for.
std::string expanded(std::string_view macro, std::string_view ip = "192.0.2.3") {
  Zone z;
  z.txt["email.example.com"] = {"v=spf1 exists:" + std::string(macro) + " -all"};
  z.check(ip, "strong-bad@email.example.com");
  return z.asked.size() >= 2 ? z.asked[1].name : "(no question)";
}

TEST(Macros, Section74Examples) {
  EXPECT_EQ(expanded("%{s}.x.example"), "strong-bad@email.example.com.x.example");
  EXPECT_EQ(expanded("%{o}.x.example"), "email.example.com.x.example");
  EXPECT_EQ(expanded("%{d}.x.example"), "email.example.com.x.example");
  EXPECT_EQ(expanded("%{d4}.x.example"), "email.example.com.x.example");
  EXPECT_EQ(expanded("%{d3}.x.example"), "email.example.com.x.example");
  EXPECT_EQ(expanded("%{d2}.x.example"), "example.com.x.example");
  EXPECT_EQ(expanded("%{d1}.x.example"), "com.x.example");
  EXPECT_EQ(expanded("%{dr}.x.example"), "com.example.email.x.example");
  EXPECT_EQ(expanded("%{d2r}.x.example"), "example.email.x.example");
  EXPECT_EQ(expanded("%{l}.x.example"), "strong-bad.x.example");
  EXPECT_EQ(expanded("%{l-}.x.example"), "strong.bad.x.example");
  EXPECT_EQ(expanded("%{lr}.x.example"), "strong-bad.x.example");
  EXPECT_EQ(expanded("%{lr-}.x.example"), "bad.strong.x.example");
  EXPECT_EQ(expanded("%{l1r-}.x.example"), "strong.x.example");
  EXPECT_EQ(expanded("%{ir}.%{v}._spf.%{d2}"), "3.2.0.192.in-addr._spf.example.com");
  EXPECT_EQ(expanded("%{lr-}.lp._spf.%{d2}"), "bad.strong.lp._spf.example.com");
  EXPECT_EQ(expanded("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}"), "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
  EXPECT_EQ(expanded("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}"), "3.2.0.192.in-addr.strong.lp._spf.example.com");
  EXPECT_EQ(expanded("%{d2}.trusted-domains.example.net"), "example.com.trusted-domains.example.net");
  EXPECT_EQ(expanded("%{ir}.%{v}._spf.%{d2}", "2001:db8::cb01"),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
  EXPECT_EQ(expanded("%{h}.x.example"), "mx.example.net.x.example");
  EXPECT_EQ(expanded("%{p}.x.example"), "unknown.x.example");
  EXPECT_EQ(expanded("a%%b%_c%-d.x.example"), "a%b c%20d.x.example");
  EXPECT_EQ(expanded("%{S}.x.example"), "strong-bad%40email.example.com.x.example");  // URL-escaped
}

TEST(Identity, HeloWhenMailFromIsNull) {
  Zone z;
  z.txt["mx.example.net"] = {"v=spf1 ip4:192.0.2.1 -all"};
  const Verdict v = z.check("192.0.2.1", "", "mx.example.net");
  EXPECT_EQ(v.result, Result::Pass);
  EXPECT_EQ(v.domain, "mx.example.net");
  // An address literal as HELO is no domain: none, with no question asked (§4.3).
  Zone empty;
  EXPECT_EQ(empty.check("192.0.2.1", "", "[192.0.2.1]").result, Result::None);
  EXPECT_TRUE(empty.asked.empty());
  // A sender without a local part is postmaster@domain: %{l} expands to postmaster.
  Zone p;
  p.txt["example.com"] = {"v=spf1 exists:%{l}.x.example -all"};
  p.check("192.0.2.1", "example.com");
  ASSERT_GE(p.asked.size(), 2u);
  EXPECT_EQ(p.asked[1].name, "postmaster.x.example");
}

}  // namespace
}  // namespace endhost::mail::spf
