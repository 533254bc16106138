// The proxy's access log: one line per request with the cache's verdict (HIT, MISS, REVALIDATED…), as
// Squid's access.log and Varnish's varnishncsa give operators. Lines are buffered per event loop and
// written in blocks (when a buffer passes 32 KiB, once a second, and at shutdown), so logging costs the
// request path an append to a thread-local string and no lock.
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
  // Writes the loop's buffer out. From the loop's thread, or any thread once the loops have stopped.
  void flush(std::size_t loop);
  void flush_all();
  // SIGHUP after a rotation: the lines from now on go to a fresh `path`; the old file is closed. False (and
  // the old file kept) when `path` cannot be opened. Only for a log this object owns. Any thread.
  bool reopen(const std::string& path);

  static void format(std::string& out, Format format, const AccessRecord& r);

 private:
  std::FILE* out_;
  bool owned_;
  Format format_;
  struct alignas(64) Buffer {
    std::string text;
  };
  std::unique_ptr<Buffer[]> buffers_;
  std::size_t loops_;
  std::mutex mu_;  // serialises the block writes of different loops
};

}  // namespace endhost::http::proxy
