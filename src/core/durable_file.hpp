// Writing a file so that a crash (kill -9, power cut) leaves either the old file or the new one, never a
// torn one: the content goes to a temporary on the same file system, is synced, renamed over the target,
// and the directory is synced so the rename itself survives. DurableFileWriter streams; write_file_durably
// writes a whole string with it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace endhost::core {

// What went wrong: the errno (callers map ENOSPC, EISDIR… to their protocol's answer) and one line for a
// human saying which step failed on which file.
struct DurableFileError {
  int code = 0;
  std::string message;
};

// How much of the data commit() makes durable: everything (fsync), the data and the size (fdatasync: the
// cache, whose files carry their own times), or nothing (a cache told not to sync; the rename stays
// atomic, only its durability is given up). The directory is synced unless `none`.
enum class DurableSync { full, data, none };

struct DurableFileOptions {
  unsigned mode = 0644;  // 0600 for private keys: the temporary is never more readable than this
  DurableSync sync = DurableSync::full;
  // Where the temporary goes: "" for the target's directory, or a directory on the same file system
  // (the cache's DIR/tmp, emptied at start-up). With create_at(), a path relative to the directory.
  std::string temp_dir;
  // The temporary's name in temp_dir; "" for ".<name>.endhost-<random>" (hidden, unique).
  std::string temp_name;
  // O_TMPFILE where the file system has it: the temporary has no name until publish(), so a kill -9
  // leaves nothing behind. Falls back to a named temporary.
  bool unnamed_temp = false;
};

class DurableFileWriter {
 public:
  // Starts a file that will replace `path`.
  static Expected<DurableFileWriter, DurableFileError> create(const std::string& path,
                                                              DurableFileOptions options = {});
  // Starts a file that will replace `name` in the open directory `dir`, which the caller keeps open until
  // the writer is published or dropped (the web server holds it opened beneath its root).
  static Expected<DurableFileWriter, DurableFileError> create_at(int dir, const std::string& name,
                                                                 DurableFileOptions options = {});

  DurableFileWriter() = default;
  DurableFileWriter(DurableFileWriter&& other) noexcept;
  DurableFileWriter& operator=(DurableFileWriter&& other) noexcept;
  DurableFileWriter(const DurableFileWriter&) = delete;
  DurableFileWriter& operator=(const DurableFileWriter&) = delete;
  // Not committed: abort().
  ~DurableFileWriter();

  // Appends all of `data`.
  Expected<void, DurableFileError> write(std::string_view data);
  // Overwrites bytes at `offset` (a header patched once the body's size is known); size() is unchanged.
  Expected<void, DurableFileError> write_at(std::string_view data, std::uint64_t offset);
  // Sets the modification time (seconds since the epoch) the file will have when it appears.
  Expected<void, DurableFileError> set_mtime(std::int64_t seconds);

  // Whether publish() may replace a file of the target's name. `keep_existing` is atomic (renameat2's
  // RENAME_NOREPLACE): of two writers publishing the same new name, the second gets EEXIST and vanishes.
  enum class Publish { replace, keep_existing };

  // The steps of commit(), for callers that run the blocking ones elsewhere (each on a BlockingPool):
  // sync() blocks; publish() renames the file into place and says whether it replaced one (EISDIR when the
  // target is a directory); sync_dir() blocks.
  Expected<void, DurableFileError> sync();
  Expected<bool, DurableFileError> publish(Publish mode = Publish::replace);
  Expected<void, DurableFileError> sync_dir();
  // sync(), publish(), sync_dir(). Blocks: call it off the event loop. Returns whether a file was replaced.
  Expected<bool, DurableFileError> commit(Publish mode = Publish::replace);

  // Removes the temporary (nothing if published); the writer is then empty.
  void abort() noexcept;

  bool open() const noexcept { return fd_ >= 0; }
  bool published() const noexcept { return published_; }
  int fd() const noexcept { return fd_; }
  std::uint64_t size() const noexcept { return size_; }
  // The target as given: a path, or a name in the directory.
  const std::string& name() const noexcept { return name_; }

 private:
  DurableFileError error(const char* step, const std::string& what, int code) const;

  int dir_ = -1;          // AT_FDCWD for create(), the caller's directory for create_at()
  int fd_ = -1;           // the temporary, owned
  std::string name_;      // target, relative to dir_
  std::string temp_;      // the temporary's name relative to dir_, or "" (unnamed, not linked yet)
  std::string temp_dir_;  // where an unnamed temporary gets linked, relative to dir_
  DurableSync sync_ = DurableSync::full;
  std::uint64_t size_ = 0;
  bool published_ = false;
};

// Replaces `path` with `content` (mode 0644, or `mode`); with `mtime` (seconds since the epoch), the file's
// modification time is set before it appears. The error says which step failed and why.
Expected<void, std::string> write_file_durably(const std::string& path, std::string_view content,
                                               std::optional<std::int64_t> mtime = std::nullopt,
                                               unsigned mode = 0644);

}  // namespace endhost::core
