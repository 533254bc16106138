#include "http2/server_connection.hpp"

#include <algorithm>
#include <cstring>

#include "http2/field_block.hpp"
#include "http2/frame/serializer.hpp"
#include "http2/frame/trace.hpp"

namespace endhost::http2 {

struct ServerConnection::Stream {
  std::uint32_t id = 0;
  StreamState state = StreamState::Idle;
  SendWindow send;
  ReceiveWindow receive;
  Scheduler::Node node;
  // The request: decoded fields (owned), their views, and the head built over them.
  std::vector<hpack::HeaderField> fields;
  std::vector<http::FieldView> views;
  RequestStorage storage;
  http::RequestHead head;
  std::optional<std::uint64_t> content_length;
  std::uint64_t body_received = 0;
  std::size_t unreleased = 0;  // body bytes handed to the handler and not yet released
  // The response.
  std::deque<Piece> pieces;
  std::uint64_t queued = 0;
  bool final_sent = false;  // a final (non-1xx) HEADERS went out
  bool end_queued = false;  // the body's end is submitted
  bool end_sent = false;
  bool pushed = false;
  bool ours = false;    // answered by the connection itself (431): the handler never saw it
  bool tunnel = false;  // a CONNECT answered 2xx (§8.5): END_STREAM is a half-close, not the exchange's end
  // Closing: the outcome the sweep reports.
  bool closing = false;
  bool reset = false;
  bool reset_by_peer = false;
  ErrorCode reset_code = ErrorCode::no_error;
  std::optional<core::Instant> blocked_since;  // waiting on its own window

  void recycle(std::uint32_t new_id, StreamState new_state, std::int64_t send_window,
               std::int64_t receive_window) {
    id = new_id;
    state = new_state;
    send = SendWindow(send_window);
    receive = ReceiveWindow(receive_window);
    node = Scheduler::Node{};
    node.stream_id = new_id;
    // `fields` keeps the last request's strings: open_request swaps them into decoded_, whose next block is
    // decoded over them (no allocation for a field no longer than the one it replaces).
    views.clear();
    head = http::RequestHead{};
    content_length.reset();
    body_received = 0;
    unreleased = 0;
    pieces.clear();
    queued = 0;
    final_sent = end_queued = end_sent = pushed = ours = tunnel = false;
    closing = reset = reset_by_peer = false;
    reset_code = ErrorCode::no_error;
    blocked_since.reset();
  }
};

namespace {

constexpr std::size_t kRecentlyClosed = 32;
// Closed streams kept for reuse per thread.
constexpr std::size_t kSpareStreams = 1024;
// Sent memory pieces' buffers kept per thread for the next ones: this many, of at most kSpareBytesKept.
constexpr std::size_t kSparePieces = 256;
constexpr std::size_t kSpareBytesKept = 4096;

hpack::DecoderLimits decoder_limits(const ConnectionConfig& c) {
  return hpack::DecoderLimits{c.header_table_size, c.max_header_list_size};
}

void append_status(char (&out)[3], int status) {
  const int s = std::clamp(status, 100, 999);
  out[0] = static_cast<char>('0' + s / 100);
  out[1] = static_cast<char>('0' + s / 10 % 10);
  out[2] = static_cast<char>('0' + s % 10);
}

}  // namespace

ServerConnection::ServerConnection(const ConnectionConfig& config, ConnectionHandler& handler,
                                   core::Instant now, FrameTrace* trace)
    : config_(config),
      handler_(handler),
      trace_(trace),
      reader_(config.max_frame_size),
      decoder_(decoder_limits(config)),
      encoder_(hpack::EncoderOptions{}),
      receive_window_(kDefaultWindow),
      flood_tokens_(config.flood_budget),
      reset_tokens_(config.reset_budget),
      flood_refilled_(now),
      reset_refilled_(now),
      now_(now) {
  // Windows below the initial 65,535 could be overrun before the client has read our SETTINGS.
  config_.stream_window = std::max<std::uint32_t>(config_.stream_window, kDefaultWindow);
  config_.connection_window = std::max<std::uint32_t>(config_.connection_window, kDefaultWindow);
  local_.max_concurrent_streams = config_.max_concurrent_streams;
  local_.initial_window_size = config_.stream_window;
  local_.max_frame_size =
      std::clamp<std::uint32_t>(config_.max_frame_size, kDefaultMaxFrameSize, kMaxAllowedFrameSize);
  local_.max_header_list_size = config_.max_header_list_size;
  local_.header_table_size = config_.header_table_size;
  local_.no_rfc7540_priorities = true;  // RFC 9218 §2.1: we schedule by the priority field, not the tree
  // §3.4: the server's preface is its SETTINGS, first thing on the connection.
  write_control(SettingsFrame{false, local_.changes_from()});
  if (config_.connection_window > kDefaultWindow) {
    write_control(WindowUpdate{0, config_.connection_window - static_cast<std::uint32_t>(kDefaultWindow)});
    receive_window_.resize(config_.connection_window);
  }
  settings_deadline_ = now + config_.settings_timeout;
  control_queued_ = 0;  // our own SETTINGS are not the client's doing
}

ServerConnection::~ServerConnection() {
  for (auto& [id, s] : streams_) scheduler_.remove(s->node);
}

// ---- input -------------------------------------------------------------------------------------------

void ServerConnection::receive(std::string_view bytes, core::Instant now) {
  ++depth_;
  now_ = now;
  if (!preface_.done() && !error_) {
    auto r = preface_.consume(bytes);
    if (!r) {
      connection_error(ErrorCode::protocol_error, "not the HTTP/2 connection preface");
    } else if (!*r) {
      bytes = {};
    }
  }
  while (!error_ && !bytes.empty()) {
    auto r = reader_.next(bytes);
    if (!r) {
      const FrameError& e = r.error();
      if (e.connection) {
        connection_error(e.code, e.reason);
        break;
      }
      // A stream error consumed its frame (frame_reader.hpp): reset the stream, read on. §5.1: RST_STREAM is
      // never sent on an idle stream, and a frame other than HEADERS or PRIORITY there is a connection error.
      if (is_idle(e.stream_id)) {
        connection_error(e.code, e.reason);
        break;
      }
      if (!spend_flood(now_)) break;
      stream_error(e.stream_id, e.code);
      continue;
    }
    if (!r->has_value()) break;
    on_frame(**r, now);
  }
  --depth_;
  sweep();
}

void ServerConnection::on_frame(Frame& frame, core::Instant now) {
  // §3.4: the client's preface ends with a SETTINGS frame.
  if (!got_settings_) {
    const auto* settings = std::get_if<SettingsFrame>(&frame);
    if (settings == nullptr || settings->ack) {
      connection_error(ErrorCode::protocol_error, "the client preface must end with SETTINGS");
      return;
    }
    got_settings_ = true;
  }
  if (!std::holds_alternative<Headers>(frame) && !std::holds_alternative<Continuation>(frame)) {
    trace_received(frame);
  }
  std::visit(
      [&](auto& f) {
        using T = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<T, Data>) {
          on_data_frame(f);
        } else if constexpr (std::is_same_v<T, Headers>) {
          on_headers_frame(f);
        } else if constexpr (std::is_same_v<T, Continuation>) {
          on_continuation(f);
        } else if constexpr (std::is_same_v<T, Priority>) {
          // RFC 7540 priorities are accepted and not acted on (RFC 9218 §2.1); §5.3.1: a stream cannot
          // depend on itself, a stream error; but §5.1 forbids RST_STREAM on an idle stream (PRIORITY is
          // the one frame an idle stream may get, §6.3), so there it can only be a connection error.
          if (!spend_flood(now)) return;
          if (f.priority.dependency == f.stream_id) {
            if (is_idle(f.stream_id)) {
              connection_error(ErrorCode::protocol_error, "PRIORITY makes an idle stream depend on itself");
            } else {
              stream_error(f.stream_id, ErrorCode::protocol_error);
            }
          }
        } else if constexpr (std::is_same_v<T, RstStream>) {
          on_rst_stream(f);
        } else if constexpr (std::is_same_v<T, SettingsFrame>) {
          on_settings(f, now);
        } else if constexpr (std::is_same_v<T, PushPromise>) {
          connection_error(ErrorCode::protocol_error, "PUSH_PROMISE from a client");  // §8.4
        } else if constexpr (std::is_same_v<T, Ping>) {
          if (!spend_flood(now)) return;
          if (f.ack) return;                    // we send no PINGs of our own to be answered
          write_control(Ping{true, f.opaque});  // §6.7
        } else if constexpr (std::is_same_v<T, Goaway>) {
          on_goaway(f);
        } else if constexpr (std::is_same_v<T, WindowUpdate>) {
          on_window_update(f);
        } else if constexpr (std::is_same_v<T, PriorityUpdate>) {
          on_priority_update(f);
        } else {
          spend_flood(now);  // §4.1, §5.5: unknown types are ignored, but they are not free
        }
      },
      frame);
}

