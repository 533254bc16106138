// The proxy's access log: one line per request with the cache's verdict (HIT, MISS, REVALIDATED…), as
// Squid's access.log and Varnish's varnishncsa give operators. Lines are buffered per event loop and
// handed over in blocks (when a buffer passes 32 KiB, once a second, and at shutdown), so logging costs the
// request path an append to a thread-local string and no lock.
//
// Lines come out in time order across loops: each hand-over also says "this loop has nothing older than
// now" (its watermark), and only lines older than every loop's watermark are written, merged by time. A
// line therefore waits at most about a second (the slowest loop's next hand-over) before it is written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace endhost::http::proxy {

struct AccessRecord {
  std::int64_t unix_micros = 0;
  std::string_view client;  // "127.0.0.1:51234"
  std::string_view method;
  std::string_view url;
  unsigned status = 0;
  std::uint64_t bytes = 0;        // body bytes sent to the client
  std::string_view cache_result;  // HIT, MISS, REVALIDATED, REFRESH, STALE, PASS, …
  unsigned upstream_status = 0;   // 0: no upstream response
  double seconds = 0;
};

class AccessLog {
 public:
  enum class Format { text, json };
  // `out` is owned when `owned`; one buffer per event loop.
  AccessLog(std::FILE* out, bool owned, Format format, std::size_t loops);
  ~AccessLog();

  // Appends a record to the loop's buffer (call from that loop's thread only).
  void write(std::size_t loop, const AccessRecord& r);
  // Hands the loop's buffer over and writes what every loop has handed over up to now. From the loop's
  // thread, or any thread once the loops have stopped.
  void flush(std::size_t loop);
  // Everything, in order (at shutdown, once the loops have stopped).
  void flush_all();
  // SIGHUP after a rotation: the lines from now on go to a fresh `path`; the old file is closed. False (and
  // the old file kept) when `path` cannot be opened. Only for a log this object owns. Any thread.
  bool reopen(const std::string& path);

  static void format(std::string& out, Format format, const AccessRecord& r);

 private:
  struct Line {
    std::int64_t micros;
    std::uint32_t begin, end;  // in the buffer's text
  };
  struct alignas(64) Buffer {
    std::string text;
    std::vector<Line> lines;
  };
  // Handed-over lines not yet written (guarded by mu_).
  struct Pending {
    std::string text;
    std::vector<Line> lines;
    std::int64_t watermark = 0;  // every line this loop writes from now on is at least this late
    std::size_t next = 0;        // first line of `lines` not written yet
  };
  // Writes, in time order, every pending line no later than `until`. Holds mu_.
  void write_until(std::int64_t until);

  std::FILE* out_;
  bool owned_;
  Format format_;
  std::unique_ptr<Buffer[]> buffers_;
  std::unique_ptr<Pending[]> pending_;
  std::size_t loops_;
  std::string merged_;  // the block being written (guarded by mu_)
  std::mutex mu_;       // the hand-overs and block writes of different loops
};

}  // namespace endhost::http::proxy
