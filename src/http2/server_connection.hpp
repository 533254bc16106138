// ServerConnection: the server side of one HTTP/2 connection (RFC 9113) over bytes, without I/O. The session
// feeds it what the client sent and writes what take_output() gives; requests come out through a
// ConnectionHandler as the same http::RequestHead the HTTP/1.1 server builds, and responses go in as a
// status, fields and a body (bytes or file extents). It owns the streams' states (§5.1), flow control in
// both directions (§5.2, §6.9), SETTINGS with their ACK timeout (§6.5), PING, GOAWAY, RST_STREAM, HPACK
// (RFC 7541), RFC 9218 priorities with a scheduler that interleaves responses, server push (§8.4), and the
// limits of ConnectionConfig. Time comes in as instants (core/clock.hpp).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "http/fields.hpp"
#include "http/request_parser.hpp"
#include "http2/connection_config.hpp"
#include "http2/flow_window.hpp"
#include "http2/frame/error_code.hpp"
#include "http2/frame/frame_reader.hpp"
#include "http2/frame/preface.hpp"
#include "http2/frame/settings.hpp"
#include "http2/frame_trace.hpp"
#include "http2/hpack/decoder.hpp"
#include "http2/hpack/encoder.hpp"
#include "http2/output.hpp"
#include "http2/priority.hpp"
#include "http2/request_head.hpp"
#include "http2/scheduler.hpp"
#include "http2/stream_state.hpp"
#include "http2/stream_table.hpp"

namespace endhost::http2 {

// The application's side. Calls come from inside receive(), tick() and take_output(); the handler may call
// the connection's submit functions from them.
class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  // A request's head. `end_stream`: it has no body. The head and its views stay valid until the stream ends
  // (on_complete or on_reset).
  virtual void on_request(std::uint32_t stream, const http::RequestHead& head, bool end_stream) = 0;
  // Request body bytes, valid during the call. Give them back with release() once consumed (the client's
  // window reopens only then). `end_stream` with empty data ends a body (or trailers arrived, §8.1).
  virtual void on_data(std::uint32_t stream, std::string_view data, bool end_stream) = 0;
  // The stream ended before its exchange was complete: reset by the client (`by_peer`) or by us (a stream
  // error or the connection's end). Nothing more may be submitted on it.
  virtual void on_reset(std::uint32_t stream, ErrorCode code, bool by_peer) = 0;
  // Request and response are both complete; the stream is gone.
  virtual void on_complete(std::uint32_t stream) = 0;
  // Everything submitted on the stream was sent but the body did not end: a streamed body may add more.
  virtual void on_drained(std::uint32_t /*stream*/) {}
  // take_output() made an Output::Extent of `length` file bytes of the stream: the session must keep the
  // file until it has sent them, even if the stream ends first.
  virtual void on_extent(std::uint32_t /*stream*/, std::uint32_t /*length*/) {}
};

class ServerConnection {
 public:
  // `trace`, when given, sees every frame from our SETTINGS on.
  ServerConnection(const ConnectionConfig& config, ConnectionHandler& handler, core::Instant now,
                   FrameTrace* trace = nullptr);
  ~ServerConnection();
  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;

  void set_trace(FrameTrace* trace) { trace_ = trace; }

  // Bytes from the client, the connection preface first (§3.4). After a connection error the rest is
  // ignored: GOAWAY is queued and closing() is true.
  void receive(std::string_view bytes, core::Instant now);
  // Checks the timers (SETTINGS ACK, stalls); next_deadline() says when to call again.
  void tick(core::Instant now);
  std::optional<core::Instant> next_deadline() const;

