// Internal to the web server: PUT, DELETE and multipart POST, once for both framings. The HTTP/1.1 session
// (http_writes.cpp) and the HTTP/2 one (h2_session.cpp) each give the body as an UploadSource — bytes from
// the connection, or a stream's DATA frames — and answer the WriteOutcome in their own framing.
//
// Writes are authenticated with HTTP Basic against the htpasswd file, refused before the body is read when
// they cannot succeed, bounded by --max-upload, and durable when they answer (core::DurableFileWriter: an
// unnamed temporary, fsync, rename, fsync of the directory). No partial file is ever visible: a failed or
// abandoned upload (a reset stream, a lost connection) leaves nothing behind.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/asio.hpp"
#include "http/server/exchange.hpp"
#include "http/server/replies.hpp"
#include "http/server/server_state.hpp"

namespace endhost::web {

// Where a write's request body comes from.
class UploadSource {
 public:
  enum class End : std::uint8_t { more, done, failed };
  struct Piece {
    End end = End::failed;  // more: `data` is a piece; done: the last one (maybe empty); failed: see below
    std::string_view data;
  };
  virtual ~UploadSource() = default;
  // Called once, when the write has been accepted and its body is wanted (HTTP/1.1 sends 100 Continue if
  // the client asked, RFC 9110 §10.1.1). false: the connection failed.
  virtual awaitable<bool> begin() = 0;
  // The next piece of the body. Its data stays valid until the next call, which also tells the source that
  // it was consumed (HTTP/2 returns the flow-control credit then). `failed`: the body cannot be read (cut
  // off, malformed, timed out, the stream reset); the source knows why and the framing answers it or not.
  virtual awaitable<Piece> next() = 0;
};

// How a write ended.
struct WriteOutcome {
  enum class Kind : std::uint8_t {
    stored,       // `status` (201, 204) with work.body as the content if `content_type` is set
    rejected,     // an error page for `status`, with `detail` and `extra`
    body_failed,  // the source failed or begin() did: the framing decides what, if anything, to answer
  };
  Kind kind = Kind::body_failed;
  http::Status status{};
  std::string_view detail;        // static text
  ExtraField extra;               // WWW-Authenticate on a 401, Allow on a 405
  std::string_view content_type;  // stored: of work.body ("" for no content)
  bool body_abandoned = false;    // rejected after part of the body was read: the rest is not wanted
};

// Copies what the write needs out of rq's head into rq.work.write (the head's views may die before the
// write is done).
void prepare_write(RequestContext& rq);

// Authenticates and performs the write in work.write (work.local: its decoded path), reading the body from
// `body` only once the write has been accepted. Runs on the connection's loop; the blocking steps (password
// hashing, fsync) go to the server's blocking pool.
awaitable<WriteOutcome> perform_write(ServerState& server, Work& work, UploadSource& body);

// Describes a stored write's success in work.reply: `status`, `content_type` (if any) and work.body as the
// content (none for 204, which has no Content-Length either, RFC 9110 §8.6).
void describe_stored(RequestContext& rq, http::Status status, std::string_view content_type);

}  // namespace endhost::web
