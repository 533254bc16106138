// Internal to the web server: one request as the handlers see it (RequestContext) and what they decide
// (Reply). Handlers append the response head, and any body small enough to copy, to work.out; a Reply's
// PendingBody says what the session must send after it (a file extent by sendfile(2), the parts of a
// multipart/byteranges body, or a file to gzip on the fly).
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <string_view>

#include "http/request_parser.hpp"
#include "http/server/file_access.hpp"
#include "http/server/range.hpp"
#include "http/server/server_state.hpp"
#include "http/server/url_path.hpp"
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
};

struct RequestContext {
  RequestContext(ServerState& s, LoopState& l, Work& w, const http::RequestHead& h, std::time_t t)
      : server(s), loop(l), work(w), head(h), now(t), date(l.date.get(t)) {}

  ServerState& server;
  LoopState& loop;
  Work& work;
  const http::RequestHead& head;
  const Site* site = nullptr;  // nullptr: no root serves this host
  std::string_view path;       // as sent, before decoding; "/" when the target had none
  std::string_view query;
  bool has_query = false;
  PathInfo path_info;  // valid when the path decoded (work.local holds it)
  std::time_t now;
  std::string_view date;  // IMF-fixdate of `now`, from the loop's cache
};

}  // namespace endhost::web
