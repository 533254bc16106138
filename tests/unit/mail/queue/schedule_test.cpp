// The relay's decisions with time moved by hand: Postfix's backoff (the wait is the mail's age, clamped),
// the lifetime turning a deferral into a failure (4.4.7), replies into verdicts, and the next hops of a
// domain by MX preference, implicit MX, null MX and our own place among the MX hosts.
#include "mail/queue/schedule.hpp"

#include <gtest/gtest.h>

namespace endhost::mail::queue {
namespace {

using namespace std::chrono_literals;
using std::chrono::seconds;

const core::WallTime T0{seconds(1'700'000'000)};

TEST(Schedule, BackoffIsTheAgeClampedLikePostfix) {
  const RetryPolicy p;                                      // 300 s … 4000 s
  EXPECT_EQ(next_try_after(T0, T0, p), T0 + 300s);          // first failure at once: minimum
  EXPECT_EQ(next_try_after(T0, T0 + 300s, p), T0 + 600s);   // age 300: wait 300
  EXPECT_EQ(next_try_after(T0, T0 + 600s, p), T0 + 1200s);  // age 600: wait 600 (doubling)
  EXPECT_EQ(next_try_after(T0, T0 + 1200s, p), T0 + 2400s);
  EXPECT_EQ(next_try_after(T0, T0 + 2400s, p), T0 + 2400s + 2400s);
  EXPECT_EQ(next_try_after(T0, T0 + 5000s, p), T0 + 5000s + 4000s);  // capped at the maximum
}

TEST(Schedule, ASequenceOfFailuresFollowsTheBackoffAndEndsAtTheLifetime) {
  RetryPolicy p;
  p.retry_min = 10s;
  p.retry_max = 100s;
  p.lifetime = 500s;
  RecipientStatus r;
  r.address = "bob@hamburger.edu";
  core::ManualClock clock(core::Instant(std::chrono::milliseconds(1'000'000)), T0);
  std::vector<seconds> waits;
  for (int i = 0; i < 50 && r.state == RecipientState::Pending; ++i) {
    clock.advance_to(core::Instant(std::chrono::milliseconds(1'000'000)) + (r.next_try - T0));
    const auto now = clock.wall_now();
    apply(r, attempt_from_reply(0, "connect to mx: Connection refused", "mx[127.0.0.3]:25"), T0, now, p);
    if (r.state == RecipientState::Pending) waits.push_back(r.next_try - now);
  }
  const std::vector<seconds> expected{10s, 10s, 20s, 40s, 80s, 100s, 100s, 100s, 100s};
  EXPECT_EQ(waits, expected);
  EXPECT_EQ(r.state, RecipientState::Failed);
  EXPECT_EQ(r.status, "4.4.7");
  EXPECT_NE(r.last_error.find("Connection refused"), std::string::npos);
  EXPECT_EQ(r.attempts, 10u);  // at 0, 10, 20, 40, 80, 160, 260, 360, 460; 560 is past 500
}

TEST(Schedule, RepliesBecomeVerdicts) {
  auto a = attempt_from_reply(250, "2.0.0 Ok: queued as X", "mx[1.2.3.4]:25");
  EXPECT_EQ(a.verdict, Verdict::Delivered);
  EXPECT_EQ(a.status, "2.0.0");
  a = attempt_from_reply(550, "5.1.1 <bob@x>: Recipient address rejected", "mx");
  EXPECT_EQ(a.verdict, Verdict::Failed);
  EXPECT_EQ(a.status, "5.1.1");
  EXPECT_EQ(a.detail, "550 5.1.1 <bob@x>: Recipient address rejected");
  a = attempt_from_reply(554, "no enhanced code here", "mx");
  EXPECT_EQ(a.status, "5.0.0");
  a = attempt_from_reply(451, "4.3.0 try again\nlater", "mx");
  EXPECT_EQ(a.verdict, Verdict::Deferred);
  EXPECT_EQ(a.status, "4.3.0");
  EXPECT_EQ(a.detail, "451 4.3.0 try again later");
  a = attempt_from_reply(421, "5.0.0 mismatched class", "mx");
  EXPECT_EQ(a.status, "4.0.0");
  a = attempt_from_reply(0, "timed out", "");
  EXPECT_EQ(a.verdict, Verdict::Deferred);
  EXPECT_EQ(a.status, "4.4.1");
}

TEST(Schedule, FinalStatesStay) {
  RecipientStatus r;
  r.state = RecipientState::Delivered;
  apply(r, attempt_from_reply(550, "5.1.1 no", ""), T0, T0, RetryPolicy{});
  EXPECT_EQ(r.state, RecipientState::Delivered);
  EXPECT_EQ(r.attempts, 0u);
}

TEST(Schedule, NextHopsByPreference) {
  std::vector<dns::MxHost> mx{
      {20, "backup.hamburger.edu"}, {10, "mx.hamburger.edu"}, {10, "mx2.hamburger.edu"}};
  auto h = next_hops("hamburger.edu", dns::LookupStatus::Ok, mx);
  ASSERT_EQ(h.kind, NextHops::Kind::Hosts);
  EXPECT_EQ(h.hosts,
            (std::vector<std::string>{"mx.hamburger.edu", "mx2.hamburger.edu", "backup.hamburger.edu"}));
  EXPECT_FALSE(h.implicit);
}

TEST(Schedule, ABackupMxSendsOnlyToBetterOnes) {
  std::vector<dns::MxHost> mx{
      {20, "backup.hamburger.edu"}, {10, "mx.hamburger.edu"}, {30, "last.hamburger.edu"}};
  auto h = next_hops("hamburger.edu", dns::LookupStatus::Ok, mx, "BACKUP.hamburger.edu.");
  ASSERT_EQ(h.kind, NextHops::Kind::Hosts);
  EXPECT_EQ(h.hosts, std::vector<std::string>{"mx.hamburger.edu"});
  h = next_hops("hamburger.edu", dns::LookupStatus::Ok, mx, "mx.hamburger.edu");
  EXPECT_EQ(h.kind, NextHops::Kind::Fail);
  EXPECT_EQ(h.status, "5.4.6");
}

TEST(Schedule, NoMxMeansTheDomainItself) {
  auto h = next_hops("crepes.fr", dns::LookupStatus::NoData, {});
  ASSERT_EQ(h.kind, NextHops::Kind::Hosts);
  EXPECT_TRUE(h.implicit);
  EXPECT_EQ(h.hosts, std::vector<std::string>{"crepes.fr"});
}

TEST(Schedule, NullMxFailsAtOnce) {
  auto h = next_hops("example.com", dns::LookupStatus::Ok, {{0, ""}});
  EXPECT_EQ(h.kind, NextHops::Kind::Fail);
  EXPECT_EQ(h.status, "5.1.10");
}

TEST(Schedule, DnsFailures) {
  auto h = next_hops("nowhere.test", dns::LookupStatus::NxDomain, {});
  EXPECT_EQ(h.kind, NextHops::Kind::Fail);
  EXPECT_EQ(h.status, "5.1.2");
  h = next_hops("hamburger.edu", dns::LookupStatus::TempFail, {});
  EXPECT_EQ(h.kind, NextHops::Kind::Defer);
  EXPECT_EQ(h.status, "4.4.3");
}

TEST(Schedule, DomainOf) {
  EXPECT_EQ(domain_of("bob@Hamburger.EDU"), "hamburger.edu");
  EXPECT_EQ(domain_of("\"a@b\"@crepes.fr."), "crepes.fr");
  EXPECT_EQ(domain_of("postmaster"), "");
}

}  // namespace
}  // namespace endhost::mail::queue