  // The response head: `status` and fields (any case: names are lowercased, connection-specific ones
  // dropped, §8.2). A 1xx status is interim (§8.1) and may come more than once. false if the stream is gone.
  bool submit_headers(std::uint32_t stream, int status, std::span<const http::FieldView> fields,
                      bool end_stream);
  // Body bytes, copied; `end_stream` ends the response. On a CONNECT answered 2xx (§8.5) it only half-closes
  // the tunnel: the client's DATA is still taken until its END_STREAM; otherwise a request still sending its
  // body is told to stop with RST_STREAM(NO_ERROR) (§8.1).
  bool submit_data(std::uint32_t stream, std::string_view data, bool end_stream);
  // Body bytes the session sends from the stream's file (Output::Extent).
  bool submit_extent(std::uint32_t stream, std::uint64_t length, bool end_stream);
  // Bytes submitted on the stream and not yet sent.
  std::uint64_t queued(std::uint32_t stream) const;
  // Request body bytes the handler has consumed: their credit goes back to the client.
  void release(std::uint32_t stream, std::size_t bytes);
  // Resets a stream of ours (RST_STREAM, §6.4); on_reset follows.
  void reset(std::uint32_t stream, ErrorCode code);
  // Promises a pushed response for `request` (a GET's pseudo-header and regular fields) on `parent` (§8.4):
  // the new stream's id, whose response is then submitted like any other, or nullopt when the client
  // disabled push, the parent cannot carry a promise, or too many pushes are in flight. A pushed request
  // is not handed to on_request: the caller serves request_head(id) itself.
  std::optional<std::uint32_t> push(std::uint32_t parent, std::span<const http::FieldView> request);
  // The request of a stream (a pushed one's, to serve it), or nullptr.
  const http::RequestHead* request_head(std::uint32_t stream) const;

  // A graceful end (§6.8): GOAWAY with the last stream we will serve; the streams below it finish, then
  // done() becomes true.
  void shutdown();

  // Moves what is ready to send into `out` (which the caller has emptied), DATA up to about `budget` bytes
  // in the scheduler's order.
  void take_output(Output& out, std::size_t budget = 256 * 1024);
  // Whether take_output() would give something now.
  bool wants_output() const;
  // GOAWAY was queued (an error, or shutdown()): send what take_output() gives, then close.
  bool closing() const { return goaway_sent_; }
  // Part of a frame or of a field block has arrived and the rest has not: the client owes us bytes now (the
  // session's header timeout applies rather than the idle one).
  bool mid_message() const { return reader_.buffered() > 0 || reader_.expecting_continuation() != 0; }
  // Nothing more will happen: every stream is over and GOAWAY went out (or the client's did and no stream
  // is left). Close once the output is written.
  bool done() const;
  // The error that ended the connection, if one did (for logs).
  std::optional<ErrorCode> error() const { return error_; }
  std::string_view error_reason() const { return error_reason_; }

  std::size_t open_streams() const { return active_; }
  const Settings& peer_settings() const { return peer_; }

 private:
  struct Stream;
  enum class BlockKind : std::uint8_t { request, trailers, discard };
  struct Closed {
    std::uint32_t id = 0;
    bool reset_by_us = false;
  };
  struct Piece {
    std::string bytes;         // memory body
    std::uint64_t extent = 0;  // or this many file bytes
    bool is_extent = false;
    std::size_t sent = 0;
    std::uint64_t remaining() const { return is_extent ? extent - sent : bytes.size() - sent; }
  };

  void on_frame(Frame& frame, core::Instant now);
  void on_data_frame(const Data& f);
  void on_headers_frame(const Headers& f);
  void on_continuation(const Continuation& f);
  void on_field_block();
  void open_request(bool too_large);
  void on_settings(const SettingsFrame& f, core::Instant now);
  void on_window_update(const WindowUpdate& f);
  void on_rst_stream(const RstStream& f);
  void on_priority_update(const PriorityUpdate& f);
  void on_goaway(const Goaway& f);

  Stream* find(std::uint32_t id) const;
  Stream& create(std::uint32_t id, StreamState state);
  // A stream error (§5.4.2): RST_STREAM with `code`, the stream closed and the handler told.
  void stream_error(std::uint32_t id, ErrorCode code);
  // A connection error (§5.4.1): GOAWAY with `code`, everything after ignored.
  void connection_error(ErrorCode code, std::string_view reason);
  // Ends a stream: `reset` tells the handler on_reset(code, by_peer) instead of on_complete (at the sweep).
  void close_stream(Stream& s, bool reset, ErrorCode code = ErrorCode::no_error, bool by_peer = false);
  const Closed* closed_recently(std::uint32_t id) const;
  void remember_closed(Closed c);
  bool is_idle(std::uint32_t id) const;
  void sweep();
  bool spend_flood(core::Instant now, std::uint32_t cost = 1);
  bool spend_reset(core::Instant now);
  void write_control(const Frame& frame);
  void trace_sent(const Frame& frame, std::string_view fields = {});
  void trace_received(const Frame& frame);
  void schedule(Stream& s);
  // Our END_STREAM went out: the stream ends now, or is reset with NO_ERROR if the client is still sending.
  void response_done(Stream& s);
  void produce_data(Output& out, std::size_t budget);
  void return_connection_credit(std::size_t bytes);
  void answer_too_large(Stream& s);

