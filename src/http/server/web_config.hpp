// Everything `endhost web serve` is configured with, filled by make_web_config (web_options.hpp) and read
// (never written) by the sessions on every loop. Limits and timeouts are named here, each with its default.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/transcript.hpp"
#include "http/limits.hpp"
#include "http/server/access_log.hpp"
#include "http/server/basic_auth.hpp"
#include "http/server/file_access.hpp"
#include "http/server/visitor_store.hpp"

namespace endhost::web {

// A document root: the default one (--root) or a virtual host's (--vhost NAME=DIR).
struct Site {
  std::string host;  // lower-case host name without port; "" for the default root
  std::string path;  // the directory as given, for logs
  Fd dir;            // the open directory every lookup starts from
};

struct WebConfig {
  std::vector<Site> sites;  // virtual hosts first, then the default root (host "") if there is one

  // Static files.
  bool listing = true;           // HTML index for directories without index.html (--no-listing)
  bool follow_symlinks = false;  // allow symlinks that lead outside the root (--follow-symlinks)
  bool show_dotfiles = false;    // serve names that start with '.' (--show-dotfiles)
  bool compress = false;         // on-the-fly gzip of compressible types (--compress)
  int gzip_level = 6;
  std::uint64_t compress_min_size = 256;      // smaller files are not worth a gzip header
  std::size_t inline_file_limit = 32 * 1024;  // files up to this size are copied into the response buffer
  std::size_t max_ranges = 16;                // more ranges in one Range field: ignored, 200 (like nginx)
  std::size_t max_listing_entries = 10'000;   // a directory listing stops here
  // --file-cache: paths each event loop keeps open, with their metadata and small files' bytes
  // (file_cache.hpp); 0: off.
  std::size_t file_cache_entries = 1024;

  // Messages. limits.max_body_size is the parser's bound on any body (the larger of the two below);
  // max_drain_body bounds the bodies of methods that do not use them, which are read and dropped.
  http::Limits limits;
  std::uint64_t max_drain_body = 1024 * 1024;
  std::size_t max_requests_per_connection = 1000;

  // Writes (--writable, --auth): PUT, DELETE and multipart POST, for the users of the htpasswd file.
  bool writable = false;
  // HTTP/2 (RFC 9113): h2 by ALPN on TLS, h2c by the preface in clear.
  bool http2 = true;
  // --push: for a GET of `first` over HTTP/2, PUSH_PROMISE each of `second` (RFC 9113 §8.4).
  std::vector<std::pair<std::string, std::vector<std::string>>> push;
  // --limit-rate: each connection's output is paced to this many bytes per second (core/token_bucket.hpp),
  // over HTTP/1.1 and HTTP/2 alike; 0: as fast as the client reads.
  std::uint64_t limit_rate = 0;
  // --add-header PATH=FIELD: a field every successful (2xx, 304) response for PATH carries, in both
  // framings; a `Link: <…>; rel=preload` among them is also pushed over HTTP/2 (h2_session.cpp).
  struct AddedField {
    std::string path, name, value;
  };
  std::vector<AddedField> add_header;
  std::vector<PasswordEntry> users;
  std::uint64_t max_upload = 64 * 1024 * 1024;  // one PUT body, or one form's whole body
  std::size_t max_upload_files = 64;            // parts of one form
  std::size_t blocking_threads = 2;             // password hashing, fsync

  // Timeouts. header: from the first byte of a request to the end of its head (a total, not per read: that
  // is what defeats slowloris); body: between two reads of a request body; keepalive: idle time between
  // requests; send: between two successful writes; linger: reading what a client still sends after we
  // decided to close, so our last response is not destroyed by a reset (RFC 9112 §9.6).
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds keepalive_timeout{15'000};
  std::chrono::milliseconds send_timeout{60'000};
  std::chrono::milliseconds linger_timeout{2'000};
  std::size_t linger_max_bytes = 256 * 1024;

  // Sessions (--sessions, --state DIR): a cookie for each visitor, visits counted in the store, GET
  // /_session. The store is opened by whoever builds the config (start-up errors belong to the CLI).
  std::shared_ptr<VisitorStore> visitors;  // null: sessions off
  std::int64_t session_max_age = 365 * 24 * 3600;

  std::shared_ptr<AccessLog> access_log;  // --access-log: Combined Log Format; null: off
  core::Transcript transcript;            // --trace: request and response heads
};

}  // namespace endhost::web
