// Flow control both ways (RFC 9113 §5.2, §6.9), the peer's MAX_FRAME_SIZE, the scheduler's interleaving and
// RFC 9218 priorities, and the stall and dribble defences.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace endhost::http2::test {
namespace {

using http::FieldView;

std::uint64_t data_bytes(const std::vector<Got>& got, std::uint32_t stream) {
  std::uint64_t n = 0;
  for (const Got& g : got)
    if (g.type() == FrameType::data && g.stream() == stream) n += g.as<Data>().data.size();
  return n;
}

void respond(Client& c, std::uint32_t stream, std::size_t size, std::vector<FieldView> fields = {}) {
  ASSERT_TRUE(c.conn->submit_headers(stream, 200, fields, false));
  ASSERT_TRUE(c.conn->submit_data(stream, file_bytes(stream, 0, size), true));
}

TEST(Http2ConnectionFlow, SmallPeerWindowLimitsDataUntilWindowUpdate) {
  Client c;
  c.start({{SettingId::initial_window_size, 5000}});
  c.get(1);
  respond(c, 1, 12000);
  auto got = c.read_all();
  EXPECT_EQ(data_bytes(got, 1), 5000u);
  EXPECT_FALSE(c.ended(1));
  EXPECT_FALSE(c.conn->wants_output());
  c.window_update(1, 7000);
  got = c.read_all();
  EXPECT_EQ(data_bytes(got, 1), 7000u);
  EXPECT_TRUE(c.ended(1));
  EXPECT_EQ(c.body(1), file_bytes(1, 0, 12000));
}

TEST(Http2ConnectionFlow, PeerWindowSmallerThanMinDataFrameStillFlows) {
  // A client whose whole window is below min_data_frame (h2spec uses 1) must still get its data.
  for (std::uint32_t window : {1u, 100u}) {
    SCOPED_TRACE(window);
    Client c;
    c.start({{SettingId::initial_window_size, window}});
    c.get(1);
    respond(c, 1, 300);
    auto got = c.read_all();
    EXPECT_EQ(data_bytes(got, 1), window);
    c.window_update(1, 300);
    c.read_all();
    EXPECT_TRUE(c.ended(1));
    EXPECT_EQ(c.body(1), file_bytes(1, 0, 300));
  }
}

TEST(Http2ConnectionFlow, SettingsLowerTheWindowMidStream) {
  Client c;
  c.start({{SettingId::initial_window_size, 30000}});
  c.window_update(0, 1 << 20);
  c.get(1);
  respond(c, 1, 100000);
  auto got = c.read_all();
  EXPECT_EQ(data_bytes(got, 1), 30000u);
  // The window drops by 20000 below zero: -20000.
  c.send_frame(SettingsFrame{false, {{SettingId::initial_window_size, 10000}}});
  got = c.read_all();
  EXPECT_EQ(data_bytes(got, 1), 0u);
  c.window_update(1, 20000);  // back to 0
  got = c.read_all();
  EXPECT_EQ(data_bytes(got, 1), 0u);
  c.window_update(1, 5000);
  got = c.read_all();
  EXPECT_EQ(data_bytes(got, 1), 5000u);
  // Raising it again moves the stream's window up by the difference.
  c.send_frame(SettingsFrame{false, {{SettingId::initial_window_size, 100000}}});
  c.read_all();
  c.window_update(1, 100000);
  c.read_all();
  EXPECT_TRUE(c.ended(1));
  EXPECT_EQ(c.body(1), file_bytes(1, 0, 100000));
  EXPECT_EQ(c.goaway(), nullptr);
}

TEST(Http2ConnectionFlow, SettingsRaisingAWindowPast2To31IsFlowControlError) {
  Client c;
  c.start();
  c.get(1);
  c.window_update(1, 0x7fffffff - 65535);  // at the maximum
  c.send_frame(SettingsFrame{false, {{SettingId::initial_window_size, 65536}}});
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::flow_control_error);
}

TEST(Http2ConnectionFlow, WindowUpdateOverflowOnTheConnection) {
  Client c;
  c.start();
  c.window_update(0, 0x7fffffff);
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::flow_control_error);
}

