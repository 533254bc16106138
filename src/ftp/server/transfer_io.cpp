#include "ftp/server/transfer_io.hpp"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "ftp/ascii.hpp"

namespace endhost::ftp::server {

namespace {

constexpr std::size_t kChunk = 256 * 1024;       // pread size on plain connections (TYPE A)
constexpr std::size_t kRecvChunk = 1 << 20;      // recv size of uploads on plain connections
constexpr std::size_t kTlsChunk = 16 * 1024;     // one TLS record
constexpr std::size_t kSendfileChunk = 4 << 20;  // per sendfile call
// A reader as fast as the disk never makes sendfile wait; the loop's other sessions get a turn this often.
constexpr std::uint64_t kYieldEvery = 16 << 20;
constexpr std::uint64_t kSpaceCheckEvery = 8 << 20;
constexpr std::uint64_t kWritebackEvery = 8 << 20;

IoEnd broken(const boost::system::error_code& ec, const core::Deadline& deadline, const TransferControl& c) {
  if (c.abort) return IoEnd::aborted;
  if (deadline.timed_out()) return IoEnd::timed_out;
  (void)ec;
  return IoEnd::lost;
}

awaitable<IoResult> write_all(core::Stream& data, core::Deadline& deadline, std::string_view bytes,
                              std::chrono::milliseconds idle, TransferControl& control, IoResult& r) {
  while (!bytes.empty()) {
    if (control.abort) {
      r.end = IoEnd::aborted;
      co_return r;
    }
    deadline.expires_after(idle);
    auto [ec, n] = co_await data.async_write_some(asio::buffer(bytes.data(), bytes.size()), use_nothrow);
    if (ec) {
      r.end = broken(ec, deadline, control);
      co_return r;
    }
    bytes.remove_prefix(n);
    r.bytes += n;
    control.bytes = r.bytes;
  }
  r.end = IoEnd::done;
  co_return r;
}

}  // namespace

awaitable<IoResult> send_file(core::Stream& data, core::Deadline& deadline, int fd, std::uint64_t offset,
                              std::uint64_t size, bool ascii, std::chrono::milliseconds idle,
                              TransferControl& control) {
  IoResult r;
  if (data.is_plain() && !ascii) {
    // Zero copy: the kernel moves page-cache pages to the socket.
    auto& socket = data.lowest_layer();
    boost::system::error_code nb;
    socket.non_blocking(true, nb);
    auto off = static_cast<off_t>(offset);
    std::uint64_t since_yield = 0;
    while (static_cast<std::uint64_t>(off) < size) {
      if (since_yield >= kYieldEvery) {
        since_yield = 0;
        co_await asio::post(data.get_executor(), asio::use_awaitable);
      }
      if (control.abort) {
        r.end = IoEnd::aborted;
        co_return r;
      }
      const std::uint64_t left = size - static_cast<std::uint64_t>(off);
      const ssize_t n = ::sendfile(socket.native_handle(), fd, &off,
                                   static_cast<std::size_t>(std::min<std::uint64_t>(left, kSendfileChunk)));
      if (n > 0) {
        r.bytes += static_cast<std::uint64_t>(n);
        since_yield += static_cast<std::uint64_t>(n);
        control.bytes = r.bytes;
        continue;
      }
      if (n == 0) break;  // the file shrank under us: what is there has been sent
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        since_yield = 0;
        deadline.expires_after(idle);
        auto [ec] = co_await socket.async_wait(asio::socket_base::wait_write, use_nothrow);
        if (ec) {
          r.end = broken(ec, deadline, control);
          co_return r;
        }
        continue;
      }
      if (errno == EPIPE || errno == ECONNRESET) {
        r.end = IoEnd::lost;
        co_return r;
      }
      r.end = IoEnd::file_error;
      r.error = errno;
      co_return r;
    }
    r.end = IoEnd::done;
    co_return r;
  }
  // TLS or TYPE A: through user space, a record (TLS) or a larger chunk at a time.
  const std::size_t chunk = data.is_plain() ? kChunk : kTlsChunk;
  std::vector<char> buf(chunk);
  std::string converted;
  AsciiEncoder encoder;
  std::uint64_t pos = offset;
  while (pos < size) {
    const ssize_t n =
        ::pread(fd, buf.data(), static_cast<std::size_t>(std::min<std::uint64_t>(chunk, size - pos)),
                static_cast<off_t>(pos));
    if (n < 0) {
      if (errno == EINTR) continue;
      r.end = IoEnd::file_error;
      r.error = errno;
      co_return r;
    }
    if (n == 0) break;
    pos += static_cast<std::uint64_t>(n);
    std::string_view out(buf.data(), static_cast<std::size_t>(n));
    if (ascii) {
      converted.clear();
      encoder.encode(out, converted);
      out = converted;
    }
    co_await write_all(data, deadline, out, idle, control, r);
    if (r.end != IoEnd::done) co_return r;
  }
  r.end = IoEnd::done;
  co_return r;
}

