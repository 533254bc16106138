#include "http2/stream_state.hpp"

namespace endhost::http2 {

std::string_view to_string(StreamState state) {
  switch (state) {
    case StreamState::Idle:
      return "idle";
    case StreamState::ReservedLocal:
      return "reserved (local)";
    case StreamState::ReservedRemote:
      return "reserved (remote)";
    case StreamState::Open:
      return "open";
    case StreamState::HalfClosedLocal:
      return "half-closed (local)";
    case StreamState::HalfClosedRemote:
      return "half-closed (remote)";
    case StreamState::Closed:
      return "closed";
  }
  return "?";
}

Verdict receive_verdict(StreamState state, StreamFrame frame) {
  // PRIORITY is allowed in every state (§5.1, §6.3).
  if (frame == StreamFrame::PriorityParams) return Verdict::Accept;
  switch (state) {
    case StreamState::Idle:
      // §5.1 idle: only HEADERS (and PRIORITY) may be received.
      return frame == StreamFrame::Headers ? Verdict::Accept : Verdict::ConnectionProtocolError;
    case StreamState::ReservedLocal:
      // §5.1 reserved (local): RST_STREAM, PRIORITY, WINDOW_UPDATE; anything else is a PROTOCOL_ERROR.
      return frame == StreamFrame::RstStream || frame == StreamFrame::WindowUpdate
                 ? Verdict::Accept
                 : Verdict::ConnectionProtocolError;
    case StreamState::ReservedRemote:
      return Verdict::ConnectionProtocolError;
    case StreamState::Open:
    case StreamState::HalfClosedLocal:
      // A client never sends PUSH_PROMISE (§8.4); the connection rejects it before asking.
      return frame == StreamFrame::PushPromise ? Verdict::ConnectionProtocolError : Verdict::Accept;
    case StreamState::HalfClosedRemote:
      // §5.1 half-closed (remote): only WINDOW_UPDATE, PRIORITY, RST_STREAM; else a stream error.
      return frame == StreamFrame::RstStream || frame == StreamFrame::WindowUpdate ? Verdict::Accept
                                                                                   : Verdict::StreamClosed;
    case StreamState::Closed:
      // §5.1 closed: WINDOW_UPDATE and RST_STREAM can arrive for a short while after we ended the stream
      // and are ignored; DATA is a stream error STREAM_CLOSED; HEADERS (a new request on an old id) and
      // CONTINUATION are connection errors STREAM_CLOSED.
      switch (frame) {
        case StreamFrame::WindowUpdate:
        case StreamFrame::RstStream:
          return Verdict::Ignore;
        case StreamFrame::Data:
          return Verdict::StreamClosed;
        default:
          return Verdict::ConnectionStreamClosed;
      }
  }
  return Verdict::ConnectionProtocolError;
}

StreamState on_receive_headers(StreamState state, bool end_stream) {
  if (state == StreamState::Idle) return end_stream ? StreamState::HalfClosedRemote : StreamState::Open;
  // Trailers (§8.1) on an open stream must end it; the connection checks END_STREAM is set.
  return end_stream ? on_receive_end_stream(state) : state;
}

StreamState on_receive_end_stream(StreamState state) {
  switch (state) {
    case StreamState::Open:
      return StreamState::HalfClosedRemote;
    case StreamState::HalfClosedLocal:
      return StreamState::Closed;
    default:
      return state;
  }
}

StreamState on_send_headers(StreamState state, bool end_stream) {
  // A pushed response's HEADERS (§8.4.2) takes reserved (local) to half-closed (remote).
  if (state == StreamState::ReservedLocal) state = StreamState::HalfClosedRemote;
  return end_stream ? on_send_end_stream(state) : state;
}

StreamState on_send_end_stream(StreamState state) {
  switch (state) {
    case StreamState::Open:
      return StreamState::HalfClosedLocal;
    case StreamState::HalfClosedRemote:
      return StreamState::Closed;
    default:
      return state;
  }
}

}  // namespace endhost::http2
