// Internal to the web server's session code: the state shared by all connections (configuration, metrics)
// and the state each event loop owns alone (Date cache, pooled per-request buffers, scratch space), so the
// request path takes no lock and, once warm, allocates nothing.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/blocking_pool.hpp"
#include "core/metrics.hpp"
#include "http/date.hpp"
#include "http/request_parser.hpp"
#include "http/server/exchange_types.hpp"
#include "http/server/file_cache.hpp"
#include "http/server/gzip_stream.hpp"
#include "http/server/listing.hpp"
#include "http/server/range.hpp"
#include "http/server/web_config.hpp"
#include "http/server_connection.hpp"

namespace endhost::web {

struct WebMetrics {
  explicit WebMetrics(core::MetricsRegistry& registry);
  void response(unsigned status, double seconds, std::size_t shard);

  std::array<core::Counter*, 600> by_status{};  // requests by status code, registered up front
  core::Counter* bytes_sent = nullptr;          // response bytes, heads included
  core::Counter* bytes_received = nullptr;      // request bytes, heads and bodies
  core::Gauge* open_connections = nullptr;
  core::Counter* connections_refused = nullptr;
  core::Histogram* latency = nullptr;  // first byte of the request to the response handed to the kernel
};

// The buffers one busy connection needs. A connection holds a Work only while it has a request in progress;
// idle keep-alive connections give theirs back to the loop's pool, so 10,000 idle clients cost no buffers.
struct Work {
  explicit Work(const http::ServerConnection::Options& options);

  // The HTTP/1 connection (receive buffer and parser) of whichever connection holds this Work: an idle one
  // parks it (ServerConnection::park) and gives the Work back; the next to take it resumes its own.
  http::ServerConnection http;
  std::string out;      // HTTP/1 bytes of the responses being sent (several, when requests are pipelined)
  std::string local;    // the decoded relative path of the current request (then of its index.html)
  std::string scratch;  // a second path (index.html, precompressed sibling), a boundary, a field value
  // The in-memory content of reply (PendingBody::Kind::memory): error pages, listings, small files, write
  // replies. Built or read before the head is serialized, so a small file that shrank is still answered
  // right; the serializer copies it after the head.
  std::string body;
  std::vector<ByteRange> ranges;
  Reply reply;             // the response to the request in progress
  WriteRequest write;      // the PUT, DELETE or POST in progress
  Visit visit;             // --sessions: the visitor of the request in progress
  std::string set_cookie;  // --sessions: the Set-Cookie value for a new visitor ("" otherwise)
  // --access-log: what the line of the request in progress needs from its head (copied: the head dies).
  std::string log_request, log_referer, log_agent;
  std::time_t log_time = 0;
};

struct LoopState {
  LoopState(std::size_t i, const WebConfig& config)
      : index(i), gzip(config.gzip_level), files(config.file_cache_entries) {}

  http::DateCache date;
  http::DateCache last_modified;  // the Last-Modified text of the file served last (often the same one)
  std::vector<std::unique_ptr<Work>> spare;  // idle Works, at most kMaxSpare
  std::vector<ListingEntry> listing;         // scratch for directory listings
  std::uint64_t boundary_counter = 0;        // multipart/byteranges boundaries
  std::size_t index;                         // the loop's index: the metrics shard
  GzipPool gzip;                             // --compress
  FileCache files;                           // --file-cache; started on the loop's thread (WebServer)
  // What the loop's HTTP/2 connections read into: each read is handled before the next one starts, so an
  // idle h2 connection holds no read buffer of its own.
  std::string h2_input;
  std::size_t freed_works = 0;  // Works freed (the spare pool was full) since memory was last given back

  // Enough for the connections one loop is in the middle of serving at once (an idle keep-alive
  // connection holds none); more would keep a slow-client attack's buffers for good.
  static constexpr std::size_t kMaxSpare = 16;
  // Give freed memory back (malloc_trim) after this many Works were freed (~0.6 MB of buffers).
  static constexpr std::size_t kTrimAfter = 16;
};

struct ServerState {
  ServerState(WebConfig cfg, core::MetricsRegistry& registry, std::size_t loop_count);

  std::unique_ptr<Work> take_work(LoopState& loop);
  void give_work(LoopState& loop, std::unique_ptr<Work> work);

  WebConfig config;
  WebMetrics metrics;
  std::vector<std::unique_ptr<LoopState>> loops;
  http::ServerConnection::Options connection;  // every HTTP/1 connection's limits, drain allowance, buffer
  std::string boundary_prefix;  // random per process: multipart boundaries that do not occur in files
  core::BlockingPool blocking;  // password hashing, fsync
  std::unique_ptr<core::BlockingPool> state_thread;  // --sessions: the one thread that uses the visitor store
};

}  // namespace endhost::web
