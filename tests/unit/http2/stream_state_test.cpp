// The stream state machine: RFC 9113 §5.1's transitions and, for every state, which received frames are
// accepted, ignored, or errors of which kind.
#include <gtest/gtest.h>

#include "http2/stream_state.hpp"

namespace endhost::http2 {
namespace {

using S = StreamState;
using F = StreamFrame;
using V = Verdict;

TEST(Http2StreamState, RequestWithoutBody) {
  S s = on_receive_headers(S::Idle, true);
  EXPECT_EQ(s, S::HalfClosedRemote);
  s = on_send_headers(s, false);
  EXPECT_EQ(s, S::HalfClosedRemote);
  s = on_send_end_stream(s);
  EXPECT_EQ(s, S::Closed);
}

TEST(Http2StreamState, RequestWithBody) {
  S s = on_receive_headers(S::Idle, false);
  EXPECT_EQ(s, S::Open);
  EXPECT_TRUE(is_active(s));
  s = on_receive_end_stream(s);
  EXPECT_EQ(s, S::HalfClosedRemote);
}

TEST(Http2StreamState, ResponseBeforeTheRequestBodyEnds) {
  S s = on_receive_headers(S::Idle, false);
  s = on_send_headers(s, true);
  EXPECT_EQ(s, S::HalfClosedLocal);
  EXPECT_EQ(receive_verdict(s, F::Data), V::Accept);
  s = on_receive_headers(s, true);  // trailers end it
  EXPECT_EQ(s, S::Closed);
  EXPECT_FALSE(is_active(s));
}

TEST(Http2StreamState, PushedStream) {
  S s = on_send_push_promise(S::Idle);
  EXPECT_EQ(s, S::ReservedLocal);
  EXPECT_FALSE(is_active(s));
  s = on_send_headers(s, false);
  EXPECT_EQ(s, S::HalfClosedRemote);
  s = on_send_end_stream(s);
  EXPECT_EQ(s, S::Closed);
}

TEST(Http2StreamState, ResetClosesFromAnyState) {
  for (S s : {S::Idle, S::ReservedLocal, S::Open, S::HalfClosedLocal, S::HalfClosedRemote}) {
    EXPECT_EQ(on_reset(s), S::Closed);
  }
}

TEST(Http2StreamState, VerdictsInEveryState) {
  // Rows: states; columns: DATA, HEADERS, PRIORITY, RST_STREAM, WINDOW_UPDATE, PUSH_PROMISE, CONTINUATION.
  struct Row {
    S state;
    std::array<V, 7> verdicts;
  };
  const V A = V::Accept, I = V::Ignore, SC = V::StreamClosed, PE = V::ConnectionProtocolError,
          CSC = V::ConnectionStreamClosed;
  const Row rows[] = {
      {S::Idle, {PE, A, A, PE, PE, PE, PE}},
      {S::ReservedLocal, {PE, PE, A, A, A, PE, PE}},
      {S::ReservedRemote, {PE, PE, A, PE, PE, PE, PE}},
      {S::Open, {A, A, A, A, A, PE, A}},
      {S::HalfClosedLocal, {A, A, A, A, A, PE, A}},
      {S::HalfClosedRemote, {SC, SC, A, A, A, SC, SC}},
      {S::Closed, {SC, CSC, A, I, I, CSC, CSC}},
  };
  const F frames[] = {F::Data,         F::Headers,     F::PriorityParams, F::RstStream,
                      F::WindowUpdate, F::PushPromise, F::Continuation};
  for (const Row& row : rows) {
    for (std::size_t i = 0; i < 7; ++i) {
      EXPECT_EQ(receive_verdict(row.state, frames[i]), row.verdicts[i])
          << to_string(row.state) << " frame " << i;
    }
  }
}

}  // namespace
}  // namespace endhost::http2