TEST(Http2ConnectionFlow, WindowUpdateOverflowOnAStream) {
  Client c;
  c.start();
  c.get(1);
  c.window_update(1, 0x7fffffff);
  c.read();
  EXPECT_EQ(c.rst_code(1), ErrorCode::flow_control_error);
  EXPECT_EQ(c.goaway(), nullptr);
  ASSERT_EQ(c.handler.count(Event::reset, 1), 1u);
  c.get(3);
  EXPECT_EQ(c.handler.count(Event::request, 3), 1u);
}

TEST(Http2ConnectionFlow, WindowUpdateOfZero) {
  Client c;
  c.start();
  c.get(1);
  c.window_update(1, 0);
  c.read();
  EXPECT_EQ(c.rst_code(1), ErrorCode::protocol_error);
  c.window_update(0, 0);
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::protocol_error);
}

TEST(Http2ConnectionFlow, WindowUpdateOfZeroOnAnIdleStreamEndsTheConnection) {
  // §5.1: no RST_STREAM on an idle stream, and WINDOW_UPDATE there is a connection error.
  Client c;
  c.start();
  c.window_update(5, 0);
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::protocol_error);
  EXPECT_FALSE(c.rst_code(5).has_value());
}

TEST(Http2ConnectionFlow, ClientDataBeyondTheStreamWindow) {
  ConnectionConfig cfg;
  cfg.stream_window = 65535;
  Client c(cfg);
  c.start();
  c.headers(1, Client::get_fields("/", "POST"), false);
  const std::string chunk(16383, 'x');
  for (int i = 0; i < 4; ++i) c.data(1, chunk, false);  // 65532
  c.data(1, "abcd", false);                             // 65536: one past
  c.read();
  EXPECT_EQ(c.rst_code(1), ErrorCode::flow_control_error);
  EXPECT_EQ(c.goaway(), nullptr);
}

TEST(Http2ConnectionFlow, ClientDataBeyondTheConnectionWindow) {
  Client c(small_windows());
  c.start();
  c.headers(1, Client::get_fields("/", "POST"), false);
  c.headers(3, Client::get_fields("/", "POST"), false);
  const std::string chunk(16000, 'x');
  c.data(1, chunk, false);
  c.data(3, chunk, false);
  c.data(1, chunk, false);
  c.data(3, chunk, false);
  c.data(1, "0123456789", false);  // 64010
  c.read();
  EXPECT_EQ(c.goaway(), nullptr);
  c.data(3, std::string(2000, 'y'), false);
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::flow_control_error);
}

TEST(Http2ConnectionFlow, DataFramesRespectPeerMaxFrameSize) {
  for (std::uint32_t max : {16384u, 20000u}) {
    SCOPED_TRACE(max);
    Client c;
    c.start({{SettingId::max_frame_size, max}});
    c.get(1);
    respond(c, 1, 60000);
    c.read_all();  // the harness fails any frame over `max`
    std::size_t largest = 0;
    for (const Got* d : c.all(FrameType::data, 1u)) largest = std::max(largest, d->as<Data>().data.size());
    EXPECT_EQ(largest, max);
    EXPECT_EQ(c.body(1), file_bytes(1, 0, 60000));
  }
}

TEST(Http2ConnectionFlow, LargeHeaderBlockIsSplitIntoContinuations) {
  Client c;
  c.start();
  c.get(1);
  const std::string big(40000, 'v');
  std::vector<FieldView> fields = {{"x-big", big}, {"x-small", "s"}};
  ASSERT_TRUE(c.conn->submit_headers(1, 200, fields, true));
  c.read_all();
  const auto hs = c.all(FrameType::headers, 1u);
  ASSERT_EQ(hs.size(), 1u);
  EXPECT_FALSE(hs[0]->as<Headers>().end_headers);
  EXPECT_TRUE(hs[0]->end_stream());
  const auto cont = c.all(FrameType::continuation, 1u);
  ASSERT_GE(cont.size(), 2u);
  EXPECT_TRUE(cont.back()->as<Continuation>().end_headers);
  EXPECT_EQ(hs[0]->field("x-big"), big);
  EXPECT_EQ(hs[0]->field("x-small"), "s");
  // Nothing between the HEADERS and its CONTINUATIONs (the client's reader would have failed).
}

