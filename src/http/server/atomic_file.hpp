// A file that appears under its name complete and durable, or not at all (what PUT and form uploads write):
// the content goes to an unnamed temporary file in the target directory (O_TMPFILE), which is fsynced, linked
// under a hidden temporary name and renamed over the target; then the directory is fsynced so the rename
// itself survives a crash. If anything fails, or the client goes away, the temporary simply disappears.
// Where O_TMPFILE is not supported the temporary is a named dotfile, removed on failure.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "http/server/file_access.hpp"

namespace endhost::web {

class AtomicFile {
 public:
  AtomicFile() = default;
  AtomicFile(AtomicFile&& o) noexcept { *this = std::move(o); }
  AtomicFile& operator=(AtomicFile&& o) noexcept {
    if (this != &o) {
      discard();
      dir_ = std::exchange(o.dir_, -1);
      fd_ = std::move(o.fd_);
      name_ = std::move(o.name_);
      temp_name_ = std::exchange(o.temp_name_, std::string());
      size_ = std::exchange(o.size_, 0);
      published_ = std::exchange(o.published_, false);
    }
    return *this;
  }
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile() { discard(); }

  // Starts a file to be published as `name` in the directory `dir` (which stays open until published).
  // Returns 0 or an errno.
  int create(int dir, std::string name, mode_t mode = 0644);
  // Appends all of `data`. Returns 0 or an errno (ENOSPC, EIO…).
  int write(std::string_view data);
  // fsync of the content. Blocks: run it on the blocking pool.
  int sync();
  // Links the content under its name, replacing any file there. `replaced` says whether one was. Returns 0
  // or an errno (EISDIR when the name is a directory).
  int publish(bool& replaced);
  // fsync of the directory, making the new name durable. Blocks: run it on the blocking pool.
  int sync_dir();
  // Drops the temporary (unless published).
  void discard();

  std::uint64_t size() const noexcept { return size_; }
  const std::string& name() const noexcept { return name_; }
  int fd() const noexcept { return fd_.get(); }
  int dir_fd() const noexcept { return dir_; }

 private:
  int dir_ = -1;  // borrowed: the caller keeps the directory open
  Fd fd_;
  std::string name_;
  std::string temp_name_;  // the named temporary (fallback), or "" with O_TMPFILE
  std::uint64_t size_ = 0;
  bool published_ = false;
};

}  // namespace endhost::web
