// Sessions (ids, CSRF tokens, the idle and absolute timeouts, the bounds), the cookie the webmail sets,
// the token comparison, and the login limiter's window, with the clock passed in.
#include <gtest/gtest.h>

#include <array>

#include "mail/webmail/login_limiter.hpp"
#include "mail/webmail/session_table.hpp"

namespace endhost::mail::webmail {
namespace {

using namespace std::chrono_literals;

std::array<std::uint8_t, 32> random_bytes(std::uint8_t seed) {
  std::array<std::uint8_t, 32> a{};
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::uint8_t>(seed * 31 + i * 7);
  return a;
}

TEST(SessionTable, CreatesIdAndTokenFromTheRandomBytes) {
  SessionTable t;
  const SessionInfo s = t.create("bob", random_bytes(1), 0ms);
  EXPECT_TRUE(valid_token(s.id));
  EXPECT_TRUE(valid_token(s.csrf));
  EXPECT_NE(s.id, s.csrf);
  auto found = t.touch(s.id, 1000ms);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user, "bob");
  EXPECT_EQ(found->csrf, s.csrf);
  EXPECT_FALSE(t.touch("0123456789abcdef0123456789abcdef", 1000ms));
  EXPECT_FALSE(t.touch("not-a-token", 1000ms));
  EXPECT_FALSE(t.touch(s.id.substr(0, 31) + "G", 1000ms));
}

TEST(SessionTable, IdleTimeoutEndsASessionAndUseExtendsIt) {
  SessionLimits l;
  l.idle = 1000ms;
  l.absolute = 1'000'000ms;
  SessionTable t(l);
  const SessionInfo s = t.create("bob", random_bytes(2), 0ms);
  EXPECT_TRUE(t.touch(s.id, 900ms));
  EXPECT_TRUE(t.touch(s.id, 1800ms));  // 900 ms after the last use
  EXPECT_TRUE(t.alive(s.id, 2700ms));
  EXPECT_FALSE(t.alive(s.id, 2800ms));  // alive() is not a use
  EXPECT_FALSE(t.touch(s.id, 2800ms));
  EXPECT_EQ(t.size(), 0u);  // forgotten
}

TEST(SessionTable, AbsoluteTimeoutEndsEvenABusySession) {
  SessionLimits l;
  l.idle = 1000ms;
  l.absolute = 3000ms;
  SessionTable t(l);
  const SessionInfo s = t.create("bob", random_bytes(3), 0ms);
  for (int ms = 500; ms < 3000; ms += 500) EXPECT_TRUE(t.touch(s.id, std::chrono::milliseconds(ms)));
  EXPECT_FALSE(t.touch(s.id, 3000ms));
}

TEST(SessionTable, LogoutAndTheSessionBound) {
  SessionLimits l;
  l.max_sessions = 2;
  SessionTable t(l);
  const SessionInfo a = t.create("a", random_bytes(4), 0ms);
  const SessionInfo b = t.create("b", random_bytes(5), 10ms);
  EXPECT_TRUE(t.touch(a.id, 20ms));  // b is now the least recently used
  const SessionInfo c = t.create("c", random_bytes(6), 30ms);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_TRUE(t.touch(a.id, 40ms));
  EXPECT_FALSE(t.touch(b.id, 40ms));
  EXPECT_TRUE(t.remove(c.id));
  EXPECT_FALSE(t.touch(c.id, 50ms));
}

TEST(SessionTable, StreamsPerSessionAreBounded) {
  SessionLimits l;
  l.max_streams = 2;
  SessionTable t(l);
  const SessionInfo s = t.create("bob", random_bytes(7), 0ms);
  EXPECT_TRUE(t.acquire_stream(s.id));
  EXPECT_TRUE(t.acquire_stream(s.id));
  EXPECT_FALSE(t.acquire_stream(s.id));
  t.release_stream(s.id);
  EXPECT_TRUE(t.acquire_stream(s.id));
  EXPECT_FALSE(t.acquire_stream("ffffffffffffffffffffffffffffffff"));
}

TEST(Tokens, CompareWhole) {
  EXPECT_TRUE(tokens_equal("abc", "abc"));
  EXPECT_FALSE(tokens_equal("abc", "abd"));
  EXPECT_FALSE(tokens_equal("abc", "ab"));
  EXPECT_FALSE(tokens_equal("", "a"));
  EXPECT_TRUE(tokens_equal("", ""));  // callers check that a token was sent: an empty csrf never matches one
}

TEST(Cookie, HttpOnlyStrictAndSecureOverTls) {
  EXPECT_EQ(session_cookie("0123", false), "endhost_webmail=0123; Path=/; HttpOnly; SameSite=Strict");
  EXPECT_EQ(session_cookie("0123", true), "endhost_webmail=0123; Path=/; HttpOnly; SameSite=Strict; Secure");
  EXPECT_EQ(session_cookie("", false), "endhost_webmail=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

TEST(LoginLimiter, FiveFailuresAMinuteThenWait) {
  LoginLimiter l;
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(l.retry_after("a:1.2.3.4", std::chrono::milliseconds(i * 1000)));
    l.failed("a:1.2.3.4", std::chrono::milliseconds(i * 1000));
  }
  auto wait = l.retry_after("a:1.2.3.4", 5000ms);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 55000ms);                         // until the first failure is a minute old
  EXPECT_FALSE(l.retry_after("a:5.6.7.8", 5000ms));  // other keys are not affected
  EXPECT_FALSE(l.retry_after("a:1.2.3.4", 60000ms));
  l.failed("a:1.2.3.4", 60000ms);  // four in the window again, plus this one: five
  EXPECT_TRUE(l.retry_after("a:1.2.3.4", 60001ms));
}

TEST(LoginLimiter, SuccessForgetsAndKeysAreBounded) {
  LoginLimits limits;
  limits.max_keys = 3;
  LoginLimiter l(limits);
  for (int i = 0; i < 5; ++i) l.failed("u:bob", 0ms);
  EXPECT_TRUE(l.retry_after("u:bob", 1ms));
  l.succeeded("u:bob");
  EXPECT_FALSE(l.retry_after("u:bob", 1ms));
  for (int i = 0; i < 10; ++i) l.failed("k" + std::to_string(i), std::chrono::milliseconds(i));
  EXPECT_LE(l.keys(), 3u);
}

}  // namespace
}  // namespace endhost::mail::webmail
