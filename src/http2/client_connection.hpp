// ClientConnection: the client side of one HTTP/2 connection (RFC 9113) over bytes, without I/O, for
// `endhost fetch --http2` and the lab's experiments. Requests go in as HPACK-ready fields; responses come
// out through a ClientHandler as status, fields and body pieces. It sends the preface and SETTINGS (§3.4),
// answers SETTINGS and PING, keeps both directions' flow control (§6.9), returns credit as bytes are
// delivered, and honours GOAWAY and the server's MAX_CONCURRENT_STREAMS. Server push (§8.4) is accepted
// only when asked for.
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

#include "http/fields.hpp"
#include "http2/flow_window.hpp"
#include "http2/frame/error_code.hpp"
#include "http2/frame/frame_reader.hpp"
#include "http2/frame/settings.hpp"
#include "http2/frame_trace.hpp"
#include "http2/hpack/decoder.hpp"
#include "http2/hpack/encoder.hpp"
#include "http2/stream_state.hpp"

namespace endhost::http2 {

class ClientHandler {
 public:
  virtual ~ClientHandler() = default;
  // A response head (interim when status < 200, and then more follow). `fields` are the regular fields,
  // valid during the call.
  virtual void on_response(std::uint32_t stream, int status, std::span<const hpack::HeaderField> fields,
                           bool end_stream) = 0;
  // Body bytes, valid during the call; `end_stream` with empty data ends the body (or trailers came).
  virtual void on_data(std::uint32_t stream, std::string_view data, bool end_stream) = 0;
  // The stream failed: the server reset it, its response was malformed, or the connection ended.
  virtual void on_reset(std::uint32_t stream, ErrorCode code) = 0;
  // The server promised `promised` on `parent` with these request fields (pseudo-headers included).
  virtual void on_push(std::uint32_t /*parent*/, std::uint32_t /*promised*/,
                       std::span<const hpack::HeaderField> /*request*/) {}
};

struct ClientConfig {
  std::uint32_t stream_window = 16u << 20;      // SETTINGS_INITIAL_WINDOW_SIZE
  std::uint32_t connection_window = 32u << 20;  // raised by WINDOW_UPDATE after the preface
  std::uint32_t max_header_list_size = 256 * 1024;
  bool accept_push = false;  // SETTINGS_ENABLE_PUSH
};

class ClientConnection {
 public:
  // `trace`, when given, sees every frame from the preface on.
  ClientConnection(const ClientConfig& config, ClientHandler& handler, FrameTrace* trace = nullptr);
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  void set_trace(FrameTrace* trace) { trace_ = trace; }

  // Opens a stream: `pseudo` (:method, :scheme, :authority, :path) then `fields` (any case; Host and
  // connection-specific ones are dropped, §8.2.2, §8.3.1). nullopt when the server's concurrency limit is
  // reached or the connection is going away.
  std::optional<std::uint32_t> request(std::span<const hpack::FieldView> pseudo,
                                       std::span<const http::FieldView> fields, bool end_stream);
  // Request body bytes (copied), sent as the windows allow.
  bool send_data(std::uint32_t stream, std::string_view data, bool end_stream);
  // Cancels a stream (RST_STREAM CANCEL).
  void cancel(std::uint32_t stream);
  // A graceful end: GOAWAY(NO_ERROR).
  void shutdown();

  // Bytes from the server.
  void receive(std::string_view bytes);
  // Appends what is ready to send to `out`.
  void take_output(std::string& out);
  bool wants_output() const { return !out_.empty() || has_sendable_; }

  // Whether another request() can open a stream now.
  bool can_request() const;
  std::size_t open_streams() const { return streams_.size(); }
  bool failed() const { return error_.has_value(); }
  std::optional<ErrorCode> error() const { return error_; }
  std::string_view error_reason() const { return error_reason_; }
  bool goaway_received() const { return goaway_received_; }
  const Settings& peer_settings() const { return peer_; }

 private:
  struct Stream {
    std::uint32_t id = 0;
    StreamState state = StreamState::Idle;
    SendWindow send;
    ReceiveWindow receive;
    std::string body;  // request body waiting for window
    std::size_t body_sent = 0;
    bool body_end = false;  // the body's end is queued
    bool final_seen = false;
    bool pushed = false;
  };

  void on_frame(const Frame& frame);
  void on_block();
  void deliver_headers(Stream& s, std::vector<hpack::HeaderField>& fields, bool end_stream);
  void stream_failed(std::uint32_t id, ErrorCode code, bool send_reset);
  void connection_error(ErrorCode code, std::string_view reason);
  // Every stream ends with `code` (the connection is over).
  void fail_all(ErrorCode code);
  void write(const Frame& frame);
  void flush_bodies();
  void return_credit(Stream* s, std::size_t bytes);
  Stream* find(std::uint32_t id);

  ClientConfig config_;
  ClientHandler& handler_;
  FrameTrace* trace_ = nullptr;
  FrameReader reader_;
  hpack::Decoder decoder_;
  hpack::Encoder encoder_;
  Settings peer_;
  Settings local_;
  std::unordered_map<std::uint32_t, std::unique_ptr<Stream>> streams_;
  SendWindow send_window_;
  ReceiveWindow receive_window_;
  std::string out_;
  std::string scratch_;
  std::string names_;
  std::vector<hpack::FieldView> encode_fields_;
  std::string block_;
  std::uint32_t block_stream_ = 0;
  std::uint32_t block_promised_ = 0;  // a PUSH_PROMISE's block
  bool block_end_stream_ = false;
  std::string block_trace_;
  std::vector<hpack::HeaderField> decoded_;
  std::uint32_t next_stream_ = 1;
  std::uint32_t last_server_stream_ = 0;
  bool goaway_received_ = false;
  bool goaway_sent_ = false;
  bool has_sendable_ = false;
  bool received_ = false;  // any byte from the server yet
  std::optional<ErrorCode> error_;
  std::string_view error_reason_;
};

}  // namespace endhost::http2