TEST(Http2ConnectionFlow, LargePushPromiseIsSplitIntoContinuations) {
  Client c;
  c.start();
  c.get(1);
  const std::string big(20000, 'q');
  const std::string path = "/p?" + big;
  const FieldView req[] = {{":method", "GET"}, {":scheme", "https"}, {":authority", "a"}, {":path", path}};
  ASSERT_TRUE(c.conn->push(1, req).has_value());
  c.read_all();
  const auto pp = c.all(FrameType::push_promise, 1u);
  ASSERT_EQ(pp.size(), 1u);
  EXPECT_FALSE(pp[0]->as<PushPromise>().end_headers);
  EXPECT_EQ(pp[0]->field(":path"), path);
}

// One large response and three small ones submitted together: the small ones finish first.
TEST(Http2ConnectionFlow, SchedulerInterleavesSmallResponsesPastALargeOne) {
  Client c;
  c.start({{SettingId::initial_window_size, 0x7fffffff}});
  c.window_update(0, 0x7fffffff - 65535);
  for (std::uint32_t id : {1u, 3u, 5u, 7u}) c.get(id);
  respond(c, 1, 1 << 20);
  respond(c, 3, 100);
  respond(c, 5, 5000);
  respond(c, 7, 100);
  c.read_all();
  const long large_end = c.end_index(1);
  ASSERT_GE(large_end, 0);
  for (std::uint32_t id : {3u, 5u, 7u}) {
    EXPECT_GE(c.end_index(id), 0) << id;
    EXPECT_LT(c.end_index(id), large_end) << id;
  }
  // And the first frames of the small ones come before the large one is a quarter through.
  EXPECT_LT(c.end_index(7), 20);
  EXPECT_EQ(c.body(1), file_bytes(1, 0, 1 << 20));
}

TEST(Http2ConnectionFlow, TakeOutputBudgetIsRoughlyRespected) {
  Client c;
  c.start({{SettingId::initial_window_size, 0x7fffffff}});
  c.window_update(0, 0x7fffffff - 65535);
  c.get(1);
  respond(c, 1, 1 << 20);
  Output out;
  c.conn->take_output(out, 50000);
  EXPECT_GE(out.size(), 50000u);
  EXPECT_LE(out.size(), 50000u + 16384 + 9 + 200);
  c.parse(out);
  c.read_all();
  EXPECT_EQ(c.body(1), file_bytes(1, 0, 1 << 20));
}

TEST(Http2ConnectionFlow, PriorityHeaderUrgencyGoesFirst) {
  Client c;
  c.start({{SettingId::initial_window_size, 0x7fffffff}});
  c.window_update(0, 0x7fffffff - 65535);
  c.get(1);
  Fields f = Client::get_fields("/urgent");
  f.emplace_back("priority", "u=0");
  c.headers(3, f, true);
  respond(c, 1, 200000);
  respond(c, 3, 200000);
  c.read_all();
  EXPECT_LT(c.end_index(3), c.end_index(1));
  // Urgency 0 and not incremental: all of stream 3 goes before any DATA of stream 1.
  long first_data_1 = -1;
  for (std::size_t i = 0; i < c.frames.size(); ++i) {
    if (c.frames[i].type() == FrameType::data && c.frames[i].stream() == 1) {
      first_data_1 = static_cast<long>(i);
      break;
    }
  }
  EXPECT_GT(first_data_1, c.end_index(3));
}

TEST(Http2ConnectionFlow, PriorityUpdateReorders) {
  Client c;
  c.start({{SettingId::initial_window_size, 0x7fffffff}});
  c.window_update(0, 0x7fffffff - 65535);
  for (std::uint32_t id : {1u, 3u}) {
    Fields f = Client::get_fields();
    f.emplace_back("priority", "u=3");  // sequential: stream 1 before stream 3
    c.headers(id, f, true);
  }
  respond(c, 1, 200000);
  respond(c, 3, 200000);
  c.send_frame(PriorityUpdate{3, "u=1"});
  c.read_all();
  EXPECT_LT(c.end_index(3), c.end_index(1));
  EXPECT_EQ(c.goaway(), nullptr);
}

TEST(Http2ConnectionFlow, PriorityUpdateBeforeTheRequestApplies) {
  Client c;
  c.start({{SettingId::initial_window_size, 0x7fffffff}});
  c.window_update(0, 0x7fffffff - 65535);
  c.send_frame(PriorityUpdate{3, "u=0"});
  for (std::uint32_t id : {1u, 3u}) {
    Fields f = Client::get_fields();
    f.emplace_back("priority", "u=3");
    c.headers(id, f, true);
  }
  respond(c, 1, 200000);
  respond(c, 3, 200000);
  c.read_all();
  EXPECT_LT(c.end_index(3), c.end_index(1));
}

