#include "http/client/h2_origin.hpp"

#include <charconv>

#include "http/method.hpp"
#include "http/status.hpp"

namespace endhost::http {
namespace {

std::string frame_error_text(http2::ErrorCode code) {
  const std::string_view name = http2::name(code);
  return name.empty() ? "error " + std::to_string(static_cast<std::uint32_t>(code)) : std::string(name);
}

}  // namespace

H2Origin::H2Origin(std::unique_ptr<UpstreamConnection> connection, const ExchangeOptions& options)
    : conn_(std::move(connection)),
      options_(options),
      h2_(http2::ClientConfig{}, *this, options.transcript.enabled() ? this : nullptr),
      write_signal_(conn_->socket().get_executor()),
      slot_signal_(conn_->socket().get_executor()) {
  options_.transcript.note(conn_->peer(), "HTTP/2 connection (RFC 9113)");
}

H2Origin::~H2Origin() = default;

void H2Origin::start() {
  auto self = shared_from_this();
  asio::co_spawn(
      conn_->socket().get_executor(), [self]() { return self->read_loop(); }, asio::detached);
  asio::co_spawn(
      conn_->socket().get_executor(), [self]() { return self->write_loop(); }, asio::detached);
}

bool H2Origin::usable() const {
  return !failed_ && !closing_ && !reader_done_ && !h2_.goaway_received() && !h2_.failed();
}

void H2Origin::close() {
  if (closing_) return;
  closing_ = true;
  // The client is going away, and its transcript's sink with it: nothing more is traced.
  h2_.set_trace(nullptr);
  options_.transcript = core::Transcript();
  h2_.shutdown();
  kick();
}

void H2Origin::frame(bool from_client, std::string_view line) {
  if (from_client) {
    options_.transcript.client(conn_->peer(), line);
  } else {
    options_.transcript.server(conn_->peer(), line);
  }
}

H2Origin::Waiter* H2Origin::waiter(std::uint32_t stream) {
  auto it = waiters_.find(stream);
  return it == waiters_.end() ? nullptr : it->second.get();
}

void H2Origin::on_response(std::uint32_t stream, int status,
                           std::span<const http2::hpack::HeaderField> fields, bool end_stream) {
  Waiter* w = waiter(stream);
  if (w == nullptr) return;
  if (status < 200) return;  // interim responses (RFC 9110 §15.2) are shown by the trace only
  Response r;
  r.version = Version{2, 0};
  r.status = static_cast<Status>(status);
  for (const auto& f : fields) r.fields.add(f.name, f.value);
  w->head = std::move(r);
  if (end_stream) w->done = true;
  w->wake();
}

void H2Origin::on_data(std::uint32_t stream, std::string_view data, bool end_stream) {
  Waiter* w = waiter(stream);
  if (w == nullptr) return;
  if (!data.empty()) w->pieces.emplace_back(data);
  if (end_stream) w->done = true;
  w->wake();
}

void H2Origin::on_reset(std::uint32_t stream, http2::ErrorCode code) {
  Waiter* w = waiter(stream);
  if (w == nullptr) return;
  if (h2_.failed()) {
    // The connection failed, not this stream: say why, in the connection's words.
    w->error = ClientError{ClientErrc::protocol, "HTTP/2 connection to " + conn_->peer() +
                                                     " failed: " + std::string(h2_.error_reason()) + " (" +
                                                     frame_error_text(*h2_.error()) + ")"};
  } else {
    w->error = ClientError{
        code == http2::ErrorCode::refused_stream ? ClientErrc::closed : ClientErrc::protocol,
        "the server reset the HTTP/2 stream " + std::to_string(stream) + ": " + frame_error_text(code)};
  }
  w->wake();
}

void H2Origin::fail_all(const ClientError& error) {
  if (!failed_) failed_ = error;
  for (auto& [id, w] : waiters_) {
    if (!w->done && !w->error) w->error = error;
    w->wake();
  }
  slot_signal_.cancel();
}

awaitable<void> H2Origin::read_loop() {
  auto self = shared_from_this();
  std::string buf(64 * 1024, '\0');
  for (;;) {
    auto [ec, n] = co_await conn_->stream().async_read_some(asio::buffer(buf), use_nothrow);
    if (ec) {
      fail_all(ClientError{ClientErrc::closed, "the server closed the HTTP/2 connection " + conn_->peer()});
      break;
    }
    h2_.receive(std::string_view(buf.data(), n));
    if (h2_.failed()) {
      fail_all(
          ClientError{ClientErrc::protocol, "HTTP/2 connection error: " + frame_error_text(*h2_.error()) +
                                                " (" + std::string(h2_.error_reason()) + ")"});
    }
    kick();  // ACKs and WINDOW_UPDATEs to send
    slot_signal_.cancel();
  }
  reader_done_ = true;
  kick();
}

awaitable<void> H2Origin::write_loop() {
  auto self = shared_from_this();
  std::string out;
  for (;;) {
    out.clear();
    h2_.take_output(out);
    if (!out.empty()) {
      auto [ec, n] = co_await asio::async_write(conn_->stream(), asio::buffer(out), use_nothrow);
      if (ec) {
        fail_all(ClientError{ClientErrc::send, "sending on the HTTP/2 connection: " + ec.message()});
        break;
      }
      continue;
    }
    if (reader_done_ || failed_) break;
    if (closing_ && h2_.open_streams() == 0) break;
    write_signal_.expires_at(asio::steady_timer::time_point::max());
    auto [wec] = co_await write_signal_.async_wait(use_nothrow);
    (void)wec;
  }
  conn_->stream().shutdown();
}

awaitable<Expected<Incoming, ClientError>> H2Origin::perform(const Outgoing& request,
                                                             const HeadHandler& on_head,
                                                             const BodySink& on_body) {
  auto self = shared_from_this();
  // A free stream slot (the server's SETTINGS_MAX_CONCURRENT_STREAMS).
  while (!h2_.can_request()) {
    if (failed_) co_return Unexpected(*failed_);
    if (!usable())
      co_return Unexpected(ClientError{ClientErrc::closed, "the HTTP/2 connection is going away"});
    slot_signal_.expires_after(options_.response_timeout);
    auto [sec] = co_await slot_signal_.async_wait(use_nothrow);
    if (!sec) co_return Unexpected(ClientError{ClientErrc::timeout, "no free HTTP/2 stream in time"});
  }
  // RFC 9113 §8.3.1: the request line and Host become pseudo-header fields.
  const std::string authority = request.url.authority();
  const std::string_view path =
      request.url.path_query.empty() ? std::string_view("/") : std::string_view(request.url.path_query);
  const http2::hpack::FieldView pseudo[] = {{":method", request.method, false},
                                            {":scheme", request.url.scheme, false},
                                            {":authority", authority, false},
                                            {":path", path, false}};
  std::vector<FieldView> fields;
  for (const Field& f : request.fields) fields.push_back({f.name, f.value});
  const Method m = method_from_token(request.method);
  std::string length;
  if (!request.body.empty() || m == Method::post || m == Method::put || m == Method::patch) {
    length = std::to_string(request.body.size());
    fields.push_back({"content-length", length});
  }
  const bool has_body = !request.body.empty();
  auto id = h2_.request(pseudo, fields, !has_body);
  if (!id)
    co_return Unexpected(ClientError{ClientErrc::closed, "the HTTP/2 connection cannot open a stream"});
  auto w = std::make_shared<Waiter>(conn_->socket().get_executor());
  waiters_[*id] = w;
  if (has_body) h2_.send_data(*id, request.body, true);
  kick();

  Incoming in;
  in.reused = true;
  in.peer = conn_->peer();
  bool reading = true;
  std::chrono::milliseconds wait = options_.response_timeout;
  for (;;) {
    if (w->error) {
      waiters_.erase(*id);
      co_return Unexpected(*w->error);
    }
    if (w->head && !w->head_taken) {
      w->head_taken = true;
      in.head = *w->head;
      wait = options_.read_timeout;
      if (on_head && !on_head(in)) {
        reading = false;
        break;
      }
    }
    while (reading && w->head_taken && !w->pieces.empty()) {
      const std::string piece = std::move(w->pieces.front());
      w->pieces.pop_front();
      if (on_body && !on_body(piece)) reading = false;
    }
    if (!reading) break;
    if (w->done && w->head_taken && w->pieces.empty()) break;
    if (w->done && !w->head) {
      waiters_.erase(*id);
      co_return Unexpected(ClientError{ClientErrc::protocol, "the HTTP/2 stream ended without a response"});
    }
    w->signal.expires_after(wait);
    auto [ec] = co_await w->signal.async_wait(use_nothrow);
    if (!ec && !w->done && w->pieces.empty() && !w->error && !(w->head && !w->head_taken)) {
      waiters_.erase(*id);
      h2_.cancel(*id);
      kick();
      co_return Unexpected(ClientError{ClientErrc::timeout, "the HTTP/2 response took too long"});
    }
  }
  if (!w->done) {
    h2_.cancel(*id);  // the caller stopped reading: RST_STREAM CANCEL, the connection goes on
    kick();
  }
  waiters_.erase(*id);
  slot_signal_.cancel();
  co_return in;
}

}  // namespace endhost::http
