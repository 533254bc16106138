// The HTTP/2 attacks the connection's budgets end (connection_config.hpp): rapid reset, the floods of frames
// that do no work, CONTINUATION floods, HPACK bombs, a client that does not read, each with its GOAWAY code
// and the connection's memory bounded.
#include <gtest/gtest.h>

#include "harness.hpp"
#include "http2/hpack/integer.hpp"

namespace endhost::http2::test {
namespace {

using http::FieldView;

constexpr std::size_t kMemoryBound = 2u << 20;  // what an attack may add to the heap, at most

// Sends `frame` `times` times, each in its own receive(), reading the output after each (the client reads
// everything: the budgets, not the output queue, must end it). Stops at the connection's end.
template <class MakeFrame>
int flood(Client& c, int times, MakeFrame&& make, bool read = true) {
  for (int i = 0; i < times; ++i) {
    c.send_frame(make(i));
    if (read) c.read();
    if (c.conn->closing()) return i + 1;
  }
  return times;
}

TEST(Http2ConnectionAttacks, RapidResetIsEnhanceYourCalm) {
  Client c;
  c.start();
  const std::size_t heap = heap_in_use();
  int opened = 0;
  for (std::uint32_t id = 1; id < 20000 && !c.conn->closing(); id += 2) {
    std::string b;
    const std::string blk = c.block(Client::get_fields("/r"));
    append_frame(b, Headers{id, blk, true, true, std::nullopt, std::nullopt});
    append_frame(b, RstStream{id, ErrorCode::cancel});
    c.send(b);
    ++opened;
    EXPECT_LE(c.conn->open_streams(), 1u);
    if (opened % 64 == 0) c.read();
  }
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::enhance_your_calm);
  EXPECT_LT(opened, 1000) << "the reset budget is 200";
  EXPECT_LT(heap_in_use(), heap + kMemoryBound);
}

TEST(Http2ConnectionAttacks, RapidResetOfAnsweredStreamsIsEnhanceYourCalm) {
  // The handler answers at once (headers and a body that is still queued): the reset throws work away.
  Client c;
  c.start();
  c.handler.on_request_hook = [&](std::uint32_t stream, const http::RequestHead&, bool) {
    c.conn->submit_headers(stream, 200, {}, false);
    c.conn->submit_data(stream, std::string(1000, 'x'), true);
  };
  int opened = 0;
  for (std::uint32_t id = 1; id < 20000 && !c.conn->closing(); id += 2) {
    c.get(id);
    c.rst(id);
    ++opened;
  }
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::enhance_your_calm);
  EXPECT_LT(opened, 1000);
}

TEST(Http2ConnectionAttacks, ABrowserCancellingSomeImagesIsFine) {
  Client c;
  c.start();
  for (std::uint32_t id = 1; id < 2 * 150; id += 2) {
    c.get(id);
    c.rst(id);
    c.advance(core::Millis(100));
    c.read();
  }
  EXPECT_EQ(c.goaway(), nullptr);
}

TEST(Http2ConnectionAttacks, PingFloodIsEnhanceYourCalm) {
  Client c;
  c.start();
  const std::size_t heap = heap_in_use();
  const int n = flood(c, 10000, [](int i) { return Ping{false, {static_cast<std::uint8_t>(i)}}; });
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::enhance_your_calm);
  EXPECT_LT(n, 1100);
  EXPECT_LT(heap_in_use(), heap + kMemoryBound);
}

TEST(Http2ConnectionAttacks, SettingsFloodIsEnhanceYourCalm) {
  Client c;
  c.start();
  const int n = flood(c, 10000, [](int) { return SettingsFrame{false, {}}; });
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::enhance_your_calm);
  EXPECT_LT(n, 1100);
}

TEST(Http2ConnectionAttacks, SettingsFloodWithoutReadingIsEnhanceYourCalm) {
  Client c;
  c.start();
  const int n = flood(
      c, 10000,
      [](int) {
        return SettingsFrame{false, {}};
      },
      false);
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::enhance_your_calm);
  EXPECT_LT(n, 1100);
}

TEST(Http2ConnectionAttacks, EmptyDataFloodIsEnhanceYourCalm) {
  Client c;
  c.start();
  c.headers(1, Client::get_fields("/", "POST"), false);
  const int n = flood(c, 10000, [](int) { return Data{1, {}, false, std::nullopt}; });
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::enhance_your_calm);
  EXPECT_LT(n, 1100);
}

TEST(Http2ConnectionAttacks, EmptyContinuationFloodIsEnhanceYourCalm) {
  Client c;
  c.start();
  const std::string blk = c.block(Client::get_fields());
  c.send_frame(Headers{1, std::string_view(blk).substr(0, 2), true, false, std::nullopt, std::nullopt});
  const int n = flood(c, 10000, [](int) { return Continuation{1, {}, false}; });
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::enhance_your_calm);
  EXPECT_LT(n, 1100);
}

