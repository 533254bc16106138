// The session-ticket key ring's rotation: one key seals until its rotation is due, the one before still
// opens (and asks for a renewed ticket), anything older or unknown does not.
#include "core/tls_ticket_keys.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace endhost::core {
namespace {

using std::chrono::minutes;

bool same(const TicketKey& a, const TicketKey& b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

TEST(TicketKeys, OneKeySealsAndOpensUntilItsRotation) {
  TicketKeys ring(minutes(60));
  const auto t0 = TicketKeys::clock::time_point{} + minutes(1000);
  TicketKey a, b, opened;
  ASSERT_TRUE(ring.sealing(t0, a));
  ASSERT_TRUE(ring.sealing(t0 + minutes(59), b));
  EXPECT_TRUE(same(a, b));
  bool renew = true;
  ASSERT_TRUE(ring.opening(a.name, t0 + minutes(59), opened, renew));
  EXPECT_TRUE(same(a, opened));
  EXPECT_FALSE(renew);
  unsigned char unknown[16] = {};
  EXPECT_FALSE(ring.opening(unknown, t0 + minutes(59), opened, renew));
}

TEST(TicketKeys, ThePreviousKeyOpensAndRenewsThenExpires) {
  TicketKeys ring(minutes(60));
  const auto t0 = TicketKeys::clock::time_point{} + minutes(1000);
  TicketKey first, second, opened;
  ASSERT_TRUE(ring.sealing(t0, first));
  ASSERT_TRUE(ring.sealing(t0 + minutes(61), second));  // rotated
  EXPECT_FALSE(same(first, second));
  EXPECT_NE(std::memcmp(first.name, second.name, sizeof first.name), 0);
  bool renew = false;
  ASSERT_TRUE(ring.opening(first.name, t0 + minutes(62), opened, renew));
  EXPECT_TRUE(same(first, opened));
  EXPECT_TRUE(renew);
  // The next rotation drops the first key.
  ASSERT_TRUE(ring.opening(second.name, t0 + minutes(122), opened, renew));
  EXPECT_TRUE(renew);  // second is the previous one now
  EXPECT_FALSE(ring.opening(first.name, t0 + minutes(122), opened, renew));
}

TEST(TicketKeys, AfterTwoIdleRotationsNoOldKeyOpens) {
  TicketKeys ring(minutes(60));
  const auto t0 = TicketKeys::clock::time_point{} + minutes(1000);
  TicketKey first, opened;
  ASSERT_TRUE(ring.sealing(t0, first));
  bool renew = false;
  EXPECT_FALSE(ring.opening(first.name, t0 + minutes(121), opened, renew));
}

}  // namespace
}  // namespace endhost::core