  ConnectionConfig config_;
  ConnectionHandler& handler_;
  FrameTrace* trace_ = nullptr;

  PrefaceReader preface_;
  FrameReader reader_;
  hpack::Decoder decoder_;
  hpack::Encoder encoder_;
  Settings peer_;   // the client's settings in force
  Settings local_;  // ours, as advertised

  StreamTable<std::unique_ptr<Stream>> streams_;  // a flat table: opening a stream allocates nothing
  // Closed streams' memory, reused by the thread's connections (an idle connection keeps none).
  static std::vector<std::unique_ptr<Stream>>& spare_streams();
  // Sent memory pieces' buffers (small responses' bodies), reused by the thread's streams.
  static std::vector<std::string>& spare_pieces();
  // What encoding a field block uses within one call, shared by the thread's connections.
  struct EncodeScratch {
    std::string lower;  // lowercased response field names
    std::vector<hpack::FieldView> fields;
    std::string block;  // the field block being encoded
  };
  static EncodeScratch& encode_scratch();
  std::vector<Stream*> closed_;  // streams to erase once no call is using them
  // For §5.1's "closed" rules after a stream is gone: a ring of the last kRecentlyClosed, grown as streams
  // close (a std::deque allocated 576 bytes up front, for every connection).
  std::vector<Closed> recently_closed_;
  std::size_t recently_next_ = 0;  // the ring's oldest entry, once it is full
  Scheduler scheduler_;

  SendWindow send_window_;
  ReceiveWindow receive_window_;

  std::string out_;    // control frames and HEADERS, in the order they must go
  std::string block_;  // a received field block being assembled over CONTINUATIONs
  std::uint32_t block_stream_ = 0;
  bool block_end_stream_ = false;
  BlockKind block_kind_ = BlockKind::discard;
  bool block_reset_ = false;  // the block's stream is already reset: decode it for HPACK's sake only
  std::vector<hpack::HeaderField> decoded_;

  std::uint32_t last_client_stream_ = 0;  // the highest client stream id seen (§5.1.1)
  std::uint32_t last_processed_ = 0;      // for GOAWAY: the highest stream we acted on
  std::uint32_t next_push_id_ = 2;
  std::size_t active_ = 0;  // client streams counting against MAX_CONCURRENT_STREAMS
  std::size_t pushes_ = 0;  // pushed streams not yet done

  // Budgets (ConnectionConfig): tokens left and when they were last refilled.
  double flood_tokens_;
  double reset_tokens_;
  core::Instant flood_refilled_;
  core::Instant reset_refilled_;

  std::optional<core::Instant> settings_deadline_;  // our SETTINGS is unacknowledged until then
  std::optional<core::Instant> stalled_since_;      // data waits on a window the client keeps shut
  core::Instant now_;

  bool goaway_sent_ = false;
  bool goaway_received_ = false;
  std::uint32_t goaway_last_ = 0;
  std::optional<ErrorCode> error_;
  std::string_view error_reason_;
  // PRIORITY_UPDATEs for streams not open yet (RFC 9218 §7.1), at most max_concurrent_streams of them.
  std::vector<std::pair<std::uint32_t, PriorityParams>> early_priorities_;
  std::size_t control_queued_ = 0;   // bytes of control frames in out_ (max_queued_control)
  bool connection_blocked_ = false;  // DATA waits for the connection window
  bool got_settings_ = false;        // the client's first frame was its SETTINGS (§3.4)
  bool settings_received_ = false;   // the first SETTINGS is free, the rest cost flood tokens
  int depth_ = 0;                    // public calls in progress (closed streams are swept at depth 0)
  std::string trace_line_;           // a HEADERS line waiting for its decoded fields
};

}  // namespace endhost::http2