TEST(Http2ConnectionFlow, PriorityUpdateForStreamZeroIsProtocolError) {
  Client c;
  c.start();
  c.send_frame(PriorityUpdate{0, "u=1"});
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::protocol_error);
}

TEST(Http2ConnectionFlow, ZeroWindowStallResetsTheStream) {
  Client c;
  c.start({{SettingId::initial_window_size, 0}});
  c.get(1);
  respond(c, 1, 100);
  c.read_all();
  EXPECT_TRUE(c.all(FrameType::data).empty());
  ASSERT_TRUE(c.conn->next_deadline().has_value());
  EXPECT_EQ(*c.conn->next_deadline(), c.now + core::Millis(30'000));
  c.advance(core::Millis(29'999));
  c.tick();
  c.read();
  EXPECT_FALSE(c.rst_code(1).has_value());
  c.advance(core::Millis(1));
  c.tick();
  c.read();
  // The stream's own window: only the stream ends (docs/internals/http2.md, "Limits").
  EXPECT_EQ(c.rst_code(1), ErrorCode::cancel);
  EXPECT_EQ(c.goaway(), nullptr);
  EXPECT_FALSE(c.conn->closing());
  ASSERT_EQ(c.handler.count(Event::reset, 1), 1u);
  EXPECT_FALSE(c.handler.of(Event::reset, 1)[0]->by_peer);
}

TEST(Http2ConnectionFlow, ConnectionWindowStallEndsTheConnection) {
  Client c;
  c.start({{SettingId::initial_window_size, 0x7fffffff}});
  c.get(1);
  respond(c, 1, 100000);
  c.read_all();
  EXPECT_EQ(c.body(1).size(), 65535u);
  c.advance(core::Millis(30'000));
  c.tick();
  c.read();
  EXPECT_EQ(c.goaway_code(), ErrorCode::enhance_your_calm);
}

TEST(Http2ConnectionFlow, NoStallOnceTheWaitingStreamIsGone) {
  Client c;
  c.start({{SettingId::initial_window_size, 0x7fffffff}});
  c.get(1);
  respond(c, 1, 100000);
  c.read_all();
  c.rst(1, ErrorCode::cancel);  // the client gives up on the stream that waited for the connection window
  c.read();
  c.advance(core::Millis(31'000));
  c.tick();
  c.read();
  EXPECT_EQ(c.goaway(), nullptr) << "nothing waits any more";
  EXPECT_FALSE(c.conn->next_deadline().has_value());
  // And a new response still flows through the window that is left (0): it waits, without error.
  c.window_update(0, 100000);
  c.get(3);
  respond(c, 3, 1000);
  c.read_all();
  EXPECT_TRUE(c.ended(3));
}

TEST(Http2ConnectionFlow, DataDribbleSendsNoTinyFrames) {
  Client c;
  c.start({{SettingId::initial_window_size, 0}});
  c.get(1);
  respond(c, 1, 10000);
  c.read_all();
  for (int i = 0; i < 3000; ++i) {
    c.window_update(1, 1);
    c.advance(core::Millis(10));  // slow enough for the flood budget
    c.read_all();
  }
  EXPECT_EQ(c.goaway(), nullptr);
  EXPECT_FALSE(c.rst_code(1).has_value());
  const auto frames = c.all(FrameType::data, 1u);
  EXPECT_FALSE(frames.empty()) << "the data moves, in frames of min_data_frame";
  for (const Got* d : frames)
    EXPECT_TRUE(d->as<Data>().data.size() >= 1024 || d->end_stream()) << d->as<Data>().data.size();
  c.window_update(1, 10000);
  c.read_all();
  EXPECT_TRUE(c.ended(1));
  EXPECT_EQ(c.body(1), file_bytes(1, 0, 10000));
}

TEST(Http2ConnectionFlow, LastSmallFrameOfABodyIsNotHeldBack) {
  Client c;
  c.start({{SettingId::initial_window_size, 0}});
  c.get(1);
  respond(c, 1, 10);
  c.read_all();
  c.window_update(1, 10);
  c.read_all();
  EXPECT_TRUE(c.ended(1));
  EXPECT_EQ(c.body(1), file_bytes(1, 0, 10));
}

}  // namespace
}  // namespace endhost::http2::test
