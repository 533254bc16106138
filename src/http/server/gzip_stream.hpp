// On-the-fly gzip (RFC 9110 §8.4.1.3, RFC 1952) for `--compress`: a zlib deflate stream that turns file
// blocks into compressed bytes. Streams are expensive to set up (about 256 KiB of state), so each event loop
// keeps a few and resets them between responses.
#pragma once

#include <zlib.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace endhost::web {

class GzipStream {
 public:
  explicit GzipStream(int level);
  ~GzipStream();
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;

  bool ok() const noexcept { return ok_; }
  // Ready for a new member (a new response). Keeps the allocated state.
  void reset() noexcept;
  // Compresses `in` and appends the output to `out`; `finish` ends the gzip member (trailer included).
  // False on a zlib error.
  bool write(std::string_view in, std::string& out, bool finish);

 private:
  z_stream z_{};
  bool ok_ = false;
};

// A loop's spare streams (used only on that loop's thread).
class GzipPool {
 public:
  explicit GzipPool(int level) : level_(level) {}
  std::unique_ptr<GzipStream> take();
  void give(std::unique_ptr<GzipStream> s);

 private:
  static constexpr std::size_t kMaxSpare = 4;
  int level_;
  std::vector<std::unique_ptr<GzipStream>> spare_;
};

}  // namespace endhost::web
