#include "mail/queue/queue_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/durable_file.hpp"
#include "core/system_random.hpp"

namespace endhost::mail::queue {

namespace fs = std::filesystem;

namespace {

constexpr auto kStaleAge = std::chrono::hours(1);

std::string errno_text(int e) {
  return std::strerror(e);
}

Expected<std::string, std::string> read_whole(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Unexpected("cannot open " + path.string() + ": " + errno_text(errno));
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      return Unexpected("cannot read " + path.string() + ": " + errno_text(e));
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Expected<void, std::string> sync_dir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Unexpected("cannot open " + dir.string() + ": " + errno_text(errno));
  const int rc = ::fsync(fd);
  const int e = errno;
  ::close(fd);
  if (rc != 0) return Unexpected("cannot sync " + dir.string() + ": " + errno_text(e));
  return {};
}

}  // namespace

QueueStore::QueueStore(QueueStore&&) noexcept = default;
QueueStore& QueueStore::operator=(QueueStore&&) noexcept = default;
QueueStore::~QueueStore() = default;

QueueStore::Locked::Locked(const QueueStore& store) : guard_(*store.mutex_) {
  const fs::path path = store.dir_ / ".lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    error_ = "cannot open " + path.string() + ": " + errno_text(errno);
    return;
  }
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    error_ = "cannot lock " + path.string() + ": " + errno_text(errno);
    return;
  }
}

QueueStore::Locked::~Locked() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

Expected<QueueStore, std::string> QueueStore::open(const fs::path& queue_dir, const core::Clock* clock) {
  std::error_code ec;
  fs::create_directories(queue_dir, ec);
  if (ec) return Unexpected("cannot create the queue directory " + queue_dir.string() + ": " + ec.message());
  if (!fs::is_directory(queue_dir, ec))
    return Unexpected("the queue " + queue_dir.string() + " is not a directory");
  QueueStore store;
  store.dir_ = queue_dir;
  store.mutex_ = std::make_unique<std::mutex>();
  if (clock) {
    store.clock_ = clock;
  } else {
    store.own_clock_ = std::make_unique<core::SystemClock>();
    store.clock_ = store.own_clock_.get();
  }
  {
    // Readable by others it must not be: mail is private (Postfix's queue is 0700).
    ::chmod(queue_dir.c_str(), 0700);
  }
  // Clean-up: half-enqueued messages (a .msg without .env) and temporaries left by a crash, once they are
  // old enough that no live enqueue can still be writing them. An .env without .msg is a crash between the
  // two renames before the directory sync (the 250 was never sent): removed at once, as nobody reads it.
  Locked lock(store);
  if (!lock.ok()) return Unexpected(lock.error());
  const auto now = fs::file_time_type::clock::now();
  for (const auto& de : fs::directory_iterator(queue_dir, ec)) {
    const std::string name = de.path().filename().string();
    std::error_code sec;
    const auto mtime = fs::last_write_time(de.path(), sec);
    const bool old = !sec && now - mtime > kStaleAge;
    if (name.starts_with(".") && name != ".lock" && name != ".flush") {
      if (old) fs::remove(de.path(), sec);
    } else if (ends_with(name, ".msg")) {
      const std::string id = name.substr(0, name.size() - 4);
      if (old && !fs::exists(queue_dir / (id + ".env"), sec)) fs::remove(de.path(), sec);
    } else if (ends_with(name, ".env")) {
      const std::string id = name.substr(0, name.size() - 4);
      if (!fs::exists(queue_dir / (id + ".msg"), sec)) fs::remove(de.path(), sec);
    }
  }
  if (ec) return Unexpected("cannot read the queue directory " + queue_dir.string() + ": " + ec.message());
  return store;
}

std::string QueueStore::new_id() {
  // 8 hex digits of seconds, 5 of microseconds, 3 of a counter mixed with randomness: sorted by arrival
  // within a process, and two processes (or a restart in the same microsecond) differ by the random part;
  // the RENAME_NOREPLACE publish catches the rest.
  const auto t = std::chrono::system_clock::now().time_since_epoch();
  std::uint32_t tail = 0;
  {
    std::lock_guard g(*mutex_);
    core::SystemRandom random;
    tail = ++counter_ + static_cast<std::uint32_t>(random.next());
  }
  return format_queue_id(std::chrono::duration_cast<std::chrono::microseconds>(t), tail);
}

