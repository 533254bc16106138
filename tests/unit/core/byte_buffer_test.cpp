#include "core/byte_buffer.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <string_view>

namespace endhost::core {
namespace {

// Copies `text` into the buffer through read_space/commit, as a socket read would.
std::size_t receive(ByteBuffer& b, std::string_view text, std::size_t min = 1) {
  auto space = b.read_space(min);
  if (!space) return 0;
  const std::size_t n = std::min(space->size(), text.size());
  std::memcpy(space->data(), text.data(), n);
  b.commit(n);
  return n;
}

TEST(ByteBuffer, StartsEmptyAndAllocatesOnFirstRead) {
  ByteBuffer b(1024, 64);
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.capacity(), 0u);
  EXPECT_EQ(receive(b, "hello"), 5u);
  EXPECT_EQ(b.capacity(), 64u);
  EXPECT_EQ(b.readable(), "hello");
}

TEST(ByteBuffer, ConsumeFromTheFrontAndEmptyResetsToTheStart) {
  ByteBuffer b(1024, 64);
  receive(b, "GET / HTTP/1.1\r\n");
  b.consume(4);
  EXPECT_EQ(b.readable(), "/ HTTP/1.1\r\n");
  b.consume(b.size());
  EXPECT_TRUE(b.empty());
  // All the storage is free again without a copy.
  auto space = b.read_space(1);
  ASSERT_TRUE(space);
  EXPECT_EQ(space->size(), b.capacity());
}

TEST(ByteBuffer, CompactsBeforeGrowing) {
  ByteBuffer b(64, 64);
  receive(b, std::string(60, 'a'));
  b.consume(50);
  EXPECT_EQ(receive(b, std::string(40, 'b'), 40), 40u);  // fits only after the ten bytes moved to the start
  EXPECT_EQ(b.capacity(), 64u);
  EXPECT_EQ(b.readable(), std::string(10, 'a') + std::string(40, 'b'));
}

TEST(ByteBuffer, DoesNotCompactWhileThereIsRoom) {
  ByteBuffer b(64, 64);
  receive(b, "abcdef");
  b.consume(3);
  const char* before = b.readable().data();
  EXPECT_EQ(receive(b, "gh"), 2u);
  EXPECT_EQ(b.readable().data(), before);  // views into the buffer stay valid
  EXPECT_EQ(b.readable(), "defgh");
}

TEST(ByteBuffer, GrowsByDoublingButNeverPastTheMaximum) {
  ByteBuffer b(100, 16);
  receive(b, std::string(16, 'x'));
  EXPECT_EQ(b.capacity(), 16u);
  receive(b, std::string(16, 'x'), 8);
  EXPECT_EQ(b.capacity(), 32u);
  receive(b, std::string(16, 'x'), 8);
  EXPECT_EQ(b.capacity(), 64u);
  while (receive(b, std::string(16, 'x'), 8) > 0) {
  }
  EXPECT_EQ(b.capacity(), 100u);
  EXPECT_EQ(b.size(), 100u);
}

TEST(ByteBuffer, GivesTheRestBelowTheMaximumEvenWhenLessThanAsked) {
  ByteBuffer b(10, 8);
  receive(b, "12345678");
  auto space = b.read_space(4096);
  ASSERT_TRUE(space);
  EXPECT_EQ(space->size(), 2u);
}

TEST(ByteBuffer, FullIsAnErrorValueNamingTheMaximum) {
  ByteBuffer b(8, 8);
  receive(b, "12345678");
  auto space = b.read_space();
  ASSERT_FALSE(space);
  EXPECT_EQ(space.error().max, 8u);
  // Consuming makes room again.
  b.consume(1);
  EXPECT_TRUE(b.read_space(1));
}

TEST(ByteBuffer, ReserveAllocatesOnceUpToTheMaximum) {
  ByteBuffer b(4096, 16);
  b.reserve(1 << 20);
  EXPECT_EQ(b.capacity(), 4096u);
  receive(b, "abc");
  b.reserve(8192);
  EXPECT_EQ(b.capacity(), 4096u);
  EXPECT_EQ(b.readable(), "abc");
}

TEST(ByteBuffer, GrowingKeepsTheUnconsumedBytes) {
  ByteBuffer b(1024, 8);
  receive(b, "abcdefgh");
  b.consume(2);
  EXPECT_EQ(receive(b, std::string(20, 'z'), 20), 20u);
  EXPECT_EQ(b.readable(), "cdefgh" + std::string(20, 'z'));
}

TEST(ByteBuffer, ReadableBytesIsTheSameRange) {
  ByteBuffer b(64, 64);
  receive(b, std::string("\x00\x05query", 7));
  b.consume(1);
  const auto bytes = b.readable_bytes();
  ASSERT_EQ(bytes.size(), 6u);
  EXPECT_EQ(bytes[0], 5u);
  EXPECT_EQ(static_cast<const void*>(bytes.data()), static_cast<const void*>(b.readable().data()));
}

TEST(ByteBuffer, ClearDropsEverything) {
  ByteBuffer b(64, 64);
  receive(b, "abc");
  b.clear();
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.readable(), "");
}

}  // namespace
}  // namespace endhost::core
