#include "ftp/server/confined_fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace endhost::ftp::server {

void UniqueFd::reset() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

int open_beneath(int dir, const char* path, std::uint64_t flags) noexcept {
  struct open_how how {};
  how.flags = flags | O_CLOEXEC;
  // RESOLVE_BENEATH: "..", absolute paths and symlinks (absolute or relative) that would leave `dir` fail
  // with EXDEV; RESOLVE_NO_MAGICLINKS: /proc/self/fd/N style links are never followed.
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    const long fd = ::syscall(SYS_openat2, dir, path, &how, sizeof how);
    if (fd >= 0) return static_cast<int>(fd);
    // EAGAIN: a concurrent rename raced the lookup; a retry resolves it (openat2(2)).
    if (errno == EINTR || errno == EAGAIN) continue;
    // Without openat2 (Linux < 5.6, some sandboxes) nothing is opened: refusing is never looser.
    if (errno == ENOSYS) errno = EACCES;
    return -1;
  }
}

EntryFacts facts_of(std::string name, const struct stat& st) {
  EntryFacts f;
  f.name = std::move(name);
  f.type = S_ISDIR(st.st_mode)   ? EntryType::dir
           : S_ISREG(st.st_mode) ? EntryType::file
           : S_ISLNK(st.st_mode) ? EntryType::symlink
                                 : EntryType::other;
  f.size = static_cast<std::uint64_t>(st.st_size);
  f.mtime = st.st_mtim.tv_sec;
  f.mode = st.st_mode & 07777;
  f.nlink = st.st_nlink;
  f.uid = st.st_uid;
  f.gid = st.st_gid;
  return f;
}

// DirReader

DirReader::DirReader(UniqueFd dir) {
  DIR* d = ::fdopendir(dir.get());
  if (d != nullptr) {
    dir.release();
    dir_ = d;
  } else {
    done_ = true;
  }
}

DirReader::DirReader(DirReader&& o) noexcept
    : dir_(std::exchange(o.dir_, nullptr)), done_(std::exchange(o.done_, true)) {}

DirReader& DirReader::operator=(DirReader&& o) noexcept {
  if (this != &o) {
    if (dir_ != nullptr) ::closedir(static_cast<DIR*>(dir_));
    dir_ = std::exchange(o.dir_, nullptr);
    done_ = std::exchange(o.done_, true);
  }
  return *this;
}

DirReader::~DirReader() {
  if (dir_ != nullptr) ::closedir(static_cast<DIR*>(dir_));
}

int DirReader::fd() const {
  return dir_ != nullptr ? ::dirfd(static_cast<DIR*>(dir_)) : -1;
}

