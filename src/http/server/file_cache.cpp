#include "http/server/file_cache.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace endhost::web {

namespace {

// A directory on an entry's path: what may change the file a name leads to (created, deleted, renamed to
// or from) and the directory itself (permissions, deleted, moved). Children's writes are not asked for
// (IN_MODIFY): an access log written next to the files would wake the loop on every line.
constexpr std::uint32_t kDirMask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB |
                                   IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
// The file itself: its bytes, its metadata (IN_ATTRIB includes the link count an unlink or a rename over
// it drops, reported at once even though our descriptor keeps the inode alive).
constexpr std::uint32_t kFileMask = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF;

// The marker of a dependency on a directory's own events only (a name never holds '/').
constexpr std::string_view kSelf = "/";

bool same_inode(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

bool read_all(int fd, std::size_t size, std::string& out) {
  out.resize(size);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, out.data() + done, size - done, static_cast<off_t>(done));
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

FileCache::FileCache(std::size_t capacity, std::size_t max_contents)
    : capacity_(capacity), max_contents_(max_contents) {}

FileCache::~FileCache() {
  // The descriptor's close drops every watch with it; a wait still queued completes as aborted and does not
  // touch this object (wait()).
  lru_.clear();
  watcher_.reset();
}

bool FileCache::start(const asio::any_io_executor& executor) {
  if (capacity_ == 0 || watcher_) return enabled();
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return false;  // EMFILE: fs.inotify.max_user_instances; the cache stays off
  executor_ = executor;
  watcher_ = std::make_unique<asio::posix::stream_descriptor>(executor, fd);
  inotify_ = fd;
  wait();
  return true;
}

void FileCache::wait() {
  watcher_->async_wait(asio::posix::descriptor_base::wait_read, [this](const boost::system::error_code& ec) {
    if (ec) return;  // aborted: the cache may be gone already
    drain();
    wait();
  });
}

void FileCache::drain() {
  if (inotify_ < 0) return;
  core::assert_on_loop(executor_);
  constexpr std::size_t kLargest = sizeof(inotify_event) + NAME_MAX + 1;
  alignas(inotify_event) char buf[4096];
  for (;;) {
    const ssize_t n = ::read(inotify_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // EAGAIN: nothing queued, the usual case
    for (std::size_t at = 0; at + sizeof(inotify_event) <= static_cast<std::size_t>(n);) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buf + at);
      std::string_view name;
      if (ev->len > 0) name = std::string_view(ev->name, ::strnlen(ev->name, ev->len));
      handle(ev->wd, ev->mask, name);
      at += sizeof(inotify_event) + ev->len;
    }
    // Room was left for one more event of any size: the kernel had no more to give.
    if (static_cast<std::size_t>(n) + kLargest <= sizeof buf) return;
  }
}

void FileCache::handle(int wd, std::uint32_t mask, std::string_view name) {
  if (mask & IN_Q_OVERFLOW) {
    // Events were lost: nothing cached can be trusted any more.
    ++stats_.overflows;
    clear();
    return;
  }
  auto w = watches_.find(wd);
  if (w == watches_.end()) return;  // a watch we removed (its IN_IGNORED), or one no entry uses
  victims_.clear();
  for (List::iterator it : w->second) {
    for (const Dep& d : it->deps) {
      // The file's own watch (child empty) and a directory's own events (no name) concern every entry that
      // depends on the watch; an event about a name in a directory, only the entries whose path goes
      // through that name.
      if (d.wd != wd || !(d.child.empty() || name.empty() || d.child == name)) continue;
      if (std::find(victims_.begin(), victims_.end(), it) == victims_.end()) victims_.push_back(it);
      break;
    }
  }
  // IN_IGNORED: the kernel removed the watch itself (the inode is gone, its file system unmounted). It must
  // not be removed again, and the wd may be given to a new watch.
  if (mask & IN_IGNORED) watches_.erase(w);
  for (List::iterator it : victims_) {
    ++stats_.invalidations;
    erase(it);
  }
  victims_.clear();
}

void FileCache::clear() {
  for (const auto& [wd, users] : watches_) ::inotify_rm_watch(inotify_, wd);
  watches_.clear();
  index_.clear();
  lru_.clear();
  contents_bytes_ = 0;
}

void FileCache::make_key(const void* site, std::string_view relative) {
  key_.assign(reinterpret_cast<const char*>(&site), sizeof site);
  key_ += relative;
}

std::shared_ptr<const CachedFile> FileCache::find(const void* site, std::string_view relative) {
  if (!enabled()) return nullptr;
  core::assert_on_loop(executor_);
  make_key(site, relative);
  auto found = index_.find(key_);
  if (found == index_.end()) {
    ++stats_.misses;
    return nullptr;
  }
  ++stats_.hits;
  lru_.splice(lru_.begin(), lru_, found->second);
  return found->second->file;
}

int FileCache::add_watch(int fd, std::uint32_t mask) {
  // The watch goes on the inode behind the descriptor (the one resolved and checked), not on a path that
  // could be resolved again to something else.
  char path[32];
  std::snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  return ::inotify_add_watch(inotify_, path, mask);
}

bool FileCache::build(Node& node, int root_fd, std::string_view relative, const struct stat* checked) {
  auto file = std::make_shared<CachedFile>();
  if (relative.empty()) {
    // The root itself (a request for "/"): only its own attributes matter to it.
    if (checked == nullptr || !S_ISDIR(checked->st_mode)) return false;
    const int wd = add_watch(root_fd, kDirMask);
    if (wd < 0) return false;
    node.deps.push_back(Dep{wd, std::string(kSelf)});
    if (::fstat(root_fd, &file->st) != 0 || !same_inode(file->st, *checked)) return false;
    file->kind = CachedFile::Kind::directory;
    node.file = std::move(file);
    return true;
  }
  // Walk the path again, one segment at a time, following no symlink; each directory is watched before the
  // next name is looked up in it, so a rename after the lookup is reported, and one before it was seen.
  int dir = root_fd;
  Fd owned_dir;
  char segment[NAME_MAX + 1];
  std::string_view rest = relative;
  for (;;) {
    const std::size_t slash = rest.find('/');
    const std::string_view name = rest.substr(0, slash);
    if (name.empty() || name.size() > NAME_MAX) return false;
    std::memcpy(segment, name.data(), name.size());
    segment[name.size()] = '\0';
    const int wd = add_watch(dir, kDirMask);
    if (wd < 0) return false;
    node.deps.push_back(Dep{wd, std::string(name)});
    if (slash == std::string_view::npos) break;
    const int next = ::openat(dir, segment, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) return false;
    owned_dir = Fd(next);
    dir = next;
    rest.remove_prefix(slash + 1);
  }
  if (checked == nullptr) {
    // An absence: still true now that the directory is watched (a creation from here on is reported).
    struct stat st {};
    if (::fstatat(dir, segment, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT) return false;
    file->kind = CachedFile::Kind::absent;
    node.file = std::move(file);
    return true;
  }
  if (S_ISDIR(checked->st_mode)) {
    const int fd = ::openat(dir, segment, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return false;
    const Fd owned(fd);
    if (::fstat(fd, &file->st) != 0 || !same_inode(file->st, *checked)) return false;
    file->kind = CachedFile::Kind::directory;
    node.file = std::move(file);
    return true;
  }
  if (!S_ISREG(checked->st_mode)) return false;
  // O_NOFOLLOW: a symlink at the end fails (ELOOP). The file is watched before its fstat and its read, so
  // what they see is either what is cached or followed by an event.
  Fd fd(::openat(dir, segment, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW));
  if (!fd) return false;
  const int wd = add_watch(fd.get(), kFileMask);
  if (wd < 0) return false;
  node.deps.push_back(Dep{wd, std::string()});
  struct stat& st = file->st;
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || !same_inode(st, *checked)) return false;
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size <= max_contents_ && contents_bytes_ + size <= kMaxContentsBytes) {
    if (!read_all(fd.get(), static_cast<std::size_t>(size), file->contents)) return false;
    file->has_contents = true;
    contents_bytes_ += size;
  }
  file->kind = CachedFile::Kind::file;
  file->mime = mime_type_for(relative);
  file->etag = ETag(st.st_ino,
                    static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec, size);
  file->last_modified = http::format_http_date(st.st_mtim.tv_sec);
  file->fd = std::move(fd);
  node.file = std::move(file);
  return true;
}

std::shared_ptr<const CachedFile> FileCache::insert(const void* site, int root_fd, std::string_view relative,
                                                    const struct stat* checked) {
  if (!enabled()) return nullptr;
  core::assert_on_loop(executor_);
  make_key(site, relative);
  if (auto old = index_.find(key_); old != index_.end()) erase(old->second);
  lru_.emplace_front();
  const List::iterator it = lru_.begin();
  it->key = key_;
  if (!build(*it, root_fd, relative, checked)) {
    // Watches this attempt added and no entry uses go again.
    for (const Dep& d : it->deps)
      if (!watches_.contains(d.wd)) ::inotify_rm_watch(inotify_, d.wd);
    lru_.erase(it);
    return nullptr;
  }
  index_.emplace(it->key, it);
  for (const Dep& d : it->deps) watches_[d.wd].push_back(it);
  ++stats_.inserts;
  if (lru_.size() > capacity_) {
    ++stats_.evictions;
    erase(std::prev(lru_.end()));
  }
  return it->file;
}

void FileCache::erase(List::iterator it) {
  for (const Dep& d : it->deps) {
    auto w = watches_.find(d.wd);
    if (w == watches_.end()) continue;  // removed by the kernel (IN_IGNORED)
    auto& users = w->second;
    if (auto u = std::find(users.begin(), users.end(), it); u != users.end()) users.erase(u);
    if (users.empty()) {
      ::inotify_rm_watch(inotify_, d.wd);
      watches_.erase(w);
    }
  }
  if (it->file && it->file->has_contents) contents_bytes_ -= it->file->contents.size();
  index_.erase(it->key);
  lru_.erase(it);
}

}  // namespace endhost::web