TEST(Http2ConnectionAttacks, MalformedRequestsWithoutReadingAreBounded) {
  // CVE-2019-9514, reset flood: requests that each earn a RST_STREAM (here HEADERS with an empty block,
  // malformed), from a client that never reads them. The queue of RST_STREAMs stays bounded.
  Client c;
  c.start();
  const std::size_t heap = heap_in_use();
  int n = 0;
  for (std::uint32_t id = 1; id < 40000 && !c.conn->closing(); id += 2) {
    c.send_frame(Headers{id, {}, true, true, std::nullopt, std::nullopt});
    ++n;
  }
  EXPECT_TRUE(c.conn->closing()) << "after " << n << " empty requests";
  Output out;
  c.conn->take_output(out);
  EXPECT_LT(out.bytes.size(), 64u * 1024 + 200);
  c.parse(out);
  EXPECT_EQ(c.goaway_code(), ErrorCode::enhance_your_calm);
  EXPECT_LT(heap_in_use(), heap + kMemoryBound);
}

TEST(Http2ConnectionAttacks, ContinuationFloodPastMaxFieldBlock) {
  Client c;
  c.start();
  const std::size_t heap = heap_in_use();
  const std::string garbage(16384, 'g');
  c.send_frame(Headers{1, garbage, true, false, std::nullopt, std::nullopt});
  const int n = flood(c, 10000, [&](int) { return Continuation{1, garbage, false}; });
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::enhance_your_calm);
  EXPECT_LE(n, 8) << "128 KiB of block";
  EXPECT_LT(heap_in_use(), heap + kMemoryBound);
}

TEST(Http2ConnectionAttacks, HeaderListOverTheLimitGets431AndTheConnectionGoesOn) {
  Client c;
  c.start();
  Fields f = Client::get_fields("/big");
  for (int i = 0; i < 20; ++i) f.emplace_back("x-filler-" + std::to_string(i), std::string(4000, 'f'));
  c.headers_block(1, c.block(f), true);
  c.read_all();
  ASSERT_NE(c.response(1), nullptr);
  EXPECT_EQ(c.response(1)->field(":status"), "431");
  EXPECT_TRUE(c.ended(1));
  EXPECT_EQ(c.handler.count(Event::request), 0u);
  EXPECT_EQ(c.handler.count(Event::reset), 0u);
  EXPECT_EQ(c.goaway(), nullptr);
  EXPECT_EQ(c.conn->open_streams(), 0u);
  c.get(3, "/after");
  ASSERT_EQ(c.handler.count(Event::request, 3), 1u);
  EXPECT_EQ(c.handler.of(Event::request, 3)[0]->target, "/after");
}

TEST(Http2ConnectionAttacks, HeaderListOverTheLimitWithABodyGets431) {
  Client c;
  c.start();
  Fields f = Client::get_fields("/big", "POST");
  for (int i = 0; i < 20; ++i) f.emplace_back("x-filler-" + std::to_string(i), std::string(4000, 'f'));
  c.headers_block(1, c.block(f), false);
  c.data(1, std::string(10000, 'b'), false);
  c.data(1, std::string(10000, 'b'), true);
  c.read_all();
  ASSERT_NE(c.response(1), nullptr);
  EXPECT_EQ(c.response(1)->field(":status"), "431");
  EXPECT_EQ(c.handler.count(Event::chunk), 0u);
  EXPECT_EQ(c.goaway(), nullptr);
  EXPECT_EQ(c.conn->open_streams(), 0u);
}

// A block that puts a 4000-octet field in the dynamic table and then refers to it `refs` times: a few hundred
// octets on the wire, megabytes decoded.
std::string hpack_bomb(int refs) {
  std::string b;
  for (const auto& [n, v] : Client::get_fields()) {
    hpack::encode_integer(b, 0x00, 4, 0);
    hpack::encode_integer(b, 0x00, 7, static_cast<std::uint32_t>(n.size()));
    b += n;
    hpack::encode_integer(b, 0x00, 7, static_cast<std::uint32_t>(v.size()));
    b += v;
  }
  const std::string name = "x-bomb", value(4000, 'B');
  hpack::encode_integer(b, 0x40, 6, 0);
  hpack::encode_integer(b, 0x00, 7, static_cast<std::uint32_t>(name.size()));
  b += name;
  hpack::encode_integer(b, 0x00, 7, static_cast<std::uint32_t>(value.size()));
  b += value;
  for (int i = 0; i < refs; ++i) hpack::encode_integer(b, 0x80, 7, 62);
  return b;
}

