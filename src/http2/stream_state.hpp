// The life of one stream (RFC 9113 §5.1) from the server's side: its state, the transitions that frames
// sent and received cause, and whether a received frame is allowed in the current state.
#pragma once

#include <cstdint>
#include <string_view>

namespace endhost::http2 {

enum class StreamState : std::uint8_t {
  Idle,
  ReservedLocal,   // we sent PUSH_PROMISE on it
  ReservedRemote,  // never on a server: clients cannot push (§8.4)
  Open,
  HalfClosedLocal,   // we sent END_STREAM
  HalfClosedRemote,  // the client sent END_STREAM
  Closed,
};

std::string_view to_string(StreamState state);

// The frame kinds whose legality depends on a stream's state (§5.1); the rest are connection frames.
enum class StreamFrame : std::uint8_t {
  Data,
  Headers,
  PriorityParams,
  RstStream,
  WindowUpdate,
  PushPromise,
  Continuation
};

// What the connection does with a received frame.
enum class Verdict : std::uint8_t {
  Accept,
  Ignore,        // e.g. WINDOW_UPDATE or RST_STREAM just after we closed the stream (§5.1 "closed")
  StreamClosed,  // a stream error STREAM_CLOSED (§5.1 "half-closed (remote)", "closed")
  ConnectionProtocolError,  // a connection error PROTOCOL_ERROR (§5.1 "idle", "reserved (local)")
  ConnectionStreamClosed,   // a connection error STREAM_CLOSED (§5.1: DATA/HEADERS after both sides ended)
};

// §5.1's rules for a frame received on a stream in `state`. A Closed stream here is one the connection
// still remembers (it closed recently); one it has forgotten is judged by the connection from the ids.
Verdict receive_verdict(StreamState state, StreamFrame frame);

// The transitions (§5.1's figure 2). Each returns the new state; the caller has checked the verdict.
StreamState on_receive_headers(StreamState state, bool end_stream);
StreamState on_receive_end_stream(StreamState state);
StreamState on_send_headers(StreamState state, bool end_stream);
StreamState on_send_end_stream(StreamState state);
inline StreamState on_reset(StreamState) {
  return StreamState::Closed;
}
inline StreamState on_send_push_promise(StreamState) {
  return StreamState::ReservedLocal;
}

// Whether the stream counts against SETTINGS_MAX_CONCURRENT_STREAMS (§5.1.2: open or half-closed).
inline bool is_active(StreamState s) {
  return s == StreamState::Open || s == StreamState::HalfClosedLocal || s == StreamState::HalfClosedRemote;
}

}  // namespace endhost::http2
