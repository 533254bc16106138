// SendWindow and ReceiveWindow: RFC 9113 §6.9's accounting, its limits, and when credit goes back.
#include <gtest/gtest.h>

#include "http2/flow_window.hpp"

namespace endhost::http2 {
namespace {

TEST(Http2SendWindow, AllowanceAndConsume) {
  SendWindow w;
  EXPECT_EQ(w.available(), 65535);
  EXPECT_EQ(w.allowance(100000), 65535);
  EXPECT_EQ(w.allowance(10), 10);
  w.consume(65535);
  EXPECT_EQ(w.allowance(1), 0);
  ASSERT_TRUE(w.grant(16384));
  EXPECT_EQ(w.allowance(100000), 16384);
}

TEST(Http2SendWindow, GrantPastTheMaximumIsRefused) {  // §6.9.1
  SendWindow w;
  EXPECT_TRUE(w.grant(kMaxWindow - 65535));
  EXPECT_EQ(w.available(), kMaxWindow);
  EXPECT_FALSE(w.grant(1));
  EXPECT_EQ(w.available(), kMaxWindow);
}

TEST(Http2SendWindow, SettingsCanMakeItNegative) {  // §6.9.2
  SendWindow w;
  w.consume(60000);
  ASSERT_TRUE(w.adjust(16384 - 65535));  // the peer lowered INITIAL_WINDOW_SIZE to 16384
  EXPECT_LT(w.available(), 0);
  EXPECT_EQ(w.allowance(100), 0);
  ASSERT_TRUE(w.grant(50000));
  EXPECT_EQ(w.available(), 16384 - 60000 + 50000);
  EXPECT_FALSE(w.adjust(kMaxWindow));
}

TEST(Http2ReceiveWindow, OverrunIsAFlowControlError) {
  ReceiveWindow w(1000);
  EXPECT_TRUE(w.receive(600));
  EXPECT_FALSE(w.receive(401));
  EXPECT_TRUE(w.receive(400));
  EXPECT_EQ(w.available(), 0);
}

TEST(Http2ReceiveWindow, CreditReturnsAfterHalf) {
  ReceiveWindow w(1000);
  ASSERT_TRUE(w.receive(800));
  w.release(300);
  EXPECT_EQ(w.take_update(), 0);  // not yet half the window
  w.release(300);
  EXPECT_EQ(w.take_update(), 600);
  EXPECT_EQ(w.available(), 800);
  EXPECT_EQ(w.take_update(), 0);
}

TEST(Http2ReceiveWindow, ResizeGrantsTheDifference) {
  ReceiveWindow w;
  ASSERT_TRUE(w.receive(65535));
  w.resize(1 << 20);
  EXPECT_EQ(w.available(), (1 << 20) - 65535);
  EXPECT_EQ(w.size(), 1 << 20);
}

}  // namespace
}  // namespace endhost::http2
