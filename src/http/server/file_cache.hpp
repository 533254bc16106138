// Internal to the web server: one event loop's open-file cache (`--file-cache N`). It keeps what the static
// handler learns about a path under a site's root: the open descriptor, the fstat result, the validators
// (ETag, Last-Modified text), the MIME type, and the bytes of small files, for the N paths used last; and
// also that a precompressed sibling or an index.html is absent. A hit costs the request no open, fstat, read
// or close.
//
// Exactness comes from inotify(7), not from a validity time: each entry watches the directories on its
// path (for creations, deletions and renames of the name it depends on, and changes to a directory itself)
// and its file (IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE, and the link count that an unlink or a rename over it
// drops). The kernel queues an event before the system call that caused it returns, so reading the queue
// without blocking makes every change completed so far visible. The sessions call note_input() whenever
// they read client bytes, and the handler calls sync() before a request's lookups: it reads the queue if
// bytes were read since it last did, so a file changed on disk (by another program or by our own
// PUT/DELETE) is never served stale to a request that arrived after the change, and the requests of one
// read (an h2 client's ten streams, a pipelined batch) share one read of the queue. Between requests an
// asio wait on the descriptor keeps the queue short; IN_Q_OVERFLOW drops everything.
//
// Safety stays the file system's: an entry is made only after the caller's own open_beneath() of the path
// succeeded (the same checks as without the cache), and only for paths that resolve without any symlink
// (each segment opened again with O_NOFOLLOW, to the same inode): what a symlink's target depends on is not
// watched, so such paths are never cached. Not thread-safe: one cache per loop, used on its thread only.
#pragma once

#include <sys/stat.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/asio.hpp"
#include "core/event_loop.hpp"
#include "http/date.hpp"
#include "http/server/etag.hpp"
#include "http/server/file_access.hpp"
#include "http/server/mime.hpp"

namespace endhost::web {

// What one path resolved to. Immutable once made; shared with the requests that use it, so eviction or
// invalidation in the middle of a request never closes a descriptor under it.
struct CachedFile {
  enum class Kind : std::uint8_t { file, directory, absent };
  Kind kind = Kind::absent;
  Fd fd;              // file: open for reading (O_NONBLOCK, as open_beneath opens it); else closed
  struct stat st {};  // file and directory: the fstat taken after the watches were in place
  MimeType mime;      // file: from the path's name
  ETag etag;          // file: the strong tag of st (etag.hpp)
  std::array<char, http::http_date_size> last_modified{};  // file: IMF-fixdate of st's mtime
  bool has_contents = false;                               // file: contents holds the whole file
  std::string contents;

  std::string_view last_modified_text() const { return {last_modified.data(), last_modified.size()}; }
};

class FileCache {
 public:
  // `capacity` entries at most (0: the cache is off); files up to `max_contents` bytes are kept in memory.
  explicit FileCache(std::size_t capacity, std::size_t max_contents = kDefaultMaxContents);
  ~FileCache();
  FileCache(const FileCache&) = delete;
  FileCache& operator=(const FileCache&) = delete;

  // Opens the inotify descriptor and waits on it through `executor` (the loop's). Call on the loop's thread.
  // Until then, and if inotify cannot be had (false), the cache keeps nothing.
  bool start(const asio::any_io_executor& executor);
  bool enabled() const { return capacity_ > 0 && inotify_ >= 0; }

  // Client bytes were read on this loop (a request may be among them): the next sync() must look.
  void note_input() { ++input_reads_; }
  // Applies every change the kernel has reported so far, if client bytes were read since the last time
  // (else every request being served was read before that time, and what it saw still holds for them).
  // Call before a request's lookups.
  void sync() {
    if (input_reads_ == synced_reads_) return;
    synced_reads_ = input_reads_;
    drain();
  }
  // Applies every change reported so far, unconditionally.
  void drain();

  // The entry for `relative` under the site `site` (any pointer that identifies the root), or null.
  std::shared_ptr<const CachedFile> find(const void* site, std::string_view relative);

  // Makes an entry for `relative` (no leading slash, no "." or ".." segments; "" is the root) under
  // `root_fd`, after the caller's open_beneath() of it gave `checked` (a regular file or a directory): or,
  // with `checked` empty, after it said ENOENT (the entry then records the absence). Null when the path
  // cannot be cached: a symlink on the way, a watch refused (inotify limits, no /proc), a change meanwhile
  // (the inode is not the one the caller checked), or the cache is off. The least recently used entry
  // makes room.
  std::shared_ptr<const CachedFile> insert(const void* site, int root_fd, std::string_view relative,
                                           const struct stat* checked);

  // Drops every entry (what IN_Q_OVERFLOW does).
  void clear();

  std::size_t size() const { return lru_.size(); }
  std::size_t capacity() const { return capacity_; }
  std::size_t watches() const { return watches_.size(); }
  struct Stats {
    std::uint64_t hits = 0, misses = 0, inserts = 0, invalidations = 0, evictions = 0, overflows = 0;
  };
  const Stats& stats() const { return stats_; }

  static constexpr std::size_t kDefaultMaxContents = 16 * 1024;
  // The bytes of all entries' contents together, at most; past it, files are cached without their bytes
  // (read with pread on every request, as without the cache, but still not opened).
  static constexpr std::size_t kMaxContentsBytes = 4 * 1024 * 1024;

 private:
  // An entry depends on a watch: for a directory on its path, on the events about `child` and about the
  // directory itself; for its own file (child empty), on every event; for the root directory as an entry
  // of its own, on the directory's own events alone (child "/", which no name matches).
  struct Dep {
    int wd;
    std::string child;
  };
  struct Node {
    std::string key;
    std::shared_ptr<CachedFile> file;
    std::vector<Dep> deps;
  };
  using List = std::list<Node>;

  void make_key(const void* site, std::string_view relative);
  int add_watch(int fd, std::uint32_t mask);
  bool build(Node& node, int root_fd, std::string_view relative, const struct stat* checked);
  void erase(List::iterator it);
  void handle(int wd, std::uint32_t mask, std::string_view name);
  void wait();

  std::size_t capacity_;
  std::size_t max_contents_;
  int inotify_ = -1;
  std::unique_ptr<asio::posix::stream_descriptor> watcher_;  // owns inotify_
  asio::any_io_executor executor_;
  List lru_;  // most recent first
  std::unordered_map<std::string, List::iterator> index_;
  std::unordered_map<int, std::vector<List::iterator>> watches_;  // wd → the entries that depend on it
  std::string key_;                                               // scratch: lookups allocate nothing
  std::vector<List::iterator> victims_;
  std::size_t contents_bytes_ = 0;
  std::uint64_t input_reads_ = 0, synced_reads_ = 0;
  Stats stats_;
};

}  // namespace endhost::web
