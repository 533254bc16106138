// The system calls the store makes, wrapped to return StoreError values: directory stamps and listings,
// fsync of a directory, whole-file reads, the CRLF size of a file. Internal to src/mail/store.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "mail/store/types.hpp"

namespace endhost::mail::store::detail {

StoreError io_error(int code, std::string_view step, std::string_view path);

// A directory's mtime to the nanosecond: the cheap "did anything change" test of refresh().
struct DirStamp {
  std::int64_t sec = -1;
  long nsec = 0;
  bool same_time(const DirStamp& o) const { return sec == o.sec && nsec == o.nsec; }
};
// The stamp, or the errno.
Expected<DirStamp, int> stamp_of(const std::string& dir);
// Whether a stamp is too recent to trust: the directory changed within the second before `now_sec`, so a
// further change in the same clock tick would leave the mtime as it is (Dovecot's MAILDIR_SYNC_SECS).
bool too_recent(const DirStamp& stamp, std::int64_t now_sec);
std::int64_t now_seconds();

struct DirEntry {
  std::string name;
  bool directory = false;  // d_type, or stat() where the file system does not say
};
// The entries of `dir` but "." and "..". ENOENT comes back as an error with code ENOENT.
Expected<std::vector<DirEntry>, StoreError> list_dir(const std::string& dir, bool need_type = false);
bool is_directory(const std::string& path);

Expected<void, StoreError> fsync_dir(const std::string& dir);
// The whole file, at most `max` bytes (TooBig beyond). ENOENT comes back with code ENOENT.
Expected<std::string, StoreError> read_file(const std::string& path, std::uint64_t max);

// Replaces `path` with `content` (mode 0600) through core::DurableFileWriter: temporary, fsync, rename,
// fsync of the directory; the error keeps the errno.
Expected<void, StoreError> write_durably(const std::string& path, std::string_view content);

// What a message file measures: its size, its size with CRLF line ends (read through once), its mtime.
struct Measured {
  std::uint64_t size = 0;
  std::uint64_t vsize = 0;
  std::int64_t mtime = 0;
};
// `read_vsize` false: vsize = size (the name said W=, or the caller knows); only an fstat.
Expected<Measured, StoreError> measure(const std::string& path, bool read_vsize);

}  // namespace endhost::mail::store::detail