awaitable<IoResult> receive_file(core::Stream& data, core::Deadline& deadline, core::DurableFileWriter& out,
                                 bool ascii, UploadLimits limits, std::chrono::milliseconds idle,
                                 TransferControl& control) {
  IoResult r;
  std::vector<char> buf(data.is_plain() ? kRecvChunk : kTlsChunk);
  std::string converted;
  AsciiDecoder decoder;
  std::uint64_t next_space_check = 0;
  std::uint64_t written_back = 0;
  const auto space_ok = [&]() {
    if (limits.min_free_space == 0) return true;
    struct statvfs s {};
    if (::fstatvfs(out.fd(), &s) != 0) return true;
    return static_cast<std::uint64_t>(s.f_bavail) * s.f_frsize >= limits.min_free_space;
  };
  for (;;) {
    if (control.abort) {
      r.end = IoEnd::aborted;
      co_return r;
    }
    deadline.expires_after(idle);
    auto [ec, n] = co_await data.async_read_some(asio::buffer(buf), use_nothrow);
    if (ec == asio::error::eof) break;
    if (ec) {
      r.end = broken(ec, deadline, control);
      co_return r;
    }
    r.bytes += n;
    control.bytes = r.bytes;
    std::string_view in(buf.data(), n);
    if (ascii) {
      converted.clear();
      decoder.decode(in, converted);
      in = converted;
    }
    if (limits.max_file_size != 0 && out.size() + in.size() > limits.max_file_size) {
      r.end = IoEnd::too_large;
      co_return r;
    }
    if (auto w = out.write(in); !w) {
      r.end = w.error().code == ENOSPC || w.error().code == EDQUOT ? IoEnd::no_space : IoEnd::file_error;
      r.error = w.error().code;
      co_return r;
    }
    if (out.size() >= written_back + kWritebackEvery) {
      // Start the disk writing what has arrived, without waiting for it: the fsync before 226 then has
      // little left to do, instead of a whole upload's dirty pages at once.
      ::sync_file_range(out.fd(), static_cast<off_t>(written_back),
                        static_cast<off_t>(out.size() - written_back), SYNC_FILE_RANGE_WRITE);
      written_back = out.size();
    }
    if (out.size() >= next_space_check) {
      if (!space_ok()) {
        r.end = IoEnd::no_space;
        co_return r;
      }
      next_space_check = out.size() + kSpaceCheckEvery;
    }
  }
  if (ascii) {
    converted.clear();
    decoder.finish(converted);
    if (!converted.empty()) {
      if (auto w = out.write(converted); !w) {
        r.end = IoEnd::file_error;
        r.error = w.error().code;
        co_return r;
      }
    }
  }
  r.end = IoEnd::done;
  co_return r;
}

awaitable<IoResult> send_text(core::Stream& data, core::Deadline& deadline, std::string_view text,
                              std::chrono::milliseconds idle, TransferControl& control) {
  IoResult r;
  co_await write_all(data, deadline, text, idle, control, r);
  co_return r;
}

}  // namespace endhost::ftp::server
