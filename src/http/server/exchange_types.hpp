// Internal to the web server: what a handler decides about one request (Reply): the response described
// protocol-independently (ResponseHead, and the body as PendingBody) and what the connection must do
// afterwards. The connection's framing serializes it (HTTP/1.1: HttpSession::write_response).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "http/body.hpp"
#include "http/fields.hpp"
#include "http/message.hpp"
#include "http/method.hpp"
#include "http/server/file_access.hpp"
#include "http/server/range.hpp"
#include "http/server/response_head.hpp"
#include "http/status.hpp"

namespace endhost::web {

// The content of a response, as the handler left it: nothing (HEAD, 304, 204, or a head whose length says
// 0), bytes in memory (work.body: error pages, listings, small files read with pread, write replies), a
// file extent for sendfile(2), the parts of a multipart/byteranges body, or a file to gzip on the fly.
// HEAD responses describe the length in the head and leave the kind at none (RFC 9110 §9.3.2).
struct PendingBody {
  enum class Kind : std::uint8_t { none, memory, file, byteranges, gzip };
  Kind kind = Kind::none;
  Fd file;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;               // file: bytes from offset; gzip: the file's size
  std::unique_ptr<ByterangesBody> parts;  // byteranges
};

struct Reply {
  ResponseHead head;                // status and fields; head.status is also what the log and metrics count
  PendingBody body;                 // the content
  std::uint64_t content_bytes = 0;  // content sent after the head (for the access log)
  // false: the connection ends after this response (HTTP/1: Connection: close). Not part of the head: it
  // is the connection's business, decided by the session and the body's fate.
  bool keep_alive = true;

  void reset() {
    head.reset();  // keeps the head's storage: the pooled Work allocates nothing per request
    content_bytes = 0;
    keep_alive = true;
    body = PendingBody{};
  }
};

// What a PUT, DELETE or POST needs from its head, copied before the head's bytes are reused.
struct WriteRequest {
  http::Method method = http::Method::unknown;
  http::Version version;
  bool expect_continue = false;
  http::Framing framing;
  std::string authorization;  // the Authorization value, "" when absent
  std::string user;           // who was authenticated ("" until then), for the access log
  std::string content_type;
  http::Fields conditionals;  // If-Match, If-None-Match, If-Unmodified-Since
  std::string path;           // as sent (for Location)
  bool hidden = false;        // the path names a dotfile
  bool trailing_slash = false;
  const void* site = nullptr;  // the Site (opaque here)
};

}  // namespace endhost::web