bool ServerConnection::is_idle(std::uint32_t id) const {
  if (id % 2 == 1) return id > last_client_stream_;
  return id >= next_push_id_;
}

const ServerConnection::Closed* ServerConnection::closed_recently(std::uint32_t id) const {
  for (const Closed& c : recently_closed_) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

void ServerConnection::on_headers_frame(const Headers& f) {
  const std::uint32_t id = f.stream_id;
  if (trace_) {
    trace_line_ = trace_line(Frame(f));
    if (!f.end_headers) {
      trace_->frame(true, trace_line_);
      trace_line_.clear();
    }
  }
  if (id % 2 == 0) {
    connection_error(ErrorCode::protocol_error, "HEADERS on a server stream id");  // §5.1.1
    return;
  }
  block_stream_ = id;
  block_end_stream_ = f.end_stream;
  block_reset_ = false;
  Stream* s = find(id);
  if (s == nullptr) {
    const Closed* closed = is_idle(id) ? nullptr : closed_recently(id);
    if (closed != nullptr && closed->reset_by_us) {
      // §5.1 closed: after our RST_STREAM, frames the client sent before it saw it are ignored, but a field
      // block is still decoded to keep HPACK in step (§4.3): trailers, typically.
      block_kind_ = BlockKind::discard;
    } else if (!is_idle(id)) {
      // A stream that is gone. §5.1: HEADERS on a closed stream is a connection error STREAM_CLOSED;
      // §5.1.1: a new stream id that is not above every earlier one is a PROTOCOL_ERROR.
      if (closed != nullptr) {
        connection_error(ErrorCode::stream_closed, "HEADERS on a closed stream");
      } else {
        connection_error(ErrorCode::protocol_error, "stream id below an earlier one");
      }
      return;
    } else {
      block_kind_ = (goaway_sent_ && id > goaway_last_) ? BlockKind::discard : BlockKind::request;
    }
  } else {
    switch (receive_verdict(s->state, StreamFrame::Headers)) {
      case Verdict::Accept:
        block_kind_ = BlockKind::trailers;
        break;
      case Verdict::StreamClosed:
        block_kind_ = BlockKind::discard;
        stream_error(id, ErrorCode::stream_closed);
        break;
      case Verdict::ConnectionStreamClosed:
        connection_error(ErrorCode::stream_closed, "HEADERS on a closed stream");
        return;
      default:
        connection_error(ErrorCode::protocol_error, "HEADERS not allowed in the stream's state");
        return;
    }
  }
  if (f.priority && f.priority->dependency == id) {
    // §5.3.1: a stream error, but the block must still be decoded to keep HPACK in step (§4.3).
    block_reset_ = true;
  }
  if (f.fragment.size() > config_.max_field_block) {
    connection_error(ErrorCode::enhance_your_calm, "field block too large");
    return;
  }
  if (f.fragment.empty() && !f.end_headers && !spend_flood(now_)) return;
  block_.assign(f.fragment);
  if (f.end_headers) on_field_block();
}

void ServerConnection::on_continuation(const Continuation& f) {
  if (trace_) {
    trace_line_ = trace_line(Frame(f));
    if (!f.end_headers) {
      trace_->frame(true, trace_line_);
      trace_line_.clear();
    }
  }
  // The reader has checked that it continues block_stream_'s block (§6.10).
  if (block_.size() + f.fragment.size() > config_.max_field_block) {
    connection_error(ErrorCode::enhance_your_calm, "field block too large");  // a CONTINUATION flood
    return;
  }
  if (f.fragment.empty() && !f.end_headers && !spend_flood(now_)) return;
  block_.append(f.fragment);
  if (f.end_headers) on_field_block();
}

void ServerConnection::on_field_block() {
  // Over the strings of an earlier block (the last stream's, swapped in by open_request): a request's fields
  // are about the same each time, so their buffers are reused rather than allocated per field.
  std::size_t decoded = 0;
  auto r = decoder_.decode(block_, [this, &decoded](const hpack::FieldView& f) {
    if (decoded < decoded_.size()) {
      hpack::HeaderField& d = decoded_[decoded];
      d.name.assign(f.name);
      d.value.assign(f.value);
      d.never_indexed = f.never_indexed;
    } else {
      decoded_.push_back({std::string(f.name), std::string(f.value), f.never_indexed});
    }
    ++decoded;
  });
  decoded_.resize(decoded);
  bool too_large = false;
  if (!r) {
    if (hpack::is_compression_error(r.error())) {
      connection_error(ErrorCode::compression_error, hpack::describe(r.error()));
      return;
    }
    too_large = true;  // §10.5.1: answered with 431; the table is still in step
  }
  if (trace_ && !trace_line_.empty()) {
    append_fields_trace(trace_line_, decoded_);
    trace_->frame(true, trace_line_);
    trace_line_.clear();
  }
  const std::uint32_t id = block_stream_;
  if (block_reset_) {
    if (block_kind_ == BlockKind::request) last_client_stream_ = std::max(last_client_stream_, id);
    stream_error(id, ErrorCode::protocol_error);
    return;
  }
  switch (block_kind_) {
    case BlockKind::discard:
      if (is_idle(id) && id % 2 == 1) last_client_stream_ = id;
      return;
    case BlockKind::trailers: {
      Stream* s = find(id);
      if (s == nullptr) return;
      std::vector<http::FieldView> views;
      views.reserve(decoded_.size());
      for (const auto& f : decoded_) views.push_back({f.name, f.value});
      // §8.1: trailers end the stream; anything else after the head is malformed.
      if (!block_end_stream_ || too_large || !check_trailers(views) ||
          (s->content_length && *s->content_length != s->body_received)) {
        stream_error(id, ErrorCode::protocol_error);
        return;
      }
      s->state = on_receive_headers(s->state, true);
      if (!s->ours) handler_.on_data(id, {}, true);
      if (s->state == StreamState::Closed) close_stream(*s, false);
      return;
    }
    case BlockKind::request:
      open_request(too_large);
      return;
  }
}

void ServerConnection::open_request(bool too_large) {
  const std::uint32_t id = block_stream_;
  last_client_stream_ = id;
  if (active_ >= config_.max_concurrent_streams) {
    // §5.1.2: over the limit: refused, and the client may retry it (§8.7). A client that keeps doing it
    // spends the flood budget.
    if (!spend_flood(now_)) return;
    stream_error(id, ErrorCode::refused_stream);
    return;
  }
  Stream& s = create(id, StreamState::Idle);
  s.state = on_receive_headers(StreamState::Idle, block_end_stream_);
  ++active_;
  last_processed_ = id;
  if (too_large) {
    answer_too_large(s);
    return;
  }
  s.fields.swap(decoded_);  // the stream keeps the strings; decoded_ gets the spare vector back
  s.views.clear();
  s.views.reserve(s.fields.size());
  for (const auto& f : s.fields) s.views.push_back({f.name, f.value});
  auto head = build_request_head(s.views, s.storage, s.head);
  if (!head) {
    s.ours = true;                                // the handler never sees it, so hears nothing of its end
    stream_error(id, ErrorCode::protocol_error);  // §8.1.1: malformed
    return;
  }
  s.content_length = *head;
  if (block_end_stream_ && s.content_length.value_or(0) != 0) {
    s.ours = true;
    stream_error(id, ErrorCode::protocol_error);  // §8.1.1: the length promised a body that never came
    return;
  }
  if (!block_end_stream_ && !s.content_length) {
    // A body of unknown length, delimited by END_STREAM: chunked is the HTTP/1 framing that says so.
    s.head.framing = http::Framing{http::BodyKind::chunked, 0};
  }
  // RFC 9218 §5: the priority header field; §7.1: a PRIORITY_UPDATE that came first wins.
  if (auto p = s.head.fields.get("priority")) s.node.priority = parse_priority(*p);
  for (auto it = early_priorities_.begin(); it != early_priorities_.end(); ++it) {
    if (it->first == id) {
      s.node.priority = it->second;
      early_priorities_.erase(it);
      break;
    }
  }
  handler_.on_request(id, s.head, block_end_stream_);
}

void ServerConnection::answer_too_large(Stream& s) {
  s.ours = true;
  static constexpr http::FieldView kFields[] = {{"content-length", "0"}};
  submit_headers(s.id, 431, kFields, true);
}

void ServerConnection::on_data_frame(const Data& f) {
  const std::uint32_t id = f.stream_id;
  const std::uint32_t length = f.flow_controlled_length();
  // CVE-2019-9518: an empty DATA frame that does not end the stream is work for nothing, on whatever stream.
  if (f.data.empty() && !f.end_stream && !spend_flood(now_)) return;
  // §6.9: DATA counts against the connection's window whatever becomes of its stream.
  if (!receive_window_.receive(length)) {
    connection_error(ErrorCode::flow_control_error, "DATA beyond the connection window");
    return;
  }
  Stream* s = find(id);
  if (s == nullptr) {
    return_connection_credit(length);
    if (is_idle(id)) {
      connection_error(ErrorCode::protocol_error, "DATA on an idle stream");  // §5.1 idle
      return;
    }
    // §5.1 closed: after our RST_STREAM, frames in flight are ignored; after a normal close, DATA is a
    // stream error STREAM_CLOSED.
    const Closed* c = closed_recently(id);
    if (c != nullptr && !c->reset_by_us) stream_error(id, ErrorCode::stream_closed);
    return;
  }
  switch (receive_verdict(s->state, StreamFrame::Data)) {
    case Verdict::Accept:
      break;
    case Verdict::Ignore:
      return_connection_credit(length);
      return;
    case Verdict::StreamClosed:
      return_connection_credit(length);
      stream_error(id, ErrorCode::stream_closed);
      return;
    case Verdict::ConnectionStreamClosed:
      connection_error(ErrorCode::stream_closed, "DATA on a closed stream");
      return;
    case Verdict::ConnectionProtocolError:
      connection_error(ErrorCode::protocol_error, "DATA not allowed in the stream's state");
      return;
  }
  if (!s->receive.receive(length)) {
    return_connection_credit(length);
    stream_error(id, ErrorCode::flow_control_error);  // §6.9.1 on a stream: a stream error
    return;
  }
  // Padding is nobody's to consume: its credit goes back at once.
  const std::size_t padding = length - f.data.size();
  if (padding > 0) {
    s->receive.release(static_cast<std::int64_t>(padding));
    if (!f.end_stream) {
      if (const std::int64_t inc = s->receive.take_update(); inc > 0) {
        write_control(WindowUpdate{id, static_cast<std::uint32_t>(inc)});
      }
    }
    return_connection_credit(padding);
    if (error_) return;  // the updates overflowed the control queue
  }
  s->body_received += f.data.size();
  if (s->content_length &&
      (s->body_received > *s->content_length || (f.end_stream && s->body_received != *s->content_length))) {
    return_connection_credit(f.data.size());
    stream_error(id, ErrorCode::protocol_error);  // §8.1.1: content-length does not match
    return;
  }
  if (f.end_stream) s->state = on_receive_end_stream(s->state);
  if (s->ours) {
    return_connection_credit(f.data.size());
  } else {
    s->unreleased += f.data.size();
    handler_.on_data(id, f.data, f.end_stream);
  }
  if (s->state == StreamState::Closed && !s->closing) close_stream(*s, false);
}

void ServerConnection::on_settings(const SettingsFrame& f, core::Instant now) {
  // Every SETTINGS but the client's first costs, ACKs too (we sent one SETTINGS: only one ACK is due).
  if (settings_received_ && !spend_flood(now)) return;
  settings_received_ = true;
  if (f.ack) {
    settings_deadline_.reset();  // §6.5.3
    return;
  }
  const std::uint32_t old_window = peer_.initial_window_size;
  const std::uint32_t old_table = peer_.header_table_size;
  auto applied = peer_.apply(f.settings);
  if (!applied) {
    connection_error(applied.error().code, applied.error().reason);
    return;
  }
  // §6.9.2: the change of INITIAL_WINDOW_SIZE moves every stream's send window.
  const std::int64_t delta = static_cast<std::int64_t>(peer_.initial_window_size) - old_window;
  if (delta != 0) {
    for (auto& [id, s] : streams_) {
      if (!s->send.adjust(delta)) {
        connection_error(ErrorCode::flow_control_error, "INITIAL_WINDOW_SIZE overflows a stream window");
        return;
      }
      if (delta > 0) schedule(*s);
    }
  }
  if (peer_.header_table_size != old_table) encoder_.set_peer_header_table_size(peer_.header_table_size);
  write_control(SettingsFrame{true, {}});
}

void ServerConnection::on_window_update(const WindowUpdate& f) {
  if (f.stream_id == 0) {
    if (!send_window_.grant(f.increment)) {
      connection_error(ErrorCode::flow_control_error, "connection window past 2^31-1");  // §6.9.1
      return;
    }
    connection_blocked_ = false;
    stalled_since_.reset();
    return;
  }
  // Tiny increments are how a client dribbles data out of us (CVE-2019-9511): they cost.
  // A client whose own INITIAL_WINDOW_SIZE is that small is not dribbling (§6.9 allows any window).
  const std::uint32_t tiny = std::min(config_.min_data_frame, peer_.initial_window_size);
  if (f.increment < tiny && !spend_flood(now_)) return;
  Stream* s = find(f.stream_id);
  if (s == nullptr) {
    if (is_idle(f.stream_id)) connection_error(ErrorCode::protocol_error, "WINDOW_UPDATE on an idle stream");
    return;
  }
  const Verdict v = receive_verdict(s->state, StreamFrame::WindowUpdate);
  if (v == Verdict::Ignore) return;
  if (v != Verdict::Accept) {
    connection_error(ErrorCode::protocol_error, "WINDOW_UPDATE not allowed in the stream's state");
    return;
  }
  if (!s->send.grant(f.increment)) {
    stream_error(f.stream_id, ErrorCode::flow_control_error);
    return;
  }
  schedule(*s);
}

void ServerConnection::on_rst_stream(const RstStream& f) {
  Stream* s = find(f.stream_id);
  if (s == nullptr) {
    if (is_idle(f.stream_id)) connection_error(ErrorCode::protocol_error, "RST_STREAM on an idle stream");
    return;  // §5.1 closed: ignored
  }
  if (receive_verdict(s->state, StreamFrame::RstStream) != Verdict::Accept) return;
  // A stream reset before we finished answering it is work thrown away: CVE-2023-44487's rapid reset.
  if (!s->end_sent && !spend_reset(now_)) return;
  s->state = on_reset(s->state);
  close_stream(*s, true, f.error, true);
}

void ServerConnection::on_priority_update(const PriorityUpdate& f) {
  if (!spend_flood(now_)) return;
  const std::uint32_t id = f.prioritized_stream_id;
  // RFC 9218 §7.1: it names a client stream; 0 or a push stream is a PROTOCOL_ERROR.
  if (id == 0 || id % 2 == 0) {
    connection_error(ErrorCode::protocol_error, "PRIORITY_UPDATE for a stream that is not the client's");
    return;
  }
  const PriorityParams p = parse_priority(f.field_value);
  if (Stream* s = find(id)) {
    scheduler_.reprioritize(s->node, p);
    return;
  }
  if (!is_idle(id)) return;  // closed: nothing to do
  for (auto& [early_id, params] : early_priorities_) {
    if (early_id == id) {
      params = p;
      return;
    }
  }
  if (early_priorities_.size() < config_.max_concurrent_streams) early_priorities_.emplace_back(id, p);
}

void ServerConnection::on_goaway(const Goaway& f) {
  goaway_received_ = true;
  // §6.8: pushed streams above the client's last id will not be processed.
  for (auto& [id, s] : streams_) {
    if (s->pushed && id > f.last_stream_id && !s->closing) close_stream(*s, true, ErrorCode::refused_stream);
  }
}

// ---- streams -----------------------------------------------------------------------------------------

ServerConnection::Stream* ServerConnection::find(std::uint32_t id) const {
  const std::unique_ptr<Stream>* s = streams_.find(id);
  if (s == nullptr || (*s)->closing) return nullptr;
  return s->get();
}

std::vector<std::string>& ServerConnection::spare_pieces() {
  thread_local std::vector<std::string> spare;
  return spare;
}

std::vector<std::unique_ptr<ServerConnection::Stream>>& ServerConnection::spare_streams() {
  thread_local std::vector<std::unique_ptr<Stream>> spare;
  return spare;
}

void ServerConnection::remember_closed(Closed c) {
  if (recently_closed_.size() < kRecentlyClosed) {
    recently_closed_.push_back(c);
    return;
  }
  recently_closed_[recently_next_] = c;  // over the oldest
  recently_next_ = (recently_next_ + 1) % kRecentlyClosed;
}

ServerConnection::EncodeScratch& ServerConnection::encode_scratch() {
  thread_local EncodeScratch scratch;
  return scratch;
}

ServerConnection::Stream& ServerConnection::create(std::uint32_t id, StreamState state) {
  std::unique_ptr<Stream> s;
  auto& spare = spare_streams();
  if (!spare.empty()) {
    s = std::move(spare.back());
    spare.pop_back();
  } else {
    s = std::make_unique<Stream>();
  }
  s->recycle(id, state, peer_.initial_window_size, config_.stream_window);
  Stream& ref = *s;
  streams_[id] = std::move(s);
  return ref;
}

void ServerConnection::stream_error(std::uint32_t id, ErrorCode code) {
  if (id == 0) {
    connection_error(code, "stream error on stream 0");
    return;
  }
  write_control(RstStream{id, code});
  Stream* s = find(id);
  if (s != nullptr) {
    s->state = on_reset(s->state);
    close_stream(*s, true, code, false);
  }
  for (Closed& c : recently_closed_) {
    if (c.id == id) {
      c.reset_by_us = true;
      return;
    }
  }
  remember_closed({id, true});
}

void ServerConnection::reset(std::uint32_t stream, ErrorCode code) {
  ++depth_;
  if (find(stream) != nullptr) stream_error(stream, code);
  --depth_;
  sweep();
}

void ServerConnection::connection_error(ErrorCode code, std::string_view reason) {
  if (error_) return;
  error_ = code;
  error_reason_ = reason;
  // §5.4.1: GOAWAY with the last stream we may have acted on, then close.
  if (!goaway_sent_) {
    write_control(Goaway{last_processed_, code, reason});
    goaway_sent_ = true;
  }
  for (auto& [id, s] : streams_) {
    if (!s->closing) close_stream(*s, true, code, false);
  }
}

void ServerConnection::close_stream(Stream& s, bool reset, ErrorCode code, bool by_peer) {
  if (s.closing) return;
  scheduler_.remove(s.node);
  if (scheduler_.empty()) stalled_since_.reset();  // nothing waits on the connection window any more
  if (!s.pushed && s.id % 2 == 1) --active_;
  if (s.pushed) --pushes_;
  s.closing = true;
  s.reset = reset;
  s.reset_code = code;
  s.reset_by_peer = by_peer;
  s.state = StreamState::Closed;
  // Body bytes the handler will no longer release are the connection's to give back.
  if (s.unreleased > 0) {
    return_connection_credit(s.unreleased);
    s.unreleased = 0;
  }
  if (!reset || by_peer) {
    if (closed_recently(s.id) == nullptr) {
      remember_closed({s.id, false});
    }
  }
  closed_.push_back(&s);
}

void ServerConnection::sweep() {
  if (depth_ > 0) return;
  ++depth_;
  // The handler may close more streams from its callbacks; take them in turn.
  for (std::size_t i = 0; i < closed_.size(); ++i) {
    Stream* s = closed_[i];
    if (!s->ours) {
      if (s->reset) {
        handler_.on_reset(s->id, s->reset_code, s->reset_by_peer);
      } else {
        handler_.on_complete(s->id);
      }
    }
  }
  for (Stream* s : closed_) {
    std::unique_ptr<Stream>* slot = streams_.find(s->id);
    if (slot != nullptr && slot->get() == s) {
      std::unique_ptr<Stream> owned = std::move(*slot);
      streams_.erase(s->id);
      if (auto& spare = spare_streams(); spare.size() < kSpareStreams) {
        owned->pieces.clear();
        spare.push_back(std::move(owned));
      }
    }
  }
  closed_.clear();
  --depth_;
}

bool ServerConnection::spend_flood(core::Instant now, std::uint32_t cost) {
  const double elapsed = std::chrono::duration<double>(now - flood_refilled_).count();
  if (elapsed > 0) {
    flood_tokens_ =
        std::min<double>(config_.flood_budget, flood_tokens_ + elapsed * config_.flood_refill_per_second);
    flood_refilled_ = now;
  }
  flood_tokens_ -= cost;
  if (flood_tokens_ < 0) {
    connection_error(ErrorCode::enhance_your_calm, "too many frames that do no work");
    return false;
  }
  return true;
}

bool ServerConnection::spend_reset(core::Instant now) {
  const double elapsed = std::chrono::duration<double>(now - reset_refilled_).count();
  if (elapsed > 0) {
    reset_tokens_ =
        std::min<double>(config_.reset_budget, reset_tokens_ + elapsed * config_.reset_refill_per_second);
    reset_refilled_ = now;
  }
  reset_tokens_ -= 1;
  if (reset_tokens_ < 0) {
    connection_error(ErrorCode::enhance_your_calm, "too many streams reset (rapid reset)");
    return false;
  }
  return true;
}

// ---- timers ------------------------------------------------------------------------------------------

void ServerConnection::tick(core::Instant now) {
  ++depth_;
  now_ = now;
  if (!error_) {
    if (settings_deadline_ && now >= *settings_deadline_) {
      connection_error(ErrorCode::settings_timeout, "SETTINGS not acknowledged");  // §6.5.3
    } else if (stalled_since_ && now - *stalled_since_ >= config_.stall_timeout) {
      connection_error(ErrorCode::enhance_your_calm, "the client kept the connection window shut");
    } else {
      std::vector<std::uint32_t> stalled;
      for (auto& [id, s] : streams_) {
        if (!s->closing && s->blocked_since && now - *s->blocked_since >= config_.stall_timeout) {
          stalled.push_back(id);
        }
      }
      for (std::uint32_t id : stalled) stream_error(id, ErrorCode::cancel);
    }
  }
  --depth_;
  sweep();
}

std::optional<core::Instant> ServerConnection::next_deadline() const {
  if (error_) return std::nullopt;
  std::optional<core::Instant> next = settings_deadline_;
  auto consider = [&](core::Instant t) {
    if (!next || t < *next) next = t;
  };
  if (stalled_since_) consider(*stalled_since_ + config_.stall_timeout);
  for (const auto& [id, s] : streams_) {
    if (s->blocked_since && !s->closing) consider(*s->blocked_since + config_.stall_timeout);
  }
  return next;
}

// ---- responses ---------------------------------------------------------------------------------------

bool ServerConnection::submit_headers(std::uint32_t stream, int status,
                                      std::span<const http::FieldView> fields, bool end_stream) {
  Stream* s = find(stream);
  if (s == nullptr || error_ || s->final_sent) return false;
  if (s->state != StreamState::Open && s->state != StreamState::HalfClosedRemote &&
      s->state != StreamState::ReservedLocal) {
    return false;
  }
  ++depth_;
  const bool interim = status < 200;
  char status_text[3];
  append_status(status_text, status);
  const hpack::FieldView pseudo[] = {{":status", std::string_view(status_text, 3), false}};
  EncodeScratch& x = encode_scratch();
  lowercase_fields(pseudo, fields, x.lower, x.fields);
  x.block.clear();
  encoder_.encode(x.fields, x.block);
  const bool ends = end_stream && !interim;
  append_headers_frames(out_, stream, x.block, ends, peer_.max_frame_size);
  if (trace_) {
    std::string line = trace_line(Frame(Headers{stream, x.block, ends, true, std::nullopt, std::nullopt}));
    append_fields_trace(line, x.fields);
    trace_->frame(false, line);
  }
  if (!interim) {
    s->final_sent = true;
    // §8.5: the client's DATA goes on after our END_STREAM (the origin's FIN) until its own END_STREAM.
    s->tunnel = s->head.method_id == http::Method::connect && status < 300;
    s->state = on_send_headers(s->state, ends);
    if (ends) {
      s->end_queued = s->end_sent = true;
      response_done(*s);
    }
  }
  --depth_;
  sweep();
  return true;
}

bool ServerConnection::submit_data(std::uint32_t stream, std::string_view data, bool end_stream) {
  Stream* s = find(stream);
  if (s == nullptr || error_ || !s->final_sent || s->end_queued) return false;
  if (!s->pieces.empty() && !s->pieces.back().is_extent) {
    s->pieces.back().bytes.append(data);
  } else {
    Piece p;
    if (auto& spare = spare_pieces(); !spare.empty()) {  // no allocation once the thread has sent pieces
      p.bytes = std::move(spare.back());
      spare.pop_back();
    }
    p.bytes.assign(data);
    s->pieces.push_back(std::move(p));
  }
  s->queued += data.size();
  s->end_queued = end_stream;
  schedule(*s);
  return true;
}

bool ServerConnection::submit_extent(std::uint32_t stream, std::uint64_t length, bool end_stream) {
  Stream* s = find(stream);
  if (s == nullptr || error_ || !s->final_sent || s->end_queued) return false;
  if (length > 0 || s->pieces.empty()) {
    Piece p;
    p.is_extent = true;
    p.extent = length;
    s->pieces.push_back(std::move(p));
  }
  s->queued += length;
  s->end_queued = end_stream;
  schedule(*s);
  return true;
}

std::uint64_t ServerConnection::queued(std::uint32_t stream) const {
  const Stream* s = find(stream);
  return s == nullptr ? 0 : s->queued;
}

void ServerConnection::release(std::uint32_t stream, std::size_t bytes) {
  Stream* s = find(stream);
  if (s == nullptr || error_) return;
  bytes = std::min(bytes, s->unreleased);
  if (bytes == 0) return;
  s->unreleased -= bytes;
  s->receive.release(static_cast<std::int64_t>(bytes));
  if (s->state == StreamState::Open || s->state == StreamState::HalfClosedLocal) {
    if (const std::int64_t inc = s->receive.take_update(); inc > 0) {
      write_control(WindowUpdate{stream, static_cast<std::uint32_t>(inc)});
    }
  }
  return_connection_credit(bytes);
}

void ServerConnection::return_connection_credit(std::size_t bytes) {
  if (bytes == 0 || error_) return;
  receive_window_.release(static_cast<std::int64_t>(bytes));
  if (const std::int64_t inc = receive_window_.take_update(); inc > 0) {
    write_control(WindowUpdate{0, static_cast<std::uint32_t>(inc)});
  }
}

std::optional<std::uint32_t> ServerConnection::push(std::uint32_t parent,
                                                    std::span<const http::FieldView> request) {
  if (!config_.push || !peer_.enable_push || goaway_sent_ || goaway_received_ || error_) return std::nullopt;
  Stream* p = find(parent);
  // §8.4: promises go on a stream the client opened that we still send on.
  if (p == nullptr || p->pushed || p->end_sent ||
      (p->state != StreamState::Open && p->state != StreamState::HalfClosedRemote)) {
    return std::nullopt;
  }
  const std::uint32_t limit = std::min(config_.max_concurrent_streams,
                                       peer_.max_concurrent_streams.value_or(config_.max_concurrent_streams));
  if (pushes_ >= limit || next_push_id_ > kMaxStreamId) return std::nullopt;
  const std::uint32_t id = next_push_id_;
  Stream& s = create(id, StreamState::Idle);
  s.pushed = true;
  s.fields.clear();
  for (const http::FieldView& f : request)
    s.fields.push_back({std::string(f.name), std::string(f.value), false});
  s.views.clear();
  for (const auto& f : s.fields) s.views.push_back({f.name, f.value});
  auto head = build_request_head(s.views, s.storage, s.head);
  // §8.4.1: a promised request is safe and carries no content.
  if (!head || (s.head.method_id != http::Method::get && s.head.method_id != http::Method::head)) {
    streams_.erase(id);
    return std::nullopt;
  }
  next_push_id_ += 2;
  ++pushes_;
  EncodeScratch& x = encode_scratch();
  x.fields.clear();
  for (const auto& f : s.fields) x.fields.push_back({f.name, f.value, false});
  x.block.clear();
  encoder_.encode(x.fields, x.block);
  append_push_promise_frames(out_, parent, id, x.block, peer_.max_frame_size);
  s.state = on_send_push_promise(s.state);
  if (trace_) {
    std::string line = trace_line(Frame(PushPromise{parent, id, x.block, true, std::nullopt}));
    append_fields_trace(line, s.fields);
    trace_->frame(false, line);
  }
  return id;
}

const http::RequestHead* ServerConnection::request_head(std::uint32_t stream) const {
  const Stream* s = find(stream);
  return s == nullptr ? nullptr : &s->head;
}

void ServerConnection::shutdown() {
  if (goaway_sent_) return;
  // §6.8: the streams up to the last one we saw will be served; later ones are ignored.
  goaway_last_ = last_client_stream_;
  write_control(Goaway{goaway_last_, ErrorCode::no_error, {}});
  goaway_sent_ = true;
}

bool ServerConnection::done() const {
  if (error_) return true;
  return (goaway_sent_ || goaway_received_) && streams_.empty();
}

// ---- output ------------------------------------------------------------------------------------------

void ServerConnection::write_control(const Frame& frame) {
  const std::size_t before = out_.size();
  append_frame(out_, frame);
  control_queued_ += out_.size() - before;
  trace_sent(frame);
  if (control_queued_ > config_.max_queued_control && !error_ && !std::holds_alternative<Goaway>(frame)) {
    connection_error(ErrorCode::enhance_your_calm, "the client does not read what it asks for");
  }
}

void ServerConnection::response_done(Stream& s) {
  if (s.state == StreamState::HalfClosedLocal && !s.tunnel) {
    // §8.1: the response is complete while the request's body is still coming: RST_STREAM(NO_ERROR) tells
    // the client to stop sending it, rather than reading (and crediting) bytes nobody will use.
    write_control(RstStream{s.id, ErrorCode::no_error});
    close_stream(s, false);
    for (Closed& c : recently_closed_) {
      if (c.id == s.id) c.reset_by_us = true;  // what is still in flight is ignored, not answered
    }
    return;
  }
  if (s.state == StreamState::Closed) close_stream(s, false);
}

void ServerConnection::schedule(Stream& s) {
  if (s.closing || !s.final_sent || s.end_sent) return;
  if (s.pieces.empty()) return;
  const bool empty_end = s.pieces.size() == 1 && s.pieces.front().remaining() == 0;
  if (s.send.available() > 0 || empty_end) {
    s.blocked_since.reset();
    scheduler_.push(s.node);
  } else if (!s.blocked_since) {
    s.blocked_since = now_;
  }
}

bool ServerConnection::wants_output() const {
  return !out_.empty() || (!scheduler_.empty() && !connection_blocked_);
}

void ServerConnection::take_output(Output& out, std::size_t budget) {
  ++depth_;
  out.bytes.swap(out_);
  out_.clear();
  control_queued_ = 0;
  if (!error_) produce_data(out, budget);
  --depth_;
  sweep();
}

void ServerConnection::produce_data(Output& out, std::size_t budget) {
  std::size_t produced = out.size();
  // A client whose whole stream window is below min_data_frame would never see a byte (h2spec's window of
  // 1): the threshold is at most its INITIAL_WINDOW_SIZE. Tiny WINDOW_UPDATEs still cost flood tokens.
  const std::uint64_t min_frame = peer_.initial_window_size > 0
                                      ? std::min(config_.min_data_frame, peer_.initial_window_size)
                                      : config_.min_data_frame;
  while (produced < budget) {
    Scheduler::Node* node = scheduler_.front();
    if (node == nullptr) break;
    Stream* s = find(node->stream_id);
    if (s == nullptr) {  // cannot happen: closing streams leave the scheduler
      scheduler_.remove(*node);
      continue;
    }
    Piece& piece = s->pieces.front();
    const std::uint64_t remaining = piece.remaining();
    const bool last_piece = s->pieces.size() == 1 && s->end_queued;
    std::uint64_t n = std::min<std::uint64_t>(remaining, peer_.max_frame_size);
    const std::int64_t stream_room = s->send.allowance(static_cast<std::int64_t>(n));
    const std::int64_t conn_room = send_window_.allowance(static_cast<std::int64_t>(n));
    const std::uint64_t room = static_cast<std::uint64_t>(std::min(stream_room, conn_room));
    if (remaining > 0 && (room == 0 || (room < n && room < min_frame))) {
      if (stream_room <= conn_room) {
        // The stream's own window holds it back: it leaves the queue until WINDOW_UPDATE.
        scheduler_.remove(s->node);
        if (!s->blocked_since) s->blocked_since = now_;
        continue;
      }
      connection_blocked_ = true;
      if (!stalled_since_) stalled_since_ = now_;
      break;
    }
    n = std::min(n, room);
    const bool end = last_piece && n == remaining;
    append_data_header(out.bytes, s->id, static_cast<std::uint32_t>(n), end);
    if (piece.is_extent) {
      if (n > 0) {
        out.extents.push_back({out.bytes.size(), s->id, static_cast<std::uint32_t>(n)});
        handler_.on_extent(s->id, static_cast<std::uint32_t>(n));
      }
    } else {
      out.bytes.append(piece.bytes, piece.sent, n);
    }
    if (trace_) {
      std::string line = "DATA stream=";
      line += std::to_string(s->id);
      if (end) line += " flags=END_STREAM";
      line += " len=";
      line += std::to_string(n);
      trace_->frame(false, line);
    }
    piece.sent += n;
    s->queued -= n;
    s->send.consume(static_cast<std::int64_t>(n));
    send_window_.consume(static_cast<std::int64_t>(n));
    produced += kFrameHeaderSize + n;
    stalled_since_.reset();
    if (piece.remaining() == 0) {
      if (auto& spare = spare_pieces();
          !piece.is_extent && piece.bytes.capacity() <= kSpareBytesKept && spare.size() < kSparePieces) {
        piece.bytes.clear();
        spare.push_back(std::move(piece.bytes));
      }
      s->pieces.pop_front();
    }
    if (end) {
      s->end_sent = true;
      s->state = on_send_end_stream(s->state);
      scheduler_.remove(s->node);
      response_done(*s);
    } else if (s->pieces.empty()) {
      scheduler_.remove(s->node);
      handler_.on_drained(s->id);
    } else if (s->send.available() <= 0) {
      scheduler_.remove(s->node);
      s->blocked_since = now_;
    } else {
      scheduler_.sent(s->node);
    }
  }
}

// ---- trace -------------------------------------------------------------------------------------------

void ServerConnection::trace_sent(const Frame& frame, std::string_view fields) {
  if (trace_ == nullptr) return;
  std::string line = trace_line(frame);
  line += fields;
  trace_->frame(false, line);
}

void ServerConnection::trace_received(const Frame& frame) {
  if (trace_ == nullptr) return;
  trace_->frame(true, trace_line(frame));
}

}  // namespace endhost::http2
