// A deliberately plain HTTP/1.1 client connection for the lab's experiments and dashboard: the experiments
// must decide themselves when a TCP connection opens and closes (non-persistent, persistent, parallel) and
// count every one, which a pooling client hides. Heads and bodies go through the HTTP codec's parser; bodies
// are capped (kMaxFetchBody).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/asio.hpp"
#include "core/byte_buffer.hpp"
#include "core/expected.hpp"
#include "core/socket_place.hpp"
#include "core/stream.hpp"
#include "http/fields.hpp"
#include "http/limits.hpp"
#include "http/status.hpp"

namespace endhost::lab {

inline constexpr std::uint64_t kMaxFetchBody = 64ull << 20;

struct FetchResult {
  http::Status status = http::Status::ok;
  http::Fields fields;
  std::string head;  // the response head as received, for display
  std::string body;
  bool keep_alive = false;  // the connection may carry another request
  // When the request was handed to the socket, when the response's first byte and its last byte arrived:
  // page-load draws each object's request and response from these (docs/internals/lab.md, "Figures").
  std::chrono::steady_clock::time_point sent, first_byte, done;
};

class HttpConnection {
 public:
  // Opens a TCP connection (one handshake: one RTT), from `source` when set (a lab host's address, so
  // that the server's log shows which host asked). The error is a sentence.
  // `place` (borrowed; null: here): where the socket is made (a lab host's namespace).
  static awaitable<Expected<std::unique_ptr<HttpConnection>, std::string>> open(
      asio::ip::tcp::endpoint server, std::chrono::milliseconds timeout,
      std::optional<asio::ip::address> source = std::nullopt, const core::SocketPlace* place = nullptr);
  // Sends `GET target` with Host `host` (and `Connection: close` unless keep_alive), reads the whole
  // response. `target` is origin-form ("/x.gif") for a server, absolute-form ("http://h/x.gif") for a proxy.
  awaitable<Expected<FetchResult, std::string>> get(std::string target, std::string host, bool keep_alive,
                                                    std::chrono::milliseconds timeout) {
    return request("GET", std::move(target), std::move(host), keep_alive, timeout);
  }
  // Any method (PURGE to a cache); a body is sent, with its Content-Type and Content-Length, when
  // `content_type` is given (a POST to the dashboard).
  awaitable<Expected<FetchResult, std::string>> request(std::string method, std::string target,
                                                        std::string host, bool keep_alive,
                                                        std::chrono::milliseconds timeout,
                                                        std::string content_type = {}, std::string body = {});
  // HTTP/1.1 pipelining (RFC 9112 §9.3.2): every GET of `targets` written at once, keep-alive; then one
  // read_response() per target, in order. The results' `sent` is when the batch was written.
  awaitable<Expected<void, std::string>> send_pipelined(const std::vector<std::string>& targets,
                                                        const std::string& host,
                                                        std::chrono::milliseconds timeout);
  // Reads one whole response to a `method` request sent at `sent`.
  awaitable<Expected<FetchResult, std::string>> read_response(std::string_view method, bool keep_alive,
                                                              std::chrono::steady_clock::time_point sent,
                                                              std::chrono::milliseconds timeout);
  bool is_open() const { return open_; }
  // When open() began dialing and when the TCP handshake completed (page-load's handshake bars).
  std::chrono::steady_clock::time_point dial_started() const { return dial_started_; }
  std::chrono::steady_clock::time_point connected() const { return connected_; }
  void close();

  explicit HttpConnection(asio::ip::tcp::socket socket) : stream_(std::move(socket)) {}

 private:
  core::Stream stream_;
  bool open_ = true;
  std::chrono::steady_clock::time_point dial_started_, connected_;
  // Bytes read past the previous response; at most a head at the response limit and a read.
  core::ByteBuffer in_{http::Limits::for_responses().max_head_bytes + 16 * 1024};
};

}  // namespace endhost::lab
