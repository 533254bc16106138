// Moving the bytes of one transfer over its data connection: a file out (sendfile(2) on a plain connection
// in TYPE I, so a 1 GiB file never passes through user space; pread + the stream otherwise: TLS and TYPE
// A), an upload in (into a DurableFileWriter, TYPE A converted), and listing text out. Every read and write
// on the data connection has a deadline (--data-timeout, renewed by progress), and an ABOR cancels the
// stream: each function reports how it ended instead of throwing.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>

#include "core/asio.hpp"
#include "core/deadline.hpp"
#include "core/durable_file.hpp"
#include "core/stream.hpp"

namespace endhost::ftp::server {

enum class IoEnd {
  done,        // all sent, or the peer ended the upload (EOF)
  aborted,     // ABOR cancelled it
  timed_out,   // --data-timeout passed with no progress
  lost,        // the connection broke
  file_error,  // reading or writing the file failed (errno in `error`)
  too_large,   // --max-file-size
  no_space,    // --min-free-space or ENOSPC
};

struct IoResult {
  IoEnd end = IoEnd::done;
  std::uint64_t bytes = 0;  // on the data connection
  int error = 0;
};

// What a transfer shares with the session: ABOR's flag and the running byte count (for STAT).
struct TransferControl {
  bool abort = false;
  std::uint64_t bytes = 0;
};

struct UploadLimits {
  std::uint64_t max_file_size = 0;   // 0: none; counts the kept prefix too
  std::uint64_t min_free_space = 0;  // checked every few MiB with fstatvfs on the file
};

// Sends [offset, size) of `fd`. TYPE I on a plain stream uses sendfile; `ascii` converts LF to CRLF.
awaitable<IoResult> send_file(core::Stream& data, core::Deadline& deadline, int fd, std::uint64_t offset,
                              std::uint64_t size, bool ascii, std::chrono::milliseconds idle,
                              TransferControl& control);

// Receives until EOF into `out` (CRLF to LF when `ascii`), within the limits.
awaitable<IoResult> receive_file(core::Stream& data, core::Deadline& deadline, core::DurableFileWriter& out,
                                 bool ascii, UploadLimits limits, std::chrono::milliseconds idle,
                                 TransferControl& control);

// Sends `text` (a listing's batch).
awaitable<IoResult> send_text(core::Stream& data, core::Deadline& deadline, std::string_view text,
                              std::chrono::milliseconds idle, TransferControl& control);

}  // namespace endhost::ftp::server
