#include "http2/client_connection.hpp"

#include <algorithm>

#include "http2/field_block.hpp"
#include "http2/frame/preface.hpp"
#include "http2/frame/serializer.hpp"
#include "http2/frame/trace.hpp"

namespace endhost::http2 {
namespace {

// The largest block of a response we assemble (HEADERS and CONTINUATIONs).
constexpr std::size_t kMaxBlock = 1 << 20;

}  // namespace

ClientConnection::ClientConnection(const ClientConfig& config, ClientHandler& handler, FrameTrace* trace)
    : config_(config),
      handler_(handler),
      trace_(trace),
      decoder_(hpack::DecoderLimits{4096, config.max_header_list_size}),
      receive_window_(kDefaultWindow) {
  config_.stream_window = std::max<std::uint32_t>(config_.stream_window, kDefaultWindow);
  local_.enable_push = config_.accept_push;
  local_.initial_window_size = config_.stream_window;
  local_.max_header_list_size = config_.max_header_list_size;
  out_.append(kClientPreface);  // §3.4
  if (trace_) trace_->frame(true, "PRI * HTTP/2.0 (the connection preface)");
  write(SettingsFrame{false, local_.changes_from()});
  if (config_.connection_window > kDefaultWindow) {
    write(WindowUpdate{0, config_.connection_window - static_cast<std::uint32_t>(kDefaultWindow)});
    receive_window_.resize(config_.connection_window);
  }
}

ClientConnection::Stream* ClientConnection::find(std::uint32_t id) {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : it->second.get();
}

bool ClientConnection::can_request() const {
  if (error_ || goaway_received_ || goaway_sent_ || next_stream_ > kMaxStreamId) return false;
  std::size_t ours = 0;
  for (const auto& [id, s] : streams_) ours += s->pushed ? 0 : 1;
  return !peer_.max_concurrent_streams || ours < *peer_.max_concurrent_streams;
}

std::optional<std::uint32_t> ClientConnection::request(std::span<const hpack::FieldView> pseudo,
                                                       std::span<const http::FieldView> fields,
                                                       bool end_stream) {
  if (!can_request()) return std::nullopt;
  const std::uint32_t id = next_stream_;
  next_stream_ += 2;
  lowercase_fields(pseudo, fields, names_, encode_fields_);
  scratch_.clear();
  encoder_.encode(encode_fields_, scratch_);
  append_headers_frames(out_, id, scratch_, end_stream, peer_.max_frame_size);
  if (trace_) {
    std::string line = trace_line(Frame(Headers{id, scratch_, end_stream, true, std::nullopt, std::nullopt}));
    append_fields_trace(line, encode_fields_);
    trace_->frame(true, line);
  }
  auto s = std::make_unique<Stream>();
  s->id = id;
  s->state = StreamState::Open;
  if (end_stream) s->state = on_send_end_stream(s->state);
  s->send = SendWindow(peer_.initial_window_size);
  s->receive = ReceiveWindow(config_.stream_window);
  s->body_end = end_stream;
  streams_[id] = std::move(s);
  return id;
}

bool ClientConnection::send_data(std::uint32_t stream, std::string_view data, bool end_stream) {
  Stream* s = find(stream);
  if (s == nullptr || s->body_end || error_) return false;
  s->body.append(data);
  s->body_end = end_stream;
  flush_bodies();
  return true;
}

void ClientConnection::cancel(std::uint32_t stream) {
  if (find(stream) == nullptr) return;
  write(RstStream{stream, ErrorCode::cancel});
  streams_.erase(stream);
}

void ClientConnection::shutdown() {
  if (goaway_sent_ || error_) return;
  write(Goaway{last_server_stream_, ErrorCode::no_error, {}});
  goaway_sent_ = true;
}

void ClientConnection::write(const Frame& frame) {
  append_frame(out_, frame);
  if (trace_) trace_->frame(true, trace_line(frame));
}

void ClientConnection::flush_bodies() {
  has_sendable_ = false;
  for (auto& [id, sp] : streams_) {
    Stream& s = *sp;
    if (s.state != StreamState::Open && s.state != StreamState::HalfClosedRemote) continue;
    for (;;) {
      const std::size_t left = s.body.size() - s.body_sent;
      if (left == 0 && !s.body_end) break;
      std::int64_t n = std::min<std::int64_t>(static_cast<std::int64_t>(left), peer_.max_frame_size);
      n = std::min(s.send.allowance(n), send_window_.allowance(n));
      if (n == 0 && left > 0) break;
      const bool end = s.body_end && static_cast<std::size_t>(n) == left;
      write(Data{id, std::string_view(s.body).substr(s.body_sent, static_cast<std::size_t>(n)), end,
                 std::nullopt});
      s.body_sent += static_cast<std::size_t>(n);
      s.send.consume(n);
      send_window_.consume(n);
      if (end) {
        s.state = on_send_end_stream(s.state);
        s.body.clear();
        s.body_sent = 0;
        break;
      }
    }
    if (s.body_sent == s.body.size()) {
      s.body.clear();
      s.body_sent = 0;
    }
  }
}

void ClientConnection::take_output(std::string& out) {
  out.append(out_);
  out_.clear();
}

void ClientConnection::receive(std::string_view bytes) {
  if (!received_ && !bytes.empty()) {
    received_ = true;
    // §3.4: the server's first frame is SETTINGS. A status line instead means an HTTP/1.1-only server read
    // our preface as a bad request (h2c by prior knowledge to a server without it).
    if (bytes.substr(0, 5) == "HTTP/") {
      connection_error(ErrorCode::http_1_1_required,
                       "the server answered in HTTP/1.1: it does not speak h2c");
      return;
    }
  }
  while (!error_ && !bytes.empty()) {
    auto r = reader_.next(bytes);
    if (!r) {
      const FrameError& e = r.error();
      if (e.connection) {
        connection_error(e.code, e.reason);
      } else {
        stream_failed(e.stream_id, e.code, true);
      }
      continue;
    }
    if (!r->has_value()) break;
    on_frame(**r);
  }
}

void ClientConnection::connection_error(ErrorCode code, std::string_view reason) {
  if (error_) return;
  error_ = code;
  error_reason_ = reason;
  write(Goaway{last_server_stream_, code, reason});
  fail_all(code);
}

void ClientConnection::fail_all(ErrorCode code) {
  // In stream order, so the handler hears them as they were opened.
  std::vector<std::uint32_t> ids;
  for (const auto& [id, s] : streams_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  streams_.clear();
  for (std::uint32_t id : ids) handler_.on_reset(id, code);
}

void ClientConnection::stream_failed(std::uint32_t id, ErrorCode code, bool send_reset) {
  if (send_reset) write(RstStream{id, code});
  if (streams_.erase(id) > 0) handler_.on_reset(id, code);
}

void ClientConnection::return_credit(Stream* s, std::size_t bytes) {
  if (bytes == 0) return;
  receive_window_.release(static_cast<std::int64_t>(bytes));
  if (const std::int64_t inc = receive_window_.take_update(); inc > 0) {
    write(WindowUpdate{0, static_cast<std::uint32_t>(inc)});
  }
  if (s != nullptr && (s->state == StreamState::Open || s->state == StreamState::HalfClosedLocal)) {
    s->receive.release(static_cast<std::int64_t>(bytes));
    if (const std::int64_t inc = s->receive.take_update(); inc > 0) {
      write(WindowUpdate{s->id, static_cast<std::uint32_t>(inc)});
    }
  }
}

void ClientConnection::on_frame(const Frame& frame) {
  if (trace_ && !std::holds_alternative<Headers>(frame) && !std::holds_alternative<Continuation>(frame) &&
      !std::holds_alternative<PushPromise>(frame)) {
    trace_->frame(false, trace_line(frame));
  }
  if (const auto* f = std::get_if<Data>(&frame)) {
    const std::uint32_t length = f->flow_controlled_length();
    if (!receive_window_.receive(length)) {
      connection_error(ErrorCode::flow_control_error, "DATA beyond the connection window");
      return;
    }
    Stream* s = find(f->stream_id);
    if (s == nullptr) {
      return_credit(nullptr, length);  // a stream we cancelled: its DATA still counts (§6.9)
      return;
    }
    if (!s->receive.receive(length)) {
      return_credit(nullptr, length);
      stream_failed(s->id, ErrorCode::flow_control_error, true);
      return;
    }
    if (!s->final_seen) {
      stream_failed(s->id, ErrorCode::protocol_error, true);  // §8.1: DATA before the response head
      return;
    }
    if (f->end_stream) s->state = on_receive_end_stream(s->state);
    const std::uint32_t id = s->id;
    const bool closed = s->state == StreamState::Closed;
    handler_.on_data(id, f->data, f->end_stream);
    return_credit(find(id), length);
    if (closed) streams_.erase(id);
  } else if (const auto* h = std::get_if<Headers>(&frame)) {
    block_stream_ = h->stream_id;
    block_promised_ = 0;
    block_end_stream_ = h->end_stream;
    block_.assign(h->fragment);
    if (trace_) block_trace_ = trace_line(frame);
    if (h->end_headers) on_block();
  } else if (const auto* p = std::get_if<PushPromise>(&frame)) {
    if (!local_.enable_push) {
      connection_error(ErrorCode::protocol_error, "PUSH_PROMISE with push disabled");  // §8.4
      return;
    }
    if (p->promised_stream_id % 2 != 0 || p->promised_stream_id <= last_server_stream_) {
      connection_error(ErrorCode::protocol_error, "bad promised stream id");
      return;
    }
    last_server_stream_ = p->promised_stream_id;
    block_stream_ = p->stream_id;
    block_promised_ = p->promised_stream_id;
    block_end_stream_ = false;
    block_.assign(p->fragment);
    if (trace_) block_trace_ = trace_line(frame);
    if (p->end_headers) on_block();
  } else if (const auto* c = std::get_if<Continuation>(&frame)) {
    if (block_.size() + c->fragment.size() > kMaxBlock) {
      connection_error(ErrorCode::enhance_your_calm, "response field block too large");
      return;
    }
    block_.append(c->fragment);
    if (c->end_headers) on_block();
  } else if (const auto* st = std::get_if<SettingsFrame>(&frame)) {
    if (st->ack) return;
    const std::uint32_t old_window = peer_.initial_window_size;
    const std::uint32_t old_table = peer_.header_table_size;
    auto applied = peer_.apply(st->settings);
    if (!applied) {
      connection_error(applied.error().code, applied.error().reason);
      return;
    }
    const std::int64_t delta = static_cast<std::int64_t>(peer_.initial_window_size) - old_window;
    for (auto& [id, s] : streams_) {
      if (!s->send.adjust(delta)) {
        connection_error(ErrorCode::flow_control_error, "INITIAL_WINDOW_SIZE overflows a stream window");
        return;
      }
    }
    if (peer_.header_table_size != old_table) encoder_.set_peer_header_table_size(peer_.header_table_size);
    write(SettingsFrame{true, {}});
    flush_bodies();
  } else if (const auto* ping = std::get_if<Ping>(&frame)) {
    if (!ping->ack) write(Ping{true, ping->opaque});
  } else if (const auto* w = std::get_if<WindowUpdate>(&frame)) {
    if (w->stream_id == 0) {
      if (!send_window_.grant(w->increment)) {
        connection_error(ErrorCode::flow_control_error, "connection window past 2^31-1");
        return;
      }
    } else if (Stream* s = find(w->stream_id)) {
      if (!s->send.grant(w->increment)) {
        stream_failed(s->id, ErrorCode::flow_control_error, true);
        return;
      }
    }
    flush_bodies();
  } else if (const auto* rst = std::get_if<RstStream>(&frame)) {
    stream_failed(rst->stream_id, rst->error, false);
  } else if (const auto* g = std::get_if<Goaway>(&frame)) {
    goaway_received_ = true;
    // §6.8: streams above the last one the server processed were not acted on: they fail (REFUSED_STREAM
    // tells the caller it may retry them elsewhere).
    std::vector<std::uint32_t> refused;
    for (const auto& [id, s] : streams_) {
      if (!s->pushed && id > g->last_stream_id) refused.push_back(id);
    }
    std::sort(refused.begin(), refused.end());
    for (std::uint32_t id : refused) stream_failed(id, ErrorCode::refused_stream, false);
    if (g->error != ErrorCode::no_error) {
      error_ = g->error;
      error_reason_ = "the server ended the connection";
      fail_all(g->error);
    }
  }
  // PRIORITY, PRIORITY_UPDATE and unknown frames need nothing from a client.
}

void ClientConnection::on_block() {
  decoded_.clear();
  auto r = decoder_.decode(block_, decoded_);
  if (!r && hpack::is_compression_error(r.error())) {
    connection_error(ErrorCode::compression_error, hpack::describe(r.error()));
    return;
  }
  if (trace_) {
    append_fields_trace(block_trace_, decoded_);
    trace_->frame(false, block_trace_);
  }
  const bool too_large = !r;
  if (block_promised_ != 0) {
    if (find(block_stream_) == nullptr || too_large) {
      write(RstStream{block_promised_, ErrorCode::refused_stream});
      return;
    }
    auto s = std::make_unique<Stream>();
    s->id = block_promised_;
    s->state = StreamState::HalfClosedLocal;  // reserved (remote), and nothing of ours will go on it
    s->pushed = true;
    s->send = SendWindow(peer_.initial_window_size);
    s->receive = ReceiveWindow(config_.stream_window);
    streams_[block_promised_] = std::move(s);
    handler_.on_push(block_stream_, block_promised_, decoded_);
    return;
  }
  Stream* s = find(block_stream_);
  if (s == nullptr) return;  // cancelled: the block only kept HPACK in step
  if (too_large) {
    stream_failed(s->id, ErrorCode::refused_stream, true);
    return;
  }
  deliver_headers(*s, decoded_, block_end_stream_);
}

void ClientConnection::deliver_headers(Stream& s, std::vector<hpack::HeaderField>& fields, bool end_stream) {
  const std::uint32_t id = s.id;
  if (s.final_seen) {
    // §8.1: trailers: they must end the stream and carry no pseudo-header.
    for (const auto& f : fields) {
      if (!f.name.empty() && f.name.front() == ':') {
        stream_failed(id, ErrorCode::protocol_error, true);
        return;
      }
    }
    if (!end_stream) {
      stream_failed(id, ErrorCode::protocol_error, true);
      return;
    }
    s.state = on_receive_end_stream(s.state);
    const bool closed = s.state == StreamState::Closed;
    handler_.on_data(id, {}, true);
    if (closed) streams_.erase(id);
    return;
  }
  // §8.3.2: exactly one :status, first, three digits; no other pseudo-header; lowercase names.
  int status = -1;
  std::size_t regular = 0;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const auto& f = fields[i];
    if (!f.name.empty() && f.name.front() == ':') {
      if (f.name != ":status" || status != -1 || regular > 0 || f.value.size() != 3 ||
          !std::all_of(f.value.begin(), f.value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        stream_failed(id, ErrorCode::protocol_error, true);
        return;
      }
      status = (f.value[0] - '0') * 100 + (f.value[1] - '0') * 10 + (f.value[2] - '0');
      continue;
    }
    ++regular;
    if (std::any_of(f.name.begin(), f.name.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
      stream_failed(id, ErrorCode::protocol_error, true);
      return;
    }
  }
  if (status < 100) {
    stream_failed(id, ErrorCode::protocol_error, true);
    return;
  }
  const bool interim = status < 200;
  if (interim && end_stream) {
    stream_failed(id, ErrorCode::protocol_error, true);  // §8.1: an interim response cannot end it
    return;
  }
  if (!interim) s.final_seen = true;
  if (end_stream) s.state = on_receive_end_stream(s.state);
  const bool closed = s.state == StreamState::Closed;
  std::span<const hpack::HeaderField> regular_fields(fields);
  regular_fields = regular_fields.subspan(1);  // :status came first
  handler_.on_response(id, status, regular_fields, end_stream);
  if (closed) streams_.erase(id);
}

}  // namespace endhost::http2
