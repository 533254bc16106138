#include "lab/http_fetch.hpp"

#include "core/dialer.hpp"
#include "core/timeout.hpp"
#include "http/response_parser.hpp"
#include "http/serializer.hpp"

namespace endhost::lab {

awaitable<Expected<std::unique_ptr<HttpConnection>, std::string>> HttpConnection::open(
    asio::ip::tcp::endpoint server, std::chrono::milliseconds timeout,
    std::optional<asio::ip::address> source, const core::SocketPlace* place) {
  // The lab's experiments dial addresses from lab.json: no name to resolve.
  if (source && source->is_v4() != server.address().is_v4()) source.reset();
  core::DialOptions options{timeout, source, true};
  if (place) options.place = *place;
  const core::Dialer dialer(options);
  const auto started = std::chrono::steady_clock::now();
  auto connected = co_await dialer.connect(server);
  if (!connected) co_return Unexpected(connected.error().message);
  auto conn = std::make_unique<HttpConnection>(std::move(*connected));
  conn->dial_started_ = started;
  conn->connected_ = std::chrono::steady_clock::now();
  co_return conn;
}

void HttpConnection::close() {
  stream_.shutdown();
  stream_.close();
  open_ = false;
}

awaitable<Expected<FetchResult, std::string>> HttpConnection::request(std::string method, std::string target,
                                                                      std::string host, bool keep_alive,
                                                                      std::chrono::milliseconds timeout,
                                                                      std::string content_type,
                                                                      std::string body) {
  std::string request;
  http::append_request_line(request, method, target, http::http11);
  http::append_field(request, "Host", host);
  http::append_field(request, "User-Agent", "endhost-lab");
  http::append_field(request, "Accept", "*/*");
  if (!content_type.empty()) {
    http::append_field(request, "Content-Type", content_type);
    http::append_field(request, "Content-Length", std::to_string(body.size()));
  }
  if (!keep_alive) http::append_field(request, "Connection", "close");
  http::append_end_of_head(request);
  request += body;

  const auto sent = std::chrono::steady_clock::now();
  auto wrote =
      co_await core::with_timeout(asio::async_write(stream_, asio::buffer(request), use_nothrow), timeout);
  if (!wrote) co_return Unexpected(std::string("sending the request: timed out"));
  if (auto [ec, n] = *wrote; ec) co_return Unexpected("sending the request: " + ec.message());
  co_return co_await read_response(method, keep_alive, sent, timeout);
}

awaitable<Expected<void, std::string>> HttpConnection::send_pipelined(const std::vector<std::string>& targets,
                                                                      const std::string& host,
                                                                      std::chrono::milliseconds timeout) {
  std::string requests;
  for (const std::string& target : targets) {
    http::append_request_line(requests, "GET", target, http::http11);
    http::append_field(requests, "Host", host);
    http::append_field(requests, "User-Agent", "endhost-lab");
    http::append_field(requests, "Accept", "*/*");
    http::append_end_of_head(requests);
  }
  auto wrote =
      co_await core::with_timeout(asio::async_write(stream_, asio::buffer(requests), use_nothrow), timeout);
  if (!wrote) co_return Unexpected(std::string("sending the requests: timed out"));
  if (auto [ec, n] = *wrote; ec) co_return Unexpected("sending the requests: " + ec.message());
  co_return Expected<void, std::string>{};
}

awaitable<Expected<FetchResult, std::string>> HttpConnection::read_response(
    std::string_view method, bool keep_alive, std::chrono::steady_clock::time_point sent,
    std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto remaining = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  };
  FetchResult result;
  result.sent = sent;
  // Bytes left from before (none from a server that waits for requests; the next pipelined response's
  // first bytes) count as this response's first.
  if (!in_.readable().empty()) result.first_byte = std::chrono::steady_clock::now();

  http::ResponseParser parser(http::Limits::for_responses(), http::method_from_token(method));
  bool eof = false;
  auto read_more = [&]() -> awaitable<Expected<void, std::string>> {
    auto space = in_.read_space();
    if (!space) co_return Unexpected(std::string("the response head is too large"));
    auto r = co_await core::with_timeout(
        stream_.async_read_some(asio::buffer(space->data(), space->size()), use_nothrow), remaining());
    if (!r) co_return Unexpected(std::string("waiting for the response: timed out"));
    auto [ec, n] = *r;
    if (ec == asio::error::eof) {
      eof = true;
      co_return Expected<void, std::string>{};
    }
    if (ec) co_return Unexpected("reading the response: " + ec.message());
    if (result.first_byte == std::chrono::steady_clock::time_point{})
      result.first_byte = std::chrono::steady_clock::now();
    in_.commit(n);
    co_return Expected<void, std::string>{};
  };

  for (;;) {
    auto step = parser.parse_head(in_.readable());
    if (!step) co_return Unexpected(std::string("the response is not valid HTTP"));
    if (step->progress == http::Progress::complete) {
      const auto& head = parser.head();
      result.status = head.status;
      result.fields = http::Fields(head.fields);
      result.head = in_.readable().substr(0, step->consumed);
      in_.consume(step->consumed);
      break;
    }
    if (eof) co_return Unexpected(std::string("the server closed the connection before answering"));
    const auto more = co_await read_more();
    if (!more) co_return Unexpected(more.error());
  }
  result.keep_alive = parser.head().keep_alive && keep_alive;
  for (;;) {
    if (eof) {
      if (auto ok = parser.on_eof(); !ok) co_return Unexpected(std::string("the body was cut short"));
      result.keep_alive = false;
      break;
    }
    auto step = parser.parse_body(in_.readable());
    if (!step) co_return Unexpected(std::string("the body is not valid HTTP framing"));
    if (result.body.size() + step->data.size() > kMaxFetchBody) {
      co_return Unexpected("the body is larger than " + std::to_string(kMaxFetchBody) + " bytes");
    }
    result.body.append(step->data);
    in_.consume(step->consumed);
    if (step->done) break;
    // A step may stop at a chunk boundary with more already buffered: read only when it consumed nothing.
    if (step->consumed > 0) continue;
    const auto more = co_await read_more();
    if (!more) co_return Unexpected(more.error());
  }
  result.done = std::chrono::steady_clock::now();
  if (!result.keep_alive) close();
  co_return result;
}

}  // namespace endhost::lab