Expected<std::string, std::string> QueueStore::enqueue(const QueuedEnvelope& envelope,
                                                       std::string_view message) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    const std::string id = new_id();
    auto done = enqueue_with_id(id, envelope, message, clock_->wall_now());
    if (!done) return Unexpected(done.error());
    if (*done) {
      std::lock_guard g(*mutex_);
      new_ids_.push_back(id);
      return id;
    }
  }
  return Unexpected(std::string("cannot find a free queue id"));
}

Expected<bool, std::string> QueueStore::enqueue_as(const std::string& id, const QueuedEnvelope& envelope,
                                                   std::string_view message) {
  auto done = enqueue_with_id(id, envelope, message, clock_->wall_now());
  if (done && *done) {
    std::lock_guard g(*mutex_);
    new_ids_.push_back(id);
  }
  return done;
}

Expected<bool, std::string> QueueStore::enqueue_with_id(const std::string& id, const QueuedEnvelope& envelope,
                                                        std::string_view message, core::WallTime arrival) {
  if (!valid_queue_id(id)) return Unexpected("not a queue id: " + id);
  if (envelope.recipients.empty()) return Unexpected(std::string("a mail needs at least one recipient"));
  QueueEntry e;
  e.id = id;
  e.size = message.size();
  e.arrival = arrival;
  e.sender = envelope.sender;
  e.smtputf8 = envelope.smtputf8;
  e.eight_bit = envelope.eight_bit;
  for (const auto& r : envelope.recipients) {
    RecipientStatus s;
    s.address = r;
    s.next_try = arrival;
    e.recipients.push_back(std::move(s));
  }
  core::DurableFileOptions options;
  options.mode = 0600;
  const std::string msg_path = (dir_ / (id + ".msg")).string();
  const std::string env_path = (dir_ / (id + ".env")).string();
  // The message: written, synced and renamed into place; a mail of this id already there means the id
  // is taken (a bounce queued before a crash: enqueueing it again is a no-op).
  auto msg = core::DurableFileWriter::create(msg_path, options);
  if (!msg) return Unexpected(msg.error().message);
  if (auto w = msg->write(message); !w) return Unexpected(w.error().message);
  if (auto s = msg->sync(); !s) return Unexpected(s.error().message);
  if (auto p = msg->publish(core::DurableFileWriter::Publish::keep_existing); !p) {
    if (p.error().code == EEXIST) return false;
    return Unexpected(p.error().message);
  }
  auto env = core::DurableFileWriter::create(env_path, options);
  if (!env) return Unexpected(env.error().message);
  if (auto w = env->write(encode_entry(e)); !w) return Unexpected(w.error().message);
  if (auto s = env->sync(); !s) return Unexpected(s.error().message);
  if (auto p = env->publish(core::DurableFileWriter::Publish::keep_existing); !p) {
    if (p.error().code == EEXIST) return false;
    return Unexpected(p.error().message);
  }
  // One directory sync makes both renames durable.
  if (auto s = env->sync_dir(); !s) return Unexpected(s.error().message);
  return true;
}

std::optional<QueueEntry> QueueStore::read_entry(std::string_view id) const {
  if (!valid_queue_id(id)) return std::nullopt;
  auto text = read_whole(dir_ / (std::string(id) + ".env"));
  if (!text) return std::nullopt;
  auto e = decode_entry(*text);
  if (!e || e->id != id) return std::nullopt;
  return std::move(*e);
}

Expected<void, std::string> QueueStore::write_entry(const QueueEntry& entry) {
  core::DurableFileOptions options;
  options.mode = 0600;
  const std::string path = (dir_ / (entry.id + ".env")).string();
  auto w = core::DurableFileWriter::create(path, options);
  if (!w) return Unexpected(w.error().message);
  if (auto r = w->write(encode_entry(entry)); !r) return Unexpected(r.error().message);
  if (auto r = w->commit(); !r) return Unexpected(r.error().message);
  return {};
}

std::vector<QueueEntry> QueueStore::list() const {
  std::vector<QueueEntry> out;
  std::error_code ec;
  for (const auto& de : fs::directory_iterator(dir_, ec)) {
    const std::string name = de.path().filename().string();
    if (name.starts_with(".") || !ends_with(name, ".env")) continue;
    if (auto e = read_entry(std::string_view(name).substr(0, name.size() - 4))) out.push_back(std::move(*e));
  }
  std::sort(out.begin(), out.end(), [](const QueueEntry& a, const QueueEntry& b) {
    return a.arrival != b.arrival ? a.arrival < b.arrival : a.id < b.id;
  });
  return out;
}

