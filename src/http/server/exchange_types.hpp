// Internal to the web server: what a handler decides about one request (Reply) and the body the session
// must send after the head that the handler wrote into the output buffer (PendingBody): a file extent by
// sendfile(2), the parts of a multipart/byteranges body, or a file to gzip on the fly.
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
#include "http/status.hpp"

namespace endhost::web {

struct PendingBody {
  enum class Kind : std::uint8_t { none, file, byteranges, gzip };
  Kind kind = Kind::none;
  Fd file;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;               // file: bytes from offset; gzip: the file's size
  std::unique_ptr<ByterangesBody> parts;  // byteranges
};

struct Reply {
  http::Status status = http::Status::ok;
  std::uint64_t content_bytes = 0;  // content sent after the head (for the access log)
  bool keep_alive = true;           // false: Connection: close, and the session closes after sending
  PendingBody body;

  void reset() {
    status = http::Status::ok;
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
