// Body framing (RFC 9112 §6.3) as decided by a parser from the head, and BodyReader, which delimits the body
// that follows: Content-Length, chunked, or until the connection closes. Like ChunkedDecoder it never copies:
// it returns views of body bytes inside the caller's buffer.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/expected.hpp"
#include "http/chunked.hpp"
#include "http/error.hpp"
#include "http/limits.hpp"

namespace endhost::http {

enum class BodyKind : std::uint8_t {
  none,         // no body: no framing fields in a request; HEAD/1xx/204/304 responses
  length,       // Content-Length: exactly Framing::length bytes
  chunked,      // Transfer-Encoding ending in chunked
  until_close,  // response only: the body ends when the server closes (RFC 9112 §6.3 item 8)
  tunnel,       // response only: 2xx to CONNECT or 101; the bytes that follow are not HTTP any more
};

struct Framing {
  BodyKind kind = BodyKind::none;
  std::uint64_t length = 0;  // for BodyKind::length
  friend bool operator==(const Framing&, const Framing&) = default;
};

class BodyReader {
 public:
  explicit BodyReader(const Limits& limits = {}) : limits_(limits), chunked_(limits) {}

  // Starts a body with the given framing. `none` and `tunnel` are done at once.
  void start(Framing framing) noexcept;
  // The next span of body bytes from `buf` (see BodyStep). An error means the connection must close.
  Expected<BodyStep, Error> read(std::string_view buf) noexcept;
  // The peer closed the connection: completes an until_close body, and is an error inside any other.
  Expected<void, Error> on_eof() noexcept;

  bool done() const noexcept { return done_; }
  Framing framing() const noexcept { return framing_; }
  std::uint64_t body_size() const noexcept;
  FieldsView trailers() const noexcept { return chunked_.trailers(); }

 private:
  Limits limits_;
  ChunkedDecoder chunked_;
  Framing framing_;
  std::uint64_t read_ = 0;
  bool done_ = true;
};

}  // namespace endhost::http
