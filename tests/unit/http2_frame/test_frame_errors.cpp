// Every refusal of RFC 9113 §4.2, §5.4, §6 (and RFC 9218 §7.1): the error code, and whether it is a
// connection error or a stream error (and then on which stream).
#include <gtest/gtest.h>

#include <string>

#include "frame_test_util.hpp"

namespace endhost::http2 {
namespace {

using test::raw_frame;
using test::read_all;
using test::read_one;
using test::serialized;

struct Case {
  const char* what;
  std::string wire;
  ErrorCode code;
  bool connection;
  std::uint32_t stream = 0;  // for stream errors
};

std::string zeros(std::size_t n) {
  return std::string(n, '\0');
}

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.what;
}

class Refused : public testing::TestWithParam<Case> {};

TEST_P(Refused, WithTheRightErrorAndScope) {
  const Case& c = GetParam();
  FrameReader reader;
  std::string_view in = c.wire;
  auto r = reader.next(in);
  while (r && *r) r = reader.next(in);  // frames before the bad one are fine
  ASSERT_FALSE(r) << c.what;
  EXPECT_EQ(r.error().code, c.code) << name(r.error().code);
  EXPECT_EQ(r.error().connection, c.connection);
  EXPECT_FALSE(r.error().reason.empty());
  if (!c.connection) {
    EXPECT_EQ(r.error().stream_id, c.stream);
  }
  EXPECT_EQ(reader.failed(), c.connection);
  // Fed one byte at a time, the same error.
  const std::vector<std::size_t> cuts = [&] {
    std::vector<std::size_t> v;
    for (std::size_t i = 1; i < c.wire.size(); ++i) v.push_back(i);
    return v;
  }();
  const auto log = read_all(c.wire, cuts);
  if (c.connection) {
    ASSERT_TRUE(log.connection_error);
    EXPECT_EQ(*log.connection_error, r.error());
  } else {
    ASSERT_EQ(log.stream_errors.size(), 1u);
    EXPECT_EQ(log.stream_errors[0], r.error());
  }
}

constexpr auto conn = true;
constexpr auto strm = false;
constexpr ErrorCode kProto = ErrorCode::protocol_error;
constexpr ErrorCode kSize = ErrorCode::frame_size_error;

INSTANTIATE_TEST_SUITE_P(
    Frames, Refused,
    testing::Values(
        // §6.1 DATA
        Case{"DATA on stream 0", raw_frame(0x0, 0, 0, "x"), kProto, conn},
        Case{"DATA padding longer than payload",
             raw_frame(0x0, flags::padded, 1,
                       "\x05"
                       "abcd"),
             kProto, conn},
        Case{"DATA padding equal to payload", raw_frame(0x0, flags::padded, 1, "\x01"), kProto, conn},
        Case{"DATA PADDED with no Pad Length", raw_frame(0x0, flags::padded, 1, ""), kSize, conn},
        // §6.2 HEADERS
        Case{"HEADERS on stream 0", raw_frame(0x1, flags::end_headers, 0, "x"), kProto, conn},
        Case{"HEADERS padding too long",
             raw_frame(0x1, flags::padded | flags::end_headers, 1,
                       "\x03"
                       "ab"),
             kProto, conn},
        Case{"HEADERS padding eats the priority fields",
             raw_frame(0x1, flags::padded | flags::priority | flags::end_headers, 1, "\x02" + zeros(5) + "a"),
             kProto, conn},
        Case{"HEADERS PRIORITY too short", raw_frame(0x1, flags::priority | flags::end_headers, 1, zeros(4)),
             kSize, conn},
        // §6.3 PRIORITY
        Case{"PRIORITY on stream 0", raw_frame(0x2, 0, 0, zeros(5)), kProto, conn},
        Case{"PRIORITY length 4", raw_frame(0x2, 0, 3, zeros(4)), kSize, strm, 3},
        Case{"PRIORITY length 6", raw_frame(0x2, 0, 5, zeros(6)), kSize, strm, 5},
        // §6.4 RST_STREAM
        Case{"RST_STREAM on stream 0", raw_frame(0x3, 0, 0, zeros(4)), kProto, conn},
        Case{"RST_STREAM length 3", raw_frame(0x3, 0, 1, zeros(3)), kSize, conn},
        Case{"RST_STREAM length 5", raw_frame(0x3, 0, 1, zeros(5)), kSize, conn},
        // §6.5 SETTINGS
        Case{"SETTINGS on a stream", raw_frame(0x4, 0, 1, ""), kProto, conn},
        Case{"SETTINGS length 7", raw_frame(0x4, 0, 0, zeros(7)), kSize, conn},
        Case{"SETTINGS ACK with payload", raw_frame(0x4, flags::ack, 0, zeros(6)), kSize, conn},
        Case{"SETTINGS ENABLE_PUSH 2", raw_frame(0x4, 0, 0, std::string("\0\x02\0\0\0\x02", 6)), kProto,
             conn},
        Case{"SETTINGS INITIAL_WINDOW_SIZE 2^31", raw_frame(0x4, 0, 0, std::string("\0\x04\x80\0\0\0", 6)),
             ErrorCode::flow_control_error, conn},
        Case{"SETTINGS MAX_FRAME_SIZE 16383", raw_frame(0x4, 0, 0, std::string("\0\x05\0\0\x3f\xff", 6)),
             kProto, conn},
        Case{"SETTINGS MAX_FRAME_SIZE 2^24", raw_frame(0x4, 0, 0, std::string("\0\x05\x01\0\0\0", 6)), kProto,
             conn},
        Case{"SETTINGS ENABLE_CONNECT_PROTOCOL 2", raw_frame(0x4, 0, 0, std::string("\0\x08\0\0\0\x02", 6)),
             kProto, conn},
        Case{"SETTINGS NO_RFC7540_PRIORITIES 2", raw_frame(0x4, 0, 0, std::string("\0\x09\0\0\0\x02", 6)),
             kProto, conn},
        // §6.6 PUSH_PROMISE
        Case{"PUSH_PROMISE on stream 0", raw_frame(0x5, flags::end_headers, 0, zeros(4)), kProto, conn},
        Case{"PUSH_PROMISE too short", raw_frame(0x5, flags::end_headers, 1, zeros(3)), kSize, conn},
        Case{"PUSH_PROMISE padding too long",
             raw_frame(0x5, flags::padded | flags::end_headers, 1, "\x02" + zeros(4) + "a"), kProto, conn},
        // §6.7 PING
        Case{"PING on a stream", raw_frame(0x6, 0, 1, zeros(8)), kProto, conn},
        Case{"PING length 7", raw_frame(0x6, 0, 0, zeros(7)), kSize, conn},
        Case{"PING length 9", raw_frame(0x6, flags::ack, 0, zeros(9)), kSize, conn},
        // §6.8 GOAWAY
        Case{"GOAWAY on a stream", raw_frame(0x7, 0, 1, zeros(8)), kProto, conn},
        Case{"GOAWAY length 7", raw_frame(0x7, 0, 0, zeros(7)), kSize, conn},
        // §6.9 WINDOW_UPDATE
        Case{"WINDOW_UPDATE length 3", raw_frame(0x8, 0, 1, zeros(3)), kSize, conn},
        Case{"WINDOW_UPDATE length 5 on stream 0", raw_frame(0x8, 0, 0, zeros(5)), kSize, conn},
        Case{"WINDOW_UPDATE increment 0 on a stream", raw_frame(0x8, 0, 7, zeros(4)), kProto, strm, 7},
        Case{"WINDOW_UPDATE increment 0 on the connection", raw_frame(0x8, 0, 0, zeros(4)), kProto, conn},
        // §6.10 CONTINUATION
        Case{"CONTINUATION out of nowhere", raw_frame(0x9, flags::end_headers, 1, "x"), kProto, conn},
        Case{"CONTINUATION on stream 0", raw_frame(0x9, flags::end_headers, 0, "x"), kProto, conn},
        Case{"HEADERS interrupted by DATA", raw_frame(0x1, 0, 1, "a") + raw_frame(0x0, 0, 1, "b"), kProto,
             conn},
        Case{"HEADERS continued on another stream",
             raw_frame(0x1, 0, 1, "a") + raw_frame(0x9, flags::end_headers, 3, "b"), kProto, conn},
        Case{"PUSH_PROMISE interrupted by PING",
             raw_frame(0x5, 0, 1, zeros(4)) + raw_frame(0x6, 0, 0, zeros(8)), kProto, conn},
        Case{"HEADERS interrupted by an unknown frame", raw_frame(0x1, 0, 1, "a") + raw_frame(0xfa, 0, 0, ""),
             kProto, conn},
        Case{"HEADERS interrupted by a bad PRIORITY (connection error, not stream)",
             raw_frame(0x1, 0, 1, "a") + raw_frame(0x2, 0, 1, zeros(4)), kProto, conn},
        // RFC 9218 §7.1 PRIORITY_UPDATE
        Case{"PRIORITY_UPDATE on a stream", raw_frame(0x10, 0, 1, std::string("\0\0\0\x01", 4)), kProto,
             conn},
        Case{"PRIORITY_UPDATE too short", raw_frame(0x10, 0, 0, zeros(3)), kSize, conn},
        Case{"PRIORITY_UPDATE for stream 0", raw_frame(0x10, 0, 0, zeros(4)), kProto, conn},
        // §4.2 frame size
        Case{"payload over SETTINGS_MAX_FRAME_SIZE", raw_frame(0x0, 0, 1, std::string(16385, 'x')), kSize,
             conn},
        Case{"unknown frame over SETTINGS_MAX_FRAME_SIZE", raw_frame(0xfa, 0, 0, std::string(16385, 'x')),
             kSize, conn}),
    [](const testing::TestParamInfo<Case>& p) { return "case" + std::to_string(p.index); });

TEST(FrameErrors, AStreamErrorDoesNotStopTheReader) {
  std::string wire = raw_frame(0x2, 0, 3, zeros(4));  // PRIORITY length 4: stream error on 3
  append_frame(wire, Ping{});
  FrameReader reader;
  std::string_view in = wire;
  auto r = reader.next(in);
  ASSERT_FALSE(r);
  EXPECT_FALSE(r.error().connection);
  EXPECT_FALSE(reader.failed());
  r = reader.next(in);
  ASSERT_TRUE(r && *r);
  EXPECT_TRUE(std::holds_alternative<Ping>(**r));
}

TEST(FrameErrors, AConnectionErrorIsFinal) {
  std::string wire = raw_frame(0x6, 0, 1, zeros(8));  // PING on a stream
  append_frame(wire, Ping{});
  FrameReader reader;
  std::string_view in = wire;
  auto first = reader.next(in);
  ASSERT_FALSE(first);
  auto again = reader.next(in);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), first.error());
}

TEST(FrameErrors, NamesOfErrorCodes) {
  EXPECT_EQ(name(ErrorCode::no_error), "NO_ERROR");
  EXPECT_EQ(name(ErrorCode::flow_control_error), "FLOW_CONTROL_ERROR");
  EXPECT_EQ(name(ErrorCode::http_1_1_required), "HTTP_1_1_REQUIRED");
  EXPECT_EQ(name(static_cast<ErrorCode>(0xe)), "");
  EXPECT_EQ(name(FrameType::priority_update), "PRIORITY_UPDATE");
  EXPECT_EQ(name(static_cast<FrameType>(0xa)), "");
}

}  // namespace
}  // namespace endhost::http2