TEST(Http2ConnectionAttacks, HpackBombGets431AndTheConnectionGoesOn) {
  Client c;
  c.start();
  const std::size_t heap = heap_in_use();
  const std::string bomb = hpack_bomb(5000);  // 20 MB decoded
  ASSERT_LT(bomb.size(), 16384u);
  c.headers_block(1, bomb, true);
  c.read_all();
  ASSERT_NE(c.response(1), nullptr);
  EXPECT_EQ(c.response(1)->field(":status"), "431");
  EXPECT_EQ(c.goaway(), nullptr);
  EXPECT_LT(heap_in_use(), heap + kMemoryBound);
  // The table stayed in step (the bomb's entry is the oldest, evicted by the client encoder's own).
  Fields f = Client::get_fields("/after");
  f.emplace_back("x-next", "1");
  c.headers(3, f, true);
  ASSERT_EQ(c.handler.count(Event::request, 3), 1u) << c.handler.log();
  EXPECT_EQ(c.handler.of(Event::request, 3)[0]->target, "/after");
  EXPECT_EQ(c.handler.of(Event::request, 3)[0]->fields, (Fields{{"x-next", "1"}}));
}

TEST(Http2ConnectionAttacks, HpackGarbageIsCompressionError) {
  for (std::string garbage : {std::string("\x80", 1), std::string("\xff\xff\xff\xff\xff\xff\x7f", 7),
                              std::string("\x40\x05"
                                          "ab",
                                          4),
                              std::string("\x3f\xe1\x7f", 3)}) {
    Client c;
    c.start();
    c.send_frame(Headers{1, garbage, true, true, std::nullopt, std::nullopt});
    c.read();
    EXPECT_EQ(c.goaway_code(), ErrorCode::compression_error);
    EXPECT_EQ(c.handler.count(Event::request), 0u);
  }
}

TEST(Http2ConnectionAttacks, ClientThatDoesNotReadIsEnhanceYourCalm) {
  ConnectionConfig cfg;
  cfg.flood_budget = 1'000'000;  // only the output queue stops this one
  Client c(cfg);
  c.start();
  const std::size_t heap = heap_in_use();
  int n = 0;
  for (; n < 100000 && !c.conn->closing(); ++n) c.ping(static_cast<std::uint64_t>(n));
  EXPECT_EQ(c.conn->error(), ErrorCode::enhance_your_calm);
  EXPECT_GT(n, 3000) << "64 KiB of 17-octet PING ACKs";
  EXPECT_LT(n, 4000);
  Output out;
  c.conn->take_output(out);
  EXPECT_LT(out.bytes.size(), 64u * 1024 + 200);
  c.parse(out);
  EXPECT_EQ(c.goaway_code(), ErrorCode::enhance_your_calm);
  EXPECT_LT(heap_in_use(), heap + kMemoryBound);
}

TEST(Http2ConnectionAttacks, WindowUpdateFloodOfTinyIncrementsIsEnhanceYourCalm) {
  Client c;
  c.start();
  c.get(1);
  const int n = flood(c, 10000, [](int) { return WindowUpdate{1, 1}; });
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::enhance_your_calm);
  EXPECT_LT(n, 1100);
}

TEST(Http2ConnectionAttacks, PriorityFloodIsEnhanceYourCalm) {
  Client c;
  c.start();
  const int n = flood(c, 10000, [](int i) {
    return Priority{static_cast<std::uint32_t>(2 * i + 1), {0, false, 15}};
  });
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::enhance_your_calm);
  EXPECT_LT(n, 1100);
}

TEST(Http2ConnectionAttacks, RefusedStreamFloodIsEnhanceYourCalm) {
  ConnectionConfig cfg;
  cfg.max_concurrent_streams = 1;
  Client c(cfg);
  c.start();
  c.get(1);
  int n = 0;
  for (std::uint32_t id = 3; id < 20000 && !c.conn->closing(); id += 2, ++n) {
    c.get(id);
    c.read();
  }
  EXPECT_EQ(c.goaway_code(), ErrorCode::enhance_your_calm);
  EXPECT_LT(n, 1100);
}

TEST(Http2ConnectionAttacks, UnknownFrameFloodIsEnhanceYourCalm) {
  Client c;
  c.start();
  const int n = flood(c, 10000, [](int) { return Unknown{0x42, 0, 0, "x"}; });
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::enhance_your_calm);
  EXPECT_LT(n, 1100);
}

TEST(Http2ConnectionAttacks, EmptyDataOnClosedStreamsIsEnhanceYourCalm) {
  Client c;
  c.start();
  c.get(1);
  ASSERT_TRUE(c.conn->submit_headers(1, 200, {}, true));
  c.read();
  const int n = flood(c, 10000, [](int) { return Data{1, {}, false, std::nullopt}; });
  EXPECT_EQ(c.goaway_code(), ErrorCode::enhance_your_calm);
  EXPECT_LT(n, 1100);
  EXPECT_LE(c.all(FrameType::rst_stream).size(), 1u) << "one STREAM_CLOSED, then ignored";
}

TEST(Http2ConnectionAttacks, AckFloodsAreEnhanceYourCalm) {
  for (bool settings : {true, false}) {
    Client c;
    c.start();
    const int n = flood(c, 10000, [&](int) -> Frame {
      if (settings) return SettingsFrame{true, {}};
      return Ping{true, {}};
    });
    EXPECT_EQ(c.goaway_code(), ErrorCode::enhance_your_calm) << settings;
    EXPECT_LT(n, 1100);
  }
}

}  // namespace
}  // namespace endhost::http2::test
