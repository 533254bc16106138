// RFC 9111 §4, §4.2.4, §5.2.1, §5.2.2 and RFC 5861: when a stored response answers a request.
#include <gtest/gtest.h>

#include "http/cache/entry.hpp"
#include "http/cache/reuse.hpp"

using namespace endhost::http;
using namespace endhost::http::cache;
using namespace std::chrono_literals;

namespace {

const Time t0 = from_time_t(1'700'000'000);

// A response received at t0, fresh for `max_age` seconds, with extra directives.
EntryInfo entry(std::string_view response_cc) {
  Fields f{{"Cache-Control", std::string(response_cc)}, {"ETag", "\"a\""}};
  return analyze_response(Status::ok, f, t0, t0);
}

ReuseDecision decide(std::string_view response_cc, std::string_view request_cc, Duration after) {
  CacheControl req;
  add_cache_control(req, request_cc);
  return decide_reuse(entry(response_cc), req, t0 + after);
}

bool on_error(std::string_view response_cc, std::string_view request_cc, Duration after) {
  CacheControl req;
  add_cache_control(req, request_cc);
  return may_serve_stale_on_error(entry(response_cc), req, t0 + after);
}

}  // namespace

TEST(Reuse, Rfc9111_4_2_FreshResponseIsServed) {
  auto d = decide("max-age=60", "", 10s);
  EXPECT_EQ(d.action, Reuse::fresh);
  EXPECT_EQ(d.age, 10s);
  EXPECT_EQ(d.ttl, 50s);
}

TEST(Reuse, Rfc9111_4_2_StaleResponseIsValidated) {
  auto d = decide("max-age=60", "", 61s);
  EXPECT_EQ(d.action, Reuse::validate);
  EXPECT_EQ(d.ttl, -1s);
  EXPECT_EQ(decide("max-age=60", "", 60s).action, Reuse::validate);  // fresh means lifetime > age
}

TEST(Reuse, Rfc9111_5_2_1_4_RequestNoCacheForcesValidation) {
  EXPECT_EQ(decide("max-age=60", "no-cache", 0s).action, Reuse::validate);
}

TEST(Reuse, Rfc9111_5_2_2_4_ResponseNoCacheForcesValidationEvenWhenFresh) {
  EXPECT_EQ(decide("max-age=60, no-cache", "", 0s).action, Reuse::validate);
  // The qualified form does not: the listed fields are left out instead.
  EXPECT_EQ(decide("max-age=60, no-cache=\"set-cookie\"", "", 0s).action, Reuse::fresh);
}

TEST(Reuse, Rfc9111_5_2_1_1_RequestMaxAge) {
  EXPECT_EQ(decide("max-age=600", "max-age=30", 20s).action, Reuse::fresh);
  EXPECT_EQ(decide("max-age=600", "max-age=30", 31s).action, Reuse::validate);
  EXPECT_EQ(decide("max-age=600", "max-age=0", 1s).action, Reuse::validate);
}

TEST(Reuse, Rfc9111_5_2_1_3_RequestMinFresh) {
  EXPECT_EQ(decide("max-age=60", "min-fresh=30", 20s).action, Reuse::fresh);
  EXPECT_EQ(decide("max-age=60", "min-fresh=30", 40s).action, Reuse::validate);
}

TEST(Reuse, Rfc9111_5_2_1_2_RequestMaxStale) {
  EXPECT_EQ(decide("max-age=60", "max-stale=30", 80s).action, Reuse::stale_ok);
  EXPECT_EQ(decide("max-age=60", "max-stale=30", 100s).action, Reuse::validate);
  EXPECT_EQ(decide("max-age=60", "max-stale", 100000s).action, Reuse::stale_ok);
}

TEST(Reuse, Rfc9111_5_2_2_2_MustRevalidateForbidsStaleServing) {
  EXPECT_EQ(decide("max-age=60, must-revalidate", "max-stale", 80s).action, Reuse::validate);
  EXPECT_EQ(decide("max-age=60, must-revalidate", "", 30s).action, Reuse::fresh);
}

TEST(Reuse, Rfc9111_5_2_2_8_ProxyRevalidateForbidsStaleServingInSharedCaches) {
  EXPECT_EQ(decide("max-age=60, proxy-revalidate", "max-stale", 80s).action, Reuse::validate);
}

TEST(Reuse, Rfc9111_5_2_2_10_SMaxAgeImpliesProxyRevalidate) {
  EXPECT_EQ(decide("s-maxage=60", "max-stale", 80s).action, Reuse::validate);
}

TEST(Reuse, Rfc5861_3_StaleWhileRevalidate) {
  EXPECT_EQ(decide("max-age=60, stale-while-revalidate=30", "", 70s).action, Reuse::stale_revalidate);
  EXPECT_EQ(decide("max-age=60, stale-while-revalidate=30", "", 91s).action, Reuse::validate);
  EXPECT_EQ(decide("max-age=60, stale-while-revalidate=30, must-revalidate", "", 70s).action,
            Reuse::validate);
}

TEST(Reuse, Rfc5861_4_StaleIfError) {
  EXPECT_TRUE(on_error("max-age=60, stale-if-error=100", "", 150s));
  EXPECT_FALSE(on_error("max-age=60, stale-if-error=100", "", 161s));
  EXPECT_FALSE(on_error("max-age=60", "", 61s));
  // The request may allow it too.
  EXPECT_TRUE(on_error("max-age=60", "stale-if-error=30", 80s));
  EXPECT_TRUE(on_error("max-age=60", "max-stale", 1000s));
}

TEST(Reuse, Rfc9111_4_2_4_StaleIfErrorCannotOverrideMustRevalidate) {
  EXPECT_FALSE(on_error("max-age=60, stale-if-error=100, must-revalidate", "", 70s));
  EXPECT_FALSE(on_error("max-age=60, stale-if-error=100, no-cache", "", 70s));
  EXPECT_FALSE(on_error("s-maxage=60, stale-if-error=100", "", 70s));
}

namespace {
bool disconnected(std::string_view response_cc, std::string_view request_cc, Duration after) {
  CacheControl req;
  add_cache_control(req, request_cc);
  return may_serve_stale_disconnected(entry(response_cc), req, t0 + after);
}
}  // namespace

TEST(Reuse, Rfc9111_4_2_4_ADisconnectedCacheServesStaleUnlessForbidden) {
  // No directive needed: the origin could not be reached (closed, reset, timed out).
  EXPECT_TRUE(disconnected("max-age=60", "", 3600s));
  EXPECT_FALSE(on_error("max-age=60", "", 3600s));  // a 5xx answer is not a disconnection
  // The response forbids stale answers; stale-if-error cannot lift that.
  EXPECT_FALSE(disconnected("max-age=60, must-revalidate", "", 70s));
  EXPECT_FALSE(disconnected("max-age=60, proxy-revalidate", "", 70s));
  EXPECT_FALSE(disconnected("max-age=60, no-cache", "", 70s));
  EXPECT_FALSE(disconnected("s-maxage=60", "", 70s));
  EXPECT_FALSE(disconnected("s-maxage=60, stale-if-error=100", "", 70s));
  // The client asked for a validated answer, unless it also accepts stale ones.
  EXPECT_FALSE(disconnected("max-age=60", "no-cache", 70s));
  EXPECT_FALSE(disconnected("max-age=60", "max-age=0", 70s));
  EXPECT_FALSE(disconnected("max-age=60", "min-fresh=10", 70s));
  EXPECT_TRUE(disconnected("max-age=60", "max-age=0, stale-if-error=100", 70s));
}
