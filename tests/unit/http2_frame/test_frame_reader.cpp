// FrameReader and the serializer together: every frame type round-trips, any split of a stream of frames
// reads the same, padding is removed but counted, unknown types pass through, the memory bound holds.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "frame_test_util.hpp"
#include "http2/frame/frame_reader.hpp"
#include "http2/frame/serializer.hpp"

namespace endhost::http2 {
namespace {

using test::raw_frame;
using test::read_all;
using test::read_one;
using test::serialized;

// One of every frame, with the optional parts both present and absent. A valid stream in this order (field
// blocks are completed before anything else).
std::vector<Frame> sample_frames() {
  return {
      SettingsFrame{false,
                    {{SettingId::max_concurrent_streams, 100},
                     {SettingId::initial_window_size, 65535},
                     {static_cast<SettingId>(0xf0f0), 7}}},
      SettingsFrame{true, {}},
      Headers{1, "\x82\x86\x84", true, true, std::nullopt, std::nullopt},
      Headers{3, "abc", false, false, PriorityFields{1, true, 200}, std::uint8_t{4}},
      Continuation{3, "def", false},
      Continuation{3, "", true},
      Data{3, "hello", false, std::nullopt},
      Data{3, "padded", true, std::uint8_t{10}},
      Data{5, "", true, std::uint8_t{0}},
      Priority{7, PriorityFields{3, false, 15}},
      RstStream{3, ErrorCode::cancel},
      RstStream{5, static_cast<ErrorCode>(0xdeadbeef)},
      PushPromise{1, 2, "push", true, std::nullopt},
      PushPromise{1, 4, "more", false, std::uint8_t{3}},
      Continuation{1, "end", true},
      Ping{false, {1, 2, 3, 4, 5, 6, 7, 8}},
      Ping{true, {8, 7, 6, 5, 4, 3, 2, 1}},
      WindowUpdate{0, 1},
      WindowUpdate{3, 0x7fffffff},
      PriorityUpdate{5, "u=3, i"},
      Unknown{0xfa, 0xff, 9, "extension"},
      Goaway{7, ErrorCode::no_error, ""},
      Goaway{7, ErrorCode::enhance_your_calm, "slow down"},
  };
}

std::string sample_stream() {
  std::string wire;
  for (const Frame& f : sample_frames()) append_frame(wire, f);
  return wire;
}

std::vector<std::string> sample_serialized() {
  std::vector<std::string> out;
  for (const Frame& f : sample_frames()) out.push_back(serialized(f));
  return out;
}

TEST(FrameReader, EveryFrameRoundTrips) {
  FrameReader reader;  // one reader: CONTINUATION needs the HEADERS before it
  for (const Frame& f : sample_frames()) {
    const std::string wire = serialized(f);
    const FrameHeader h = header_of(f);
    EXPECT_EQ(wire.size(), kFrameHeaderSize + h.length);
    EXPECT_EQ(decode_frame_header(wire), h);
    std::string_view in = wire;
    auto r = reader.next(in);
    ASSERT_TRUE(r) << r.error().reason;
    ASSERT_TRUE(*r);
    EXPECT_EQ(**r, f) << wire.size();
  }
}

TEST(FrameReader, WholeStreamInOneCall) {
  const auto log = read_all(sample_stream());
  EXPECT_FALSE(log.connection_error);
  EXPECT_TRUE(log.stream_errors.empty());
  EXPECT_EQ(log.frames, sample_serialized());
  EXPECT_EQ(log.pending, 0u);
}

TEST(FrameReader, OneByteAtATime) {
  const std::string wire = sample_stream();
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < wire.size(); ++i) cuts.push_back(i);
  const auto log = read_all(wire, cuts);
  EXPECT_FALSE(log.connection_error);
  EXPECT_EQ(log.frames, sample_serialized());
}

TEST(FrameReader, EveryTwoWaySplit) {
  const std::string wire = sample_stream();
  const auto whole = read_all(wire);
  for (std::size_t cut = 0; cut <= wire.size(); ++cut)
    ASSERT_EQ(read_all(wire, {cut}), whole) << "cut " << cut;
}

TEST(FrameReader, EveryThreeWaySplitOfAShortStream) {
  std::string wire;
  append_frame(wire, Headers{1, "ab", false, true, PriorityFields{0, false, 15}, std::uint8_t{2}});
  append_frame(wire, Data{1, "xyz", true, std::uint8_t{1}});
  append_frame(wire, Ping{false, {}});
  const auto whole = read_all(wire);
  ASSERT_EQ(whole.frames.size(), 3u);
  for (std::size_t a = 0; a <= wire.size(); ++a)
    for (std::size_t b = a; b <= wire.size(); ++b) ASSERT_EQ(read_all(wire, {a, b}), whole) << a << "," << b;
}

TEST(FrameReader, IncompleteFrameAsksForMore) {
  const std::string wire = serialized(Data{1, "hello", false, std::nullopt});
  FrameReader reader;
  std::string_view in = std::string_view(wire).substr(0, 4);
  auto r = reader.next(in);
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(reader.buffered(), 4u);
  in = std::string_view(wire).substr(4, 7);
  r = reader.next(in);
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  EXPECT_EQ(reader.buffered(), 11u);
  in = std::string_view(wire).substr(11);
  r = reader.next(in);
  ASSERT_TRUE(r);
  ASSERT_TRUE(*r);
  EXPECT_EQ(std::get<Data>(**r).data, "hello");
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(FrameReader, ConsumesOneFrameAtATime) {
  std::string wire = serialized(Ping{false, {}});
  append_frame(wire, WindowUpdate{0, 5});
  FrameReader reader;
  std::string_view in = wire;
  auto r = reader.next(in);
  ASSERT_TRUE(r && *r);
  EXPECT_TRUE(std::holds_alternative<Ping>(**r));
  EXPECT_EQ(in.size(), 13u);
  r = reader.next(in);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(std::get<WindowUpdate>(**r).increment, 5u);
  EXPECT_TRUE(in.empty());
  r = reader.next(in);
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
}

TEST(FrameReader, WholeDataFrameIsAViewIntoTheInput) {
  const std::string wire = serialized(Data{1, "zero-copy", false, std::nullopt});
  FrameReader reader;
  std::string_view in = wire;
  auto r = reader.next(in);
  ASSERT_TRUE(r && *r);
  const auto& d = std::get<Data>(**r);
  EXPECT_EQ(d.data.data(), wire.data() + kFrameHeaderSize);
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(FrameReader, PaddingIsRemovedAndCounted) {
  // §6.1: Pad Length 3, data "hi", 3 padding octets: 6 octets count against flow control.
  const std::string wire =
      raw_frame(0x0, flags::padded | flags::end_stream, 1, std::string("\x03hi\0\0\0", 6));
  auto r = read_one(wire);
  ASSERT_TRUE(r && *r);
  const auto& d = std::get<Data>(**r);
  EXPECT_EQ(d.data, "hi");
  EXPECT_EQ(d.padding, 3);
  EXPECT_TRUE(d.end_stream);
  EXPECT_EQ(d.flow_controlled_length(), 6u);

  // §6.2: HEADERS with PADDED and PRIORITY: Pad Length, E|dependency, weight, fragment, padding.
  const std::string h = raw_frame(0x1, flags::padded | flags::priority | flags::end_headers, 3,
                                  std::string("\x02\x80\x00\x00\x01\x0f"
                                              "frag\0\0",
                                              12));
  auto rh = read_one(h);
  ASSERT_TRUE(rh && *rh);
  const auto& hd = std::get<Headers>(**rh);
  EXPECT_EQ(hd.fragment, "frag");
  EXPECT_EQ(hd.padding, 2);
  ASSERT_TRUE(hd.priority);
  EXPECT_EQ(*hd.priority, (PriorityFields{1, true, 15}));
  EXPECT_TRUE(hd.end_headers);
  EXPECT_FALSE(hd.end_stream);

  // §6.6: PUSH_PROMISE with padding.
  const std::string p =
      raw_frame(0x5, flags::padded | flags::end_headers, 1, std::string("\x01\x00\x00\x00\x02pp\0", 8));
  auto rp = read_one(p);
  ASSERT_TRUE(rp && *rp);
  EXPECT_EQ(std::get<PushPromise>(**rp), (PushPromise{1, 2, "pp", true, std::uint8_t{1}}));
}

TEST(FrameReader, PaddingFillingThePayloadExactlyIsFine) {
  // Pad Length 4 with a 5-octet payload: no data, 4 padding octets.
  auto r = read_one(raw_frame(0x0, flags::padded, 1, std::string("\x04\0\0\0\0", 5)));
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(std::get<Data>(**r).data, "");
  EXPECT_EQ(std::get<Data>(**r).flow_controlled_length(), 5u);
}

TEST(FrameReader, ReservedBitsAndUndefinedFlagsAreIgnored) {
  // §4.1: R bit set on the stream id; flags 0xf6 on PING (only ACK is defined).
  std::string wire = raw_frame(0x6, 0xf6, 0, std::string(8, '\0'));
  wire[5] = static_cast<char>(0x80);
  auto r = read_one(wire);
  ASSERT_TRUE(r && *r);
  EXPECT_FALSE(std::get<Ping>(**r).ack);
  // WINDOW_UPDATE with the reserved bit of the increment set.
  auto w = read_one(raw_frame(0x8, 0, 1, std::string("\x80\x00\x00\x05", 4)));
  ASSERT_TRUE(w && *w);
  EXPECT_EQ(std::get<WindowUpdate>(**w).increment, 5u);
}

TEST(FrameReader, UnknownTypesPassThrough) {
  std::string wire = raw_frame(0xfa, 0x3, 0, "whatever");
  append_frame(wire, Ping{});
  FrameReader reader;
  std::string_view in = wire;
  auto r = reader.next(in);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(std::get<Unknown>(**r), (Unknown{0xfa, 0x3, 0, "whatever"}));
  r = reader.next(in);
  ASSERT_TRUE(r && *r);
  EXPECT_TRUE(std::holds_alternative<Ping>(**r));
  // 0xa..0xf are unknown too (0x10 is PRIORITY_UPDATE).
  auto u = read_one(raw_frame(0xb, 0, 1, ""));
  ASSERT_TRUE(u && *u);
  EXPECT_TRUE(std::holds_alternative<Unknown>(**u));
}

TEST(FrameReader, MaxFrameSizeIsEnforcedFromTheHeader) {
  const std::string big = serialized(Data{1, std::string(16385, 'x'), false, std::nullopt});
  FrameReader reader;
  std::string_view in = std::string_view(big).substr(0, kFrameHeaderSize);  // the payload has not arrived
  auto r = reader.next(in);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::frame_size_error);
  EXPECT_TRUE(r.error().connection);
  EXPECT_TRUE(reader.failed());
  std::string_view more = "x";
  EXPECT_FALSE(reader.next(more));  // final

  // Exactly the limit is allowed, and a larger advertised limit admits the larger frame.
  const std::string at_limit = serialized(Data{1, std::string(16384, 'x'), false, std::nullopt});
  EXPECT_TRUE(read_one(at_limit));
  auto ok = read_one(big, 20000);
  ASSERT_TRUE(ok && *ok);
  EXPECT_EQ(std::get<Data>(**ok).data.size(), 16385u);

  FrameReader raised;
  raised.set_max_frame_size(1 << 20);
  EXPECT_EQ(raised.max_frame_size(), 1u << 20);
  std::string_view in2 = big;
  EXPECT_TRUE(raised.next(in2));
  raised.set_max_frame_size(1);  // clamped to 2^14 (§6.5.2)
  EXPECT_EQ(raised.max_frame_size(), 16384u);
  raised.set_max_frame_size(0xffffffff);
  EXPECT_EQ(raised.max_frame_size(), kMaxAllowedFrameSize);
}

TEST(FrameReader, BuffersAtMostOneFrame) {
  // A large frame split in many pieces is assembled in a buffer of exactly header + payload.
  const std::string big = serialized(Data{1, std::string(16384, 'y'), false, std::nullopt});
  FrameReader reader;
  for (std::size_t at = 0; at < big.size(); at += 1000) {
    std::string_view in = std::string_view(big).substr(at, 1000);
    auto r = reader.next(in);
    ASSERT_TRUE(r);
    EXPECT_LE(reader.buffered(), kFrameHeaderSize + 16384);
    EXPECT_LE(reader.buffer_capacity(), kFrameHeaderSize + 16384);
    if (*r) {
      EXPECT_EQ(std::get<Data>(**r).data, std::string(16384, 'y'));
    }
  }
}

TEST(FrameReader, LoweringTheLimitReleasesALargerBuffer) {
  const std::string big = serialized(Data{1, std::string(100000, 'z'), false, std::nullopt});
  FrameReader reader(1 << 20);
  std::string_view first = std::string_view(big).substr(0, 50000);
  std::string_view rest = std::string_view(big).substr(50000);
  ASSERT_TRUE(reader.next(first));
  auto r = reader.next(rest);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(reader.buffer_capacity(), big.size());
  reader.set_max_frame_size(16384);  // the frame's views are still in use: keep the buffer
  EXPECT_EQ(reader.buffer_capacity(), big.size());
  std::string_view none;
  ASSERT_TRUE(reader.next(none));  // releases the frame
  reader.set_max_frame_size(16384);
  EXPECT_LE(reader.buffer_capacity(), kFrameHeaderSize + 16384);
}

TEST(FrameReader, HeadersSplitAcrossContinuations) {
  std::string wire;
  append_frame(wire, Headers{1, "a", true, false, std::nullopt, std::nullopt});
  append_frame(wire, Continuation{1, "b", false});
  append_frame(wire, Continuation{1, "c", true});
  append_frame(wire, Data{1, "after", false, std::nullopt});
  const auto log = read_all(wire);
  EXPECT_FALSE(log.connection_error);
  EXPECT_EQ(log.frames.size(), 4u);
}

TEST(Serializer, DataHeaderForZeroCopyBodies) {
  std::string out;
  append_data_header(out, 5, 3, true);
  out += "abc";  // sent separately in real use
  EXPECT_EQ(out, serialized(Data{5, "abc", true, std::nullopt}));
  std::string h;
  append_frame_header(h, FrameHeader{0x123456, FrameType::headers, 0x25, 0x7fffffff});
  EXPECT_EQ(h, std::string("\x12\x34\x56\x01\x25\x7f\xff\xff\xff", 9));
  EXPECT_EQ(decode_frame_header(h), (FrameHeader{0x123456, FrameType::headers, 0x25, 0x7fffffff}));
}

TEST(Serializer, WritesTheWireFormat) {
  // §6.9 WINDOW_UPDATE on stream 3 by 0x1000; §6.4 RST_STREAM CANCEL; §6.5 SETTINGS ACK.
  EXPECT_EQ(serialized(WindowUpdate{3, 0x1000}), raw_frame(0x8, 0, 3, std::string("\0\0\x10\0", 4)));
  EXPECT_EQ(serialized(RstStream{1, ErrorCode::cancel}), raw_frame(0x3, 0, 1, std::string("\0\0\0\x08", 4)));
  EXPECT_EQ(serialized(SettingsFrame{true, {}}), raw_frame(0x4, 0x1, 0, ""));
  EXPECT_EQ(serialized(SettingsFrame{false, {{SettingId::enable_push, 0}}}),
            raw_frame(0x4, 0, 0, std::string("\0\x02\0\0\0\0", 6)));
  EXPECT_EQ(serialized(Goaway{3, ErrorCode::protocol_error, "x"}),
            raw_frame(0x7, 0, 0, std::string("\0\0\0\x03\0\0\0\x01x", 9)));
  EXPECT_EQ(serialized(PriorityUpdate{1, "u=1"}), raw_frame(0x10, 0, 0, std::string("\0\0\0\x01u=1", 7)));
  EXPECT_EQ(serialized(Data{1, "a", false, std::uint8_t{2}}), raw_frame(0x0, 0x8, 1,
                                                                        std::string("\x02"
                                                                                    "a\0\0",
                                                                                    4)));
}

}  // namespace
}  // namespace endhost::http2
