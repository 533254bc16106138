// The envelope file round-trips every field, including addresses and errors with spaces, '%' and '-', and
// a cut or damaged file is refused rather than half-read.
#include "mail/queue/queue_entry.hpp"

#include <gtest/gtest.h>

namespace endhost::mail::queue {
namespace {

QueueEntry sample() {
  QueueEntry e;
  e.id = "656A1B2C0A1B2C3D";
  e.size = 1234;
  e.arrival = core::WallTime(std::chrono::seconds(1'700'000'000));
  e.sender = "alice@crepes.fr";
  e.smtputf8 = true;
  RecipientStatus a;
  a.address = "\"bob smith\"@hamburger.edu";
  a.attempts = 2;
  a.next_try = core::WallTime(std::chrono::seconds(1'700'000'600));
  a.status = "4.4.1";
  a.remote = "mx.hamburger.edu[127.0.0.3]:25";
  a.last_error = "connect to mx.hamburger.edu[127.0.0.3]:25: Connection refused (100% sure)";
  RecipientStatus b;
  b.address = "-";
  b.state = RecipientState::Failed;
  b.last_error = "550 5.1.1 no\nsuch user";
  RecipientStatus c;
  c.address = "zoë@hamburger.edu";
  c.state = RecipientState::Delivered;
  e.recipients = {a, b, c};
  return e;
}

TEST(QueueEntry, RoundTrips) {
  const QueueEntry e = sample();
  auto back = decode_entry(encode_entry(e));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(*back, e);
}

TEST(QueueEntry, EmptySenderIsTheNullPath) {
  QueueEntry e = sample();
  e.sender = "";
  e.bounced = true;
  auto back = decode_entry(encode_entry(e));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->sender, "");
  EXPECT_TRUE(back->bounced);
}

TEST(QueueEntry, RefusesCutAndDamagedFiles) {
  const std::string text = encode_entry(sample());
  // Every proper prefix is refused: a torn write never reads as a smaller state.
  for (std::size_t n = 0; n < text.size(); ++n) EXPECT_FALSE(decode_entry(text.substr(0, n))) << n;
  EXPECT_FALSE(decode_entry("endhost-queue 2\n"));
  std::string bad = text;
  bad.replace(bad.find("rcpt pending"), 12, "rcpt waiting");
  EXPECT_FALSE(decode_entry(bad));
  EXPECT_FALSE(decode_entry(text + "rcpt pending 0 0 - - - x@y\n"));
}

TEST(QueueEntry, NextTryIsTheEarliestPending) {
  QueueEntry e = sample();
  ASSERT_TRUE(e.next_try());
  EXPECT_EQ(*e.next_try(), core::WallTime(std::chrono::seconds(1'700'000'600)));
  EXPECT_FALSE(e.finished());
  e.recipients[0].state = RecipientState::Delivered;
  EXPECT_FALSE(e.next_try());
  EXPECT_TRUE(e.finished());
}

TEST(QueueEntry, ValidIds) {
  EXPECT_TRUE(valid_queue_id("656A1B2C0A1B2C3D"));
  EXPECT_TRUE(valid_queue_id("656A1B2C0A1B2C3DB"));
  EXPECT_TRUE(valid_queue_id("656A1B2C0A1B2C3DBB"));
  EXPECT_FALSE(valid_queue_id("../etc/passwd"));
  EXPECT_FALSE(valid_queue_id("656a1b2c0a1b2c3d"));
  EXPECT_FALSE(valid_queue_id("ABC"));
  EXPECT_FALSE(valid_queue_id(""));
}

}  // namespace
}  // namespace endhost::mail::queue