Expected<std::vector<EntryFacts>, FsErr> DirReader::next(std::size_t max, bool dot_files) {
  std::vector<EntryFacts> out;
  if (done_ || dir_ == nullptr) return out;
  DIR* d = static_cast<DIR*>(dir_);
  const int dfd = ::dirfd(d);
  out.reserve(std::min<std::size_t>(max, 1024));
  while (out.size() < max) {
    errno = 0;
    const dirent* e = ::readdir(d);
    if (e == nullptr) {
      if (errno != 0) return Unexpected(FsErr{errno});
      done_ = true;
      break;
    }
    const std::string_view name(e->d_name);
    if (name == "." || name == "..") continue;
    if (!dot_files && name.front() == '.') continue;
    if (name.find_first_of("\r\n") != std::string_view::npos) continue;
    struct stat st {};
    if (::fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // gone meanwhile
    EntryFacts f = facts_of(std::string(name), st);
    if (f.type == EntryType::symlink) {
      std::array<char, 4096> target;
      const ssize_t n = ::readlinkat(dfd, e->d_name, target.data(), target.size());
      if (n > 0) f.link_target.assign(target.data(), static_cast<std::size_t>(n));
      if (f.link_target.find_first_of("\r\n") != std::string::npos) f.link_target.clear();
    }
    out.push_back(std::move(f));
  }
  return out;
}

// ConfinedFs

Expected<ConfinedFs, std::string> ConfinedFs::open(const std::filesystem::path& root, std::string_view home) {
  const int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Unexpected("cannot open --root " + root.string() + ": " + std::strerror(errno));
  auto r = std::make_shared<UniqueFd>(fd);
  ConfinedFs base(r, r);
  return base.with_home(home);
}

Expected<ConfinedFs, std::string> ConfinedFs::with_home(std::string_view home) const {
  while (!home.empty() && home.front() == '/') home.remove_prefix(1);
  while (!home.empty() && home.back() == '/') home.remove_suffix(1);
  if (home.empty()) return ConfinedFs(root_, root_);
  const std::string path(home);
  const int fd = open_beneath(root_->get(), path.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) {
    const int err = errno;
    return Unexpected("home directory " + path + " under the root: " +
                      (err == EXDEV ? std::string("leaves the root") : std::string(std::strerror(err))));
  }
  return ConfinedFs(root_, std::make_shared<UniqueFd>(fd));
}

Expected<std::string, FsErr> ConfinedFs::relative(std::string_view vpath) {
  if (vpath.find('\0') != std::string_view::npos) return Unexpected(FsErr{EACCES});
  std::string out;
  std::size_t i = 0;
  while (i <= vpath.size()) {
    std::size_t j = vpath.find('/', i);
    if (j == std::string_view::npos) j = vpath.size();
    const std::string_view seg = vpath.substr(i, j - i);
    if (seg == "." || seg == "..") return Unexpected(FsErr{EACCES});
    if (!seg.empty()) {
      if (!out.empty()) out += '/';
      out += seg;
    }
    i = j + 1;
  }
  if (out.empty()) out = ".";
  return out;
}

namespace {

std::string last_segment(const std::string& rel) {
  if (rel == ".") return "/";
  const std::size_t slash = rel.rfind('/');
  return slash == std::string::npos ? rel : rel.substr(slash + 1);
}

}  // namespace

Expected<EntryFacts, FsErr> ConfinedFs::stat(std::string_view vpath) const {
  auto rel = relative(vpath);
  if (!rel) return Unexpected(rel.error());
  if (*rel == ".") return stat_follow(vpath);
  auto parent = open_parent(vpath);
  if (!parent) return Unexpected(parent.error());
  struct stat st {};
  if (::fstatat(parent->dir.get(), parent->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return Unexpected(FsErr{errno});
  return facts_of(parent->name, st);
}

Expected<EntryFacts, FsErr> ConfinedFs::stat_follow(std::string_view vpath) const {
  auto rel = relative(vpath);
  if (!rel) return Unexpected(rel.error());
  const int fd = open_beneath(home_fd(), rel->c_str(), O_PATH);
  if (fd < 0) return Unexpected(FsErr{errno});
  const UniqueFd owned(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Unexpected(FsErr{errno});
  return facts_of(last_segment(*rel), st);
}

Expected<OpenedFile, FsErr> ConfinedFs::open_read(std::string_view vpath) const {
  auto rel = relative(vpath);
  if (!rel) return Unexpected(rel.error());
  // O_NONBLOCK: a FIFO in the tree cannot block the opener; anything but a regular file is refused below.
  const int fd = open_beneath(home_fd(), rel->c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return Unexpected(FsErr{errno});
  OpenedFile f;
  f.fd = UniqueFd(fd);
  if (::fstat(fd, &f.st) != 0) return Unexpected(FsErr{errno});
  if (S_ISDIR(f.st.st_mode)) return Unexpected(FsErr{EISDIR});
  if (!S_ISREG(f.st.st_mode)) return Unexpected(FsErr{EACCES});
  const int fl = ::fcntl(fd, F_GETFL);
  if (fl >= 0) ::fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  return f;
}

Expected<void, FsErr> ConfinedFs::check_dir(std::string_view vpath) const {
  auto rel = relative(vpath);
  if (!rel) return Unexpected(rel.error());
  // O_RDONLY rather than O_PATH: a directory the server may not read cannot be listed or entered usefully.
  const int fd = open_beneath(home_fd(), rel->c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Unexpected(FsErr{errno});
  ::close(fd);
  return {};
}

Expected<DirReader, FsErr> ConfinedFs::open_dir(std::string_view vpath) const {
  auto rel = relative(vpath);
  if (!rel) return Unexpected(rel.error());
  const int fd = open_beneath(home_fd(), rel->c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Unexpected(FsErr{errno});
  DirReader reader{UniqueFd(fd)};
  if (reader.done()) return Unexpected(FsErr{EIO});
  return reader;
}

Expected<OpenedParent, FsErr> ConfinedFs::open_parent(std::string_view vpath) const {
  auto rel = relative(vpath);
  if (!rel) return Unexpected(rel.error());
  if (*rel == ".") return Unexpected(FsErr{EACCES});
  const std::size_t slash = rel->rfind('/');
  const std::string parent = slash == std::string::npos ? std::string(".") : rel->substr(0, slash);
  OpenedParent p;
  p.name = slash == std::string::npos ? *rel : rel->substr(slash + 1);
  if (p.name.size() > 255) return Unexpected(FsErr{ENAMETOOLONG});
  const int fd = open_beneath(home_fd(), parent.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Unexpected(FsErr{errno});
  p.dir = UniqueFd(fd);
  return p;
}

Expected<void, FsErr> ConfinedFs::mkdir(std::string_view vpath, unsigned mode) const {
  auto p = open_parent(vpath);
  if (!p) return Unexpected(p.error());
  if (::mkdirat(p->dir.get(), p->name.c_str(), mode) != 0) return Unexpected(FsErr{errno});
  return {};
}

Expected<void, FsErr> ConfinedFs::rmdir(std::string_view vpath) const {
  auto p = open_parent(vpath);
  if (!p) return Unexpected(p.error());
  if (::unlinkat(p->dir.get(), p->name.c_str(), AT_REMOVEDIR) != 0) return Unexpected(FsErr{errno});
  return {};
}

Expected<void, FsErr> ConfinedFs::unlink(std::string_view vpath) const {
  auto p = open_parent(vpath);
  if (!p) return Unexpected(p.error());
  if (::unlinkat(p->dir.get(), p->name.c_str(), 0) != 0) return Unexpected(FsErr{errno});
  return {};
}

Expected<void, FsErr> ConfinedFs::rename(std::string_view from, std::string_view to) const {
  auto a = open_parent(from);
  if (!a) return Unexpected(a.error());
  auto b = open_parent(to);
  if (!b) return Unexpected(b.error());
  if (::renameat(a->dir.get(), a->name.c_str(), b->dir.get(), b->name.c_str()) != 0)
    return Unexpected(FsErr{errno});
  return {};
}

Expected<void, FsErr> ConfinedFs::chmod(std::string_view vpath, unsigned mode) const {
  auto p = open_parent(vpath);
  if (!p) return Unexpected(p.error());
  // O_NOFOLLOW: a symlink named here is refused (ELOOP) rather than followed to whatever it points at.
  const int fd = ::openat(p->dir.get(), p->name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Unexpected(FsErr{errno == ELOOP ? EPERM : errno});
  const UniqueFd owned(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Unexpected(FsErr{errno});
  if (S_ISLNK(st.st_mode)) return Unexpected(FsErr{EPERM});
  // fchmod needs a descriptor opened for reading or writing, which a mode-000 file would not give; the
  // name is re-checked through the O_PATH descriptor (same inode) instead.
  // Permission bits only, as vsftpd: setuid, setgid and sticky from a client would make an upload a
  // set-id program of the server's account (root when it did not drop privileges).
  if (::fchmodat(p->dir.get(), p->name.c_str(), mode & 0777, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno != EOPNOTSUPP && errno != ENOTSUP) return Unexpected(FsErr{errno});
    return Unexpected(FsErr{EPERM});
  }
  return {};
}

Expected<std::uint64_t, FsErr> ConfinedFs::free_bytes() const {
  struct statvfs s {};
  if (::fstatvfs(home_fd(), &s) != 0) return Unexpected(FsErr{errno});
  return static_cast<std::uint64_t>(s.f_bavail) * s.f_frsize;
}

}  // namespace endhost::ftp::server