std::optional<QueueEntry> QueueStore::get(std::string_view id) const {
  return read_entry(id);
}

Expected<std::string, std::string> QueueStore::message(std::string_view id) const {
  if (!valid_queue_id(id)) return Unexpected("not a queue id: " + std::string(id));
  return read_whole(dir_ / (std::string(id) + ".msg"));
}

Expected<void, std::string> QueueStore::remove(std::string_view id, bool sync_directory) {
  if (!valid_queue_id(id)) return Unexpected("not a queue id: " + std::string(id));
  Locked lock(*this);
  if (!lock.ok()) return Unexpected(lock.error());
  const fs::path env = dir_ / (std::string(id) + ".env");
  const fs::path msg = dir_ / (std::string(id) + ".msg");
  // The envelope first: without it the mail is no longer queued, whatever happens to the message.
  if (::unlink(env.c_str()) != 0) {
    if (errno == ENOENT) return Unexpected("no mail " + std::string(id) + " in the queue");
    return Unexpected("cannot remove " + env.string() + ": " + errno_text(errno));
  }
  if (::unlink(msg.c_str()) != 0 && errno != ENOENT)
    return Unexpected("cannot remove " + msg.string() + ": " + errno_text(errno));
  if (!sync_directory) return {};
  return sync_dir(dir_);
}

Expected<void, std::string> QueueStore::flush(std::string_view id) {
  if (!id.empty() && !valid_queue_id(id)) return Unexpected("not a queue id: " + std::string(id));
  const core::WallTime now = clock_->wall_now();
  {
    Locked lock(*this);
    if (!lock.ok()) return Unexpected(lock.error());
    std::vector<QueueEntry> entries;
    if (id.empty()) {
      entries = list();
    } else if (auto e = read_entry(id)) {
      entries.push_back(std::move(*e));
    }
    // The changed envelopes are written first, then made durable by one sync of the file system and one of
    // the directory per batch, instead of an fsync and a directory fsync per mail: with thousands waiting,
    // those journal commits took longer than the deliveries the flush asked for. Each envelope is still
    // replaced whole, by rename, once its new bytes are on disk. Batches bound the open temporaries.
    constexpr std::size_t kBatch = 256;
    core::DurableFileOptions options;
    options.mode = 0600;
    std::vector<core::DurableFileWriter> writers;
    const auto publish_batch = [&]() -> Expected<void, std::string> {
      if (writers.empty()) return {};
      if (writers.size() == 1) {
        if (auto r = writers.front().sync(); !r) return Unexpected(r.error().message);
      } else if (::syncfs(writers.front().fd()) != 0) {
        return Unexpected("cannot sync " + dir_.string() + ": " + errno_text(errno));
      }
      for (auto& w : writers)
        if (auto p = w.publish(); !p) return Unexpected(p.error().message);
      writers.clear();
      return sync_dir(dir_);
    };
    for (QueueEntry& entry : entries) {
      bool changed = false;
      for (auto& r : entry.recipients) {
        if (r.state != RecipientState::Pending || r.next_try <= now) continue;
        r.next_try = now;
        changed = true;
      }
      if (!changed) continue;  // already due: nothing to write
      auto w = core::DurableFileWriter::create((dir_ / (entry.id + ".env")).string(), options);
      if (!w) return Unexpected(w.error().message);
      if (auto r = w->write(encode_entry(entry)); !r) return Unexpected(r.error().message);
      writers.push_back(std::move(*w));
      if (writers.size() == kBatch)
        if (auto b = publish_batch(); !b) return b;
    }
    if (auto b = publish_batch(); !b) return b;
    if (!id.empty() && entries.empty()) return Unexpected("no mail " + std::string(id) + " in the queue");
  }
  // Tell a running relay: it watches this file's modification time.
  const fs::path stamp = dir_ / ".flush";
  const int fd = ::open(stamp.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Unexpected("cannot touch " + stamp.string() + ": " + errno_text(errno));
  ::futimens(fd, nullptr);
  ::close(fd);
  return {};
}

std::int64_t QueueStore::flush_stamp() const {
  struct stat st {};
  if (::stat((dir_ / ".flush").c_str(), &st) != 0) return 0;
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

std::vector<std::string> QueueStore::take_new() {
  std::lock_guard g(*mutex_);
  std::vector<std::string> out;
  out.swap(new_ids_);
  return out;
}

}  // namespace endhost::mail::queue
