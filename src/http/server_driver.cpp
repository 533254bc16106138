#include "http/server_driver.hpp"

#include <ctime>

#include "http/serializer.hpp"

namespace endhost::http {

awaitable<bool> BodyStream::write(std::string_view bytes) {
  conn_.expires_after(send_timeout_);
  auto [ec, n] =
      co_await asio::async_write(conn_.stream(), asio::buffer(bytes.data(), bytes.size()), use_nothrow);
  (void)n;
  if (ec) ok_ = false;
  co_return ok_;
}

awaitable<bool> BodyStream::send(std::string_view data) {
  if (!ok_) co_return false;
  if (data.empty()) co_return true;  // an empty chunk would end the body
  if (!chunked_) co_return co_await write(data);
  buf_.clear();
  append_chunk(buf_, data);
  co_return co_await write(buf_);
}

awaitable<bool> BodyStream::finish() {
  if (!ok_) co_return false;
  if (!chunked_) co_return true;  // the close ends it
  buf_.clear();
  append_last_chunk(buf_);
  co_return co_await write(buf_);
}

awaitable<bool> ServerDriver::read() {
  const bool idle = http_.idle();
  if (idle) {
    if (!conn_.begin_idle()) co_return false;  // the server drains: no new request
    conn_.expires_after(timeouts_.idle);
    deadline_set_ = false;
  } else if (in_body_ && timeouts_.body_read.count() > 0) {
    conn_.expires_after(timeouts_.body_read);
  } else if (!deadline_set_) {
    conn_.expires_after(timeouts_.head);
    deadline_set_ = true;
  }
  const std::span<char> space = http_.read_space();
  if (space.empty()) {
    if (idle) conn_.end_idle();
    co_return false;  // cannot happen while the driver reads only on need_more
  }
  auto [ec, n] =
      co_await conn_.stream().async_read_some(asio::buffer(space.data(), space.size()), use_nothrow);
  if (idle) conn_.end_idle();
  if (ec == asio::error::eof) {
    http_.end_of_input();
    co_return true;
  }
  if (ec) co_return false;
  http_.commit(n);
  co_return true;
}

awaitable<bool> ServerDriver::write(std::string_view bytes) {
  conn_.expires_after(timeouts_.send);
  auto [ec, n] =
      co_await asio::async_write(conn_.stream(), asio::buffer(bytes.data(), bytes.size()), use_nothrow);
  (void)n;
  co_return !ec;
}

awaitable<void> ServerDriver::run(ServerHandler& handler) {
  ServerRequest request;
  for (;;) {
    const ServerConnection::Event event = http_.next();
    switch (event) {
      case ServerConnection::Event::need_more: {
        const bool more = co_await read();
        if (!more) co_return;
        break;
      }
      case ServerConnection::Event::head:
        in_body_ = true;
        request.body.clear();
        break;
      case ServerConnection::Event::send_continue: {
        const bool sent = co_await write("HTTP/1.1 100 Continue\r\n\r\n");
        if (!sent) co_return;
        deadline_set_ = false;  // the write took the deadline: the body gets a fresh one
        break;
      }
      case ServerConnection::Event::body:
        request.body.append(http_.body_data());
        break;
      case ServerConnection::Event::body_end:
        break;
      case ServerConnection::Event::error:
      case ServerConnection::Event::respond: {
        in_body_ = false;
        deadline_set_ = false;
        request.head = http_.has_head() ? &http_.head() : nullptr;
        request.error = event == ServerConnection::Event::error ? &http_.error() : nullptr;
        request.keep_alive = http_.keep_alive() && !conn_.draining();
        conn_.expires_never();  // the handler's own work has its own bounds
        ServerResponse response = co_await handler.handle(request);
        const RequestHead* head = request.head;
        ResponseFraming framing;
        framing.version = head != nullptr ? head->version : http11;
        framing.head_request = head != nullptr && head->method_id == Method::head;
        framing.keep_alive = request.keep_alive;
        framing.date = date_.get(std::time(nullptr));
        out_.clear();
        serialize_response(out_, response, framing);
        const bool written = co_await write(out_);
        if (!written) co_return;
        if (response.streams) {
          if (!framing.head_request && !status_has_no_content(response.status)) {
            BodyStream body(conn_, streams_chunked(framing.version), timeouts_.send);
            co_await handler.stream(body);
            co_await body.finish();
          }
          co_return;
        }
        http_.response_done(response.close || !request.keep_alive);
        request.head = nullptr;
        request.error = nullptr;
        request.body.clear();
        break;
      }
      case ServerConnection::Event::closed:
        co_return;
    }
  }
}

}  // namespace endhost::http
