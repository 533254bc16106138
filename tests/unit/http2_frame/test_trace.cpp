// The --trace lines (one per frame, nghttp -v style).
#include <gtest/gtest.h>

#include <string>

#include "http2/frame/trace.hpp"

namespace endhost::http2 {
namespace {

TEST(Trace, Lines) {
  EXPECT_EQ(trace_line(Headers{1, std::string_view("0123456789abcdef0123456789abcdef"), true, true, {}, {}}),
            "HEADERS stream=1 flags=END_STREAM|END_HEADERS len=32");
  const std::string body(16384, 'x');
  EXPECT_EQ(trace_line(Data{1, body, false, {}}), "DATA stream=1 len=16384");
  EXPECT_EQ(trace_line(Data{3, "ab", true, std::uint8_t{5}}),
            "DATA stream=3 flags=END_STREAM|PADDED len=8 padding=5");
  EXPECT_EQ(trace_line(SettingsFrame{true, {}}), "SETTINGS stream=0 ACK");
  EXPECT_EQ(trace_line(SettingsFrame{
                false, {{SettingId::max_concurrent_streams, 100}, {SettingId::initial_window_size, 65535}}}),
            "SETTINGS stream=0 MAX_CONCURRENT_STREAMS=100 INITIAL_WINDOW_SIZE=65535");
  EXPECT_EQ(trace_line(SettingsFrame{false, {{static_cast<SettingId>(0xf0), 1}}}),
            "SETTINGS stream=0 0x00f0=1");
  EXPECT_EQ(trace_line(WindowUpdate{0, 1048576}), "WINDOW_UPDATE stream=0 increment=1048576");
  EXPECT_EQ(trace_line(Goaway{3, ErrorCode::protocol_error, ""}),
            "GOAWAY last_stream=3 error=PROTOCOL_ERROR");
  EXPECT_EQ(trace_line(Goaway{0, ErrorCode::no_error, "bye\n\"x\""}),
            "GOAWAY last_stream=0 error=NO_ERROR debug=\"bye\\x0a\\\"x\\\"\"");
  EXPECT_EQ(trace_line(RstStream{1, ErrorCode::cancel}), "RST_STREAM stream=1 error=CANCEL");
  EXPECT_EQ(trace_line(RstStream{1, static_cast<ErrorCode>(0x1234)}), "RST_STREAM stream=1 error=0x00001234");
  EXPECT_EQ(trace_line(Ping{true, {1, 2, 3, 4, 5, 6, 7, 0xff}}), "PING stream=0 ACK opaque=01020304050607ff");
  EXPECT_EQ(trace_line(Ping{}), "PING stream=0 opaque=0000000000000000");
  EXPECT_EQ(trace_line(Priority{5, {3, true, 255}}), "PRIORITY stream=5 depends_on=3 weight=256 exclusive");
  EXPECT_EQ(trace_line(Headers{5, "abc", false, false, PriorityFields{0, false, 15}, {}}),
            "HEADERS stream=5 flags=PRIORITY len=8 depends_on=0 weight=16");
  EXPECT_EQ(trace_line(Continuation{5, "abc", true}), "CONTINUATION stream=5 flags=END_HEADERS len=3");
  EXPECT_EQ(trace_line(PushPromise{1, 2, "abcd", true, {}}),
            "PUSH_PROMISE stream=1 promised_stream=2 flags=END_HEADERS len=8");
  EXPECT_EQ(trace_line(PriorityUpdate{1, "u=3, i"}),
            "PRIORITY_UPDATE stream=0 prioritized_stream=1 value=\"u=3, i\"");
  EXPECT_EQ(trace_line(Unknown{0xfa, 0x3, 7, "hello"}), "UNKNOWN type=0xfa stream=7 flags=0x03 len=5");
}

TEST(Trace, LongBytesAreCut) {
  const std::string debug(100, 'a');
  EXPECT_EQ(trace_line(Goaway{1, ErrorCode::no_error, debug}),
            "GOAWAY last_stream=1 error=NO_ERROR debug=\"" + std::string(64, 'a') + "\"...");
}

TEST(Trace, AppendsToALine) {
  std::string out = "recv ";
  append_trace(out, WindowUpdate{1, 5});
  EXPECT_EQ(out, "recv WINDOW_UPDATE stream=1 increment=5");
}

}  // namespace
}  // namespace endhost::http2
