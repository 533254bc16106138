#include "http/cache/store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <system_error>

#include "http/serializer.hpp"

namespace endhost::http::cache {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMarker = "endhost-cache";
constexpr std::string_view kMarkerText =
    "endhost cache directory, format 1. Files here are managed by endhost.\n";

std::string errno_text(int err) {
  return std::strerror(err);
}

std::uint64_t ghost_key(const ObjectMeta& meta) {
  return fnv1a64(meta.variant, fnv1a64(meta.key) ^ 0x9e3779b97f4a7c15ULL);
}

std::string hex16(std::uint64_t v) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = digits[v & 0xf];
  return out;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool pread_all(int fd, char* out, std::size_t size, off_t offset) {
  while (size > 0) {
    const ssize_t n = ::pread(fd, out, size, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    out += n;
    size -= static_cast<std::size_t>(n);
    offset += n;
  }
  return true;
}

// Copies `size` bytes at `offset` of `src` to the current position of `dst`, in the kernel when it can.
bool copy_range(int src, std::uint64_t offset, int dst, std::uint64_t size) {
  auto off = static_cast<loff_t>(offset);
  while (size > 0) {
    const ssize_t n = ::copy_file_range(src, &off, dst, nullptr, size, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) break;
    if (n <= 0) return false;
    size -= static_cast<std::uint64_t>(n);
  }
  std::string buf(64 * 1024, '\0');
  while (size > 0) {
    const std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(size, buf.size()));
    if (!pread_all(src, buf.data(), chunk, off)) return false;
    if (!write_all(dst, {buf.data(), chunk})) return false;
    off += static_cast<loff_t>(chunk);
    size -= chunk;
  }
  return true;
}

std::string serialize_head(const ObjectMeta& meta, const std::vector<std::string>& targeted) {
  std::string head;
  append_status_line(head, http11, meta.status, meta.reason);
  for (const Field& f : meta.fields) {
    // RFC 9111 §5.1: a response from the cache carries one Age, the cache's own, which the hit path
    // appends. The stored Age stays in the metadata (the age_value of §4.2.3) but never goes out again.
    if (iequals(f.name, "age")) continue;
    // RFC 9213: the fields that targeted this cache are for it alone, not for the caches downstream.
    if (std::any_of(targeted.begin(), targeted.end(),
                    [&](const std::string& t) { return iequals(t, f.name); }))
      continue;
    append_field(head, f.name, f.value);
  }
  return head;
}

// Fields read back from disk go out on the wire unchecked by the hit path: check them once here, so a
// corrupted or planted file cannot split a response.
bool fields_valid(const ObjectMeta& meta) {
  for (const Field& f : meta.fields)
    if (!valid_field_name(f.name) || !valid_field_value(f.value)) return false;
  for (char c : meta.reason)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

}  // namespace

// ---- Object ----

Object::Object(Id id, ObjectMeta meta, const HeuristicPolicy& heuristic, fs::path path,
               std::uint64_t body_offset, std::uint64_t body_size, fs::path temp_path)
    : id_(id),
      meta_(std::move(meta)),
      info_(analyze_response(meta_.status, meta_.fields, meta_.request_time, meta_.response_time, heuristic)),
      path_(std::move(path)),
      body_offset_(body_offset),
      body_size_(body_size),
      head_(serialize_head(meta_, heuristic.targeted_fields)),
      temp_path_(std::move(temp_path)),
      in_place_(temp_path_.empty()) {}

int Object::open_body() const noexcept {
  if (!in_place_.load(std::memory_order_acquire)) {
    const int fd = ::open(temp_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0 || errno != ENOENT) return fd;
    // Renamed since: the rename is atomic, so the file is at its final path now.
  }
  return ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
}

Object::~Object() {
  if (obsolete_.load(std::memory_order_acquire)) ::unlink(path_.c_str());
}

// ---- ObjectWriter ----

void ObjectWriter::abort() noexcept {
  file_.abort();
}

bool ObjectWriter::append(std::string_view data) {
  if (!ok()) return false;
  if (body_size_ + data.size() > limit_) {
    failed_ = true;
    error_ = "larger than the object size limit";
    return false;
  }
  if (auto wrote = file_.write(data); !wrote) {
    failed_ = true;
    error_ = std::move(wrote.error().message);
    return false;
  }
  body_size_ += data.size();
  if (keep_memory_) {
    if (body_size_ <= keep_limit_)
      memory_copy_.append(data);
    else
      keep_memory_ = false, memory_copy_ = std::string();
  }
  return true;
}

// ---- Store ----

Store::Store(StoreOptions options)
    : options_(std::move(options)),
      disk_policy_(make_eviction_policy(options_.eviction, options_.max_bytes)),
      memory_policy_(make_eviction_policy(options_.eviction, options_.memory_bytes)) {}

Store::~Store() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

namespace {

// One process per cache directory: load() deletes temporary files (another process's writes in progress)
// and each process indexes objects the other would evict or replace behind its back. An exclusive flock on
// DIR/lock says so; the kernel drops it when the process dies, so a crash leaves no stale lock. The file
// holds the owner's pid, for the error message.
Expected<int, std::string> lock_directory(const fs::path& dir) {
  const fs::path path = dir / "lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Unexpected("cannot open " + path.string() + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char pid[32] = {};
    const ssize_t n = ::pread(fd, pid, sizeof pid - 1, 0);
    ::close(fd);
    if (err != EWOULDBLOCK) return Unexpected("cannot lock " + path.string() + ": " + std::strerror(err));
    std::string owner = n > 0 ? std::string(pid, static_cast<std::size_t>(n)) : std::string();
    while (!owner.empty() && (owner.back() == '\n' || owner.back() == ' ')) owner.pop_back();
    return Unexpected("cache dir " + dir.string() + " is in use by another endhost process" +
                      (owner.empty() ? std::string() : " (pid " + owner + ")"));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  // Without the pid the lock still holds; only a second process's message gets poorer.
  [[maybe_unused]] const bool noted =
      ::ftruncate(fd, 0) == 0 && ::pwrite(fd, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
  return fd;
}

}  // namespace

Expected<std::unique_ptr<Store>, std::string> Store::open(StoreOptions options) {
  std::error_code ec;
  const fs::path dir = options.dir;
  if (dir.empty()) return Unexpected(std::string("no cache directory given"));
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) return Unexpected(dir.string() + " exists and is not a directory");
    if (!fs::exists(dir / kMarker, ec) && !fs::is_empty(dir, ec))
      return Unexpected(dir.string() +
                        " is not empty and is not an endhost cache directory (it has no endhost-cache file); "
                        "give an empty or new directory");
  }
  fs::create_directories(dir / "objects", ec);
  if (ec) return Unexpected("cannot create " + (dir / "objects").string() + ": " + ec.message());
  fs::create_directories(dir / "tmp", ec);
  if (ec) return Unexpected("cannot create " + (dir / "tmp").string() + ": " + ec.message());
  if (!fs::exists(dir / kMarker, ec)) {
    std::ofstream marker(dir / kMarker);
    marker << kMarkerText;
    if (!marker) return Unexpected("cannot write " + (dir / kMarker).string());
  }
  auto lock = lock_directory(dir);
  if (!lock) return Unexpected(lock.error());
  std::unique_ptr<Store> store(new Store(std::move(options)));
  store->lock_fd_ = *lock;
  if (auto ok = store->load(); !ok) return Unexpected(ok.error());
  return store;
}

fs::path Store::object_path(const ObjectMeta& meta, Object::Id id) const {
  const std::string hash = hex16(ghost_key(meta));
  return options_.dir / "objects" / hash.substr(0, 2) / (hash + "-" + std::to_string(id));
}

Expected<void, std::string> Store::load() {
  std::error_code ec;
  // Temporary files are writes that never committed: a crash, or a response that was abandoned.
  for (const auto& entry : fs::directory_iterator(options_.dir / "tmp", ec)) fs::remove(entry.path(), ec);

  std::vector<std::shared_ptr<Object>> objects;
  std::unordered_map<std::string, std::shared_ptr<Object>> newest;
  Object::Id max_id = 0;
  auto discard = [&](const fs::path& p) {
    ::unlink(p.c_str());
    ++stats_.discarded;
  };
  for (const auto& bucket : fs::directory_iterator(options_.dir / "objects", ec)) {
    if (!bucket.is_directory()) continue;
    std::error_code ec2;
    for (const auto& file : fs::directory_iterator(bucket.path(), ec2)) {
      const std::string name = file.path().filename().string();
      const auto dash = name.find('-');
      Object::Id id = 0;
      if (dash != 16 ||
          std::from_chars(name.data() + 17, name.data() + name.size(), id).ptr != name.data() + name.size()) {
        continue;  // not ours: leave it alone
      }
      const int fd = ::open(file.path().c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      struct stat st {};
      char fixed[object_fixed_header];
      std::optional<ObjectMeta> meta;
      std::uint64_t header_size = 0, body_size = 0;
      if (::fstat(fd, &st) == 0 && pread_all(fd, fixed, sizeof fixed, 0)) {
        if (auto h = decode_fixed_header({fixed, sizeof fixed});
            h && static_cast<std::uint64_t>(st.st_size) == h->header_size() + h->body_size) {
          std::string meta_bytes(h->meta_size, '\0');
          if (pread_all(fd, meta_bytes.data(), meta_bytes.size(), object_fixed_header)) {
            if (auto m = decode_object_meta(*h, meta_bytes);
                m && fields_valid(*m) && hex16(ghost_key(*m)) == name.substr(0, 16)) {
              meta = std::move(*m);
              header_size = h->header_size();
              body_size = h->body_size;
            }
          }
        }
      }
      ::close(fd);
      if (!meta) {
        discard(file.path());
        continue;
      }
      max_id = std::max(max_id, id);
      auto object = std::make_shared<Object>(id, std::move(*meta), options_.heuristic, file.path(),
                                             header_size, body_size);
      // A crash between publishing a replacement and unlinking the old file leaves both: keep the newer.
      std::string slot = object->meta().key + '\0' + object->meta().variant;
      auto [it, inserted] = newest.try_emplace(std::move(slot), object);
      if (!inserted) {
        std::shared_ptr<Object> older = object;
        if (object->id() > it->second->id()) std::swap(older, it->second);
        older->obsolete_ = true;
        ++stats_.discarded;
        continue;
      }
    }
  }
  for (auto& [slot, object] : newest) objects.push_back(object);
  newest.clear();
  // Oldest first, so a policy that fills up evicts the oldest responses.
  std::sort(objects.begin(), objects.end(), [](const auto& a, const auto& b) {
    return std::pair(a->meta().response_time, a->id()) < std::pair(b->meta().response_time, b->id());
  });
  next_id_ = max_id + 1;
  std::vector<std::shared_ptr<Object>> dropped;
  std::lock_guard lock(mu_);
  for (auto& object : objects) publish_locked(object, nullptr, dropped);
  stats_.loaded = objects.size();
  return {};
}

template <class FieldRange>
Found Store::find_impl(std::string_view key, const FieldRange& request_fields) {
  Found found;
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return found;
  found.uri_known = true;
  const auto take = [&](const std::shared_ptr<Object>& object) {
    disk_policy_->touch(object->id());
    if (auto mem = memory_.find(object->id()); mem != memory_.end()) {
      memory_policy_->touch(object->id());
      found.memory_body = mem->second;
    }
    found.object = object;
  };
  const auto& variants = it->second.variants;
  for (const auto& object : variants) {
    const VarySpec& vary = object->info().vary;
    if (!vary.empty() && secondary_key(vary, request_fields) != object->meta().variant) continue;
    if (vary.empty() && !object->meta().variant.empty()) continue;
    take(object);
    return found;
  }
  // No variant for these exact preferences: one in the language this request prefers most (vary.hpp). The
  // request's list is gathered once, and only when some variant varies on the language alone.
  std::optional<detail::LanguageList> langs;
  for (const auto& object : variants) {
    const VarySpec& vary = object->info().vary;
    if (vary.star || vary.names.size() != 1 || vary.names.front() != "accept-language") continue;
    const auto language = object->meta().fields.get("content-language");
    if (!language) continue;
    if (!langs) langs = request_languages(request_fields);
    if (!detail::top_language_matches(*langs, *language)) continue;
    take(object);
    return found;
  }
  return found;
}

Found Store::find(std::string_view key, FieldsView request_fields) {
  return find_impl(key, request_fields);
}

Found Store::find(std::string_view key, const Fields& request_fields) {
  return find_impl(key, request_fields);
}

void Store::remember(const ObjectPtr& object, std::string body) {
  if (!object || body.size() != object->body_size() || body.size() > options_.memory_object_max) return;
  auto shared = std::make_shared<const std::string>(std::move(body));
  std::vector<std::shared_ptr<Object>> dropped;
  std::lock_guard lock(mu_);
  if (!by_id_.count(object->id())) return;
  remember_locked(object->id(), ghost_key(object->meta()), std::move(shared), dropped);
}

void Store::remember_locked(Object::Id id, std::uint64_t ghost, std::shared_ptr<const std::string> body,
                            std::vector<std::shared_ptr<Object>>&) {
  if (memory_.count(id)) return;
  std::vector<Object::Id> victims;
  memory_policy_->insert(id, ghost, body->size(), victims);
  bool self_evicted = false;
  for (Object::Id v : victims) {
    if (v == id)
      self_evicted = true;
    else
      memory_.erase(v);
  }
  if (!self_evicted) memory_.emplace(id, std::move(body));
}

void Store::unindex_locked(Object::Id id, std::vector<std::shared_ptr<Object>>& dropped) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  std::shared_ptr<Object> object = it->second;
  by_id_.erase(it);
  object->obsolete_.store(true, std::memory_order_release);
  if (auto entry = index_.find(object->meta().key); entry != index_.end()) {
    auto& variants = entry->second.variants;
    std::erase(variants, object);
    if (variants.empty()) index_.erase(entry);
  }
  disk_policy_->erase(id);
  memory_policy_->erase(id);
  memory_.erase(id);
  dropped.push_back(std::move(object));
}

void Store::publish_locked(const std::shared_ptr<Object>& object,
                           std::shared_ptr<const std::string> memory_body,
                           std::vector<std::shared_ptr<Object>>& dropped) {
  KeyEntry& entry = index_[object->meta().key];
  std::vector<Object::Id> replaced;
  for (const auto& old : entry.variants)
    if (old->meta().variant == object->meta().variant) replaced.push_back(old->id());
  if (entry.variants.size() - replaced.size() >= options_.max_variants && !entry.variants.empty())
    replaced.push_back(entry.variants.front()->id());
  for (Object::Id id : replaced) unindex_locked(id, dropped);
  index_[object->meta().key].variants.push_back(object);  // unindex may have erased the entry
  by_id_.emplace(object->id(), object);

  std::vector<Object::Id> victims;
  const std::uint64_t ghost = ghost_key(object->meta());
  disk_policy_->insert(object->id(), ghost, object->file_size(), victims);
  stats_.evictions += victims.size();
  for (Object::Id v : victims) unindex_locked(v, dropped);
  if (memory_body && by_id_.count(object->id()))
    remember_locked(object->id(), ghost, std::move(memory_body), dropped);
}

std::size_t Store::remove(std::string_view key) {
  std::vector<std::shared_ptr<Object>> dropped;
  std::lock_guard lock(mu_);
  // A response for this key still being written predates the invalidation: it must not be stored.
  auto [first, last] = pending_.equal_range(key);
  for (auto p = first; p != last; ++p)
    if (auto flag = p->second.lock()) flag->store(true, std::memory_order_release);
  pending_.erase(first, last);
  auto it = index_.find(key);
  if (it == index_.end()) return 0;
  std::vector<Object::Id> ids;
  for (const auto& o : it->second.variants) ids.push_back(o->id());
  for (Object::Id id : ids) unindex_locked(id, dropped);
  return ids.size();
}

void Store::remove(const ObjectPtr& object) {
  if (!object) return;
  std::vector<std::shared_ptr<Object>> dropped;
  std::lock_guard lock(mu_);
  unindex_locked(object->id(), dropped);
}

Expected<ObjectWriter, std::string> Store::begin(ObjectMeta meta,
                                                 std::optional<std::uint64_t> expected_body) {
  if (expected_body && *expected_body > options_.max_object_bytes)
    return Unexpected(std::string("larger than the object size limit"));
  ObjectWriter w;
  w.id_ = next_id_.fetch_add(1);
  // The temporary lives in DIR/tmp (emptied at start-up, so a kill -9 leaves nothing in objects/); the
  // object files are private to the cache.
  core::DurableFileOptions file_options;
  file_options.mode = 0600;
  file_options.sync = options_.fsync ? core::DurableSync::data : core::DurableSync::none;
  file_options.temp_dir = (options_.dir / "tmp").string();
  file_options.temp_name = std::to_string(w.id_) + ".tmp";
  auto file = core::DurableFileWriter::create(object_path(meta, w.id_).string(), std::move(file_options));
  if (!file) return Unexpected(std::move(file.error().message));
  w.cancelled_ = std::make_shared<std::atomic<bool>>(false);
  {
    std::lock_guard lock(mu_);
    if (pending_.size() >= pending_sweep_at_) {
      std::erase_if(pending_, [](const auto& entry) { return entry.second.expired(); });
      pending_sweep_at_ = std::max<std::size_t>(64, 2 * pending_.size());
    }
    pending_.emplace(meta.key, w.cancelled_);
  }
  w.file_ = std::move(*file);
  const std::string header = encode_object_header(meta, 0);
  if (auto wrote = w.file_.write(header); !wrote) return Unexpected(std::move(wrote.error().message));
  w.header_size_ = header.size();
  w.meta_ = std::move(meta);
  w.limit_ = options_.max_object_bytes;
  w.keep_limit_ = options_.memory_object_max;
  return w;
}

ObjectPtr Store::publish(ObjectWriter& writer) {
  return publish_if(writer, nullptr);
}

ObjectPtr Store::publish_if(ObjectWriter& writer, const ObjectPtr& must_be_indexed) {
  if (writer.published_) return writer.published_;
  if (!writer.ok() || writer.invalidated()) return nullptr;
  const fs::path final_path = writer.file_.name();
  auto object = std::make_shared<Object>(writer.id_, std::move(writer.meta_), options_.heuristic, final_path,
                                         writer.header_size_, writer.body_size_,
                                         options_.dir / "tmp" / (std::to_string(writer.id_) + ".tmp"));
  std::shared_ptr<const std::string> memory_body;
  if (writer.keep_memory_ && writer.body_size_ <= options_.memory_object_max)
    memory_body = std::make_shared<const std::string>(std::move(writer.memory_copy_));
  std::vector<std::shared_ptr<Object>> dropped;
  {
    std::lock_guard lock(mu_);
    // Checked under the lock remove(key) takes: an invalidation is either before (we do not publish) or
    // after (it finds the object in the index).
    if (writer.invalidated()) return nullptr;
    if (must_be_indexed && !by_id_.count(must_be_indexed->id())) return nullptr;
    publish_locked(object, std::move(memory_body), dropped);
  }
  writer.published_ = object;
  return object;
}

Expected<ObjectPtr, std::string> Store::commit(ObjectWriter&& w) {
  ObjectWriter writer = std::move(w);
  if (!writer.ok())
    return Unexpected(writer.error_.empty() ? std::string("writer is not usable") : writer.error_);
  std::shared_ptr<Object> object = writer.published_;
  if (!object) {
    if (!publish(writer)) {
      if (writer.invalidated()) return ObjectPtr();
      return Unexpected(writer.error_.empty() ? std::string("writer is not usable") : writer.error_);
    }
    object = writer.published_;
  }
  // Leaves the index on a failure below: its file will not be in place.
  auto fail = [&](std::string message) -> Expected<ObjectPtr, std::string> {
    remove(ObjectPtr(object));
    return Unexpected(std::move(message));
  };
  // The body size goes into the header last: until then the file's size disagrees with its header, so even
  // a file that escaped the temp directory would be recognised as torn.
  std::string size_bytes;
  for (int i = 0; i < 8; ++i) size_bytes += static_cast<char>((writer.body_size_ >> (8 * i)) & 0xff);
  if (auto ok = writer.file_.write_at(size_bytes, object_body_size_offset); !ok)
    return fail(std::move(ok.error().message));
  if (auto ok = writer.file_.sync(); !ok) return fail(std::move(ok.error().message));
  if (options_.commit_hook) options_.commit_hook();
  // Invalidated, replaced or evicted while in flight: the file must not reach objects/, or the next start-up
  // would bring the object back. (Also checked after the rename: remove() may come at any moment.)
  if (object->obsolete_.load(std::memory_order_acquire)) return ObjectPtr();
  const fs::path final_path = writer.file_.name();
  std::error_code ec;
  fs::create_directories(final_path.parent_path(), ec);
  if (auto ok = writer.file_.publish(); !ok) return fail(std::move(ok.error().message));
  object->in_place_.store(true, std::memory_order_release);
  // The rename itself must survive a crash before the object is reported stored (ext4 and XFS need this);
  // an object whose name may not last is dropped, not left for the next start-up to find.
  if (auto ok = writer.file_.sync_dir(); !ok) {
    ::unlink(final_path.c_str());
    return fail(std::move(ok.error().message));
  }
  // An invalidation between the check above and here left the object obsolete: its destructor (after our
  // reference goes) unlinks the file now in place.
  return ObjectPtr(object);
}

Expected<ObjectPtr, std::string> Store::freshen(const ObjectPtr& old, ObjectMeta meta) {
  auto writer = begin(std::move(meta), old->body_size());
  if (!writer) return Unexpected(writer.error());
  const int src = old->open_body();
  if (src < 0) return Unexpected("cannot open " + old->path().string() + ": " + errno_text(errno));
  const bool copied = copy_range(src, old->body_offset(), writer->file_.fd(), old->body_size());
  ::close(src);
  if (!copied) return Unexpected("cannot copy the body of " + old->path().string());
  writer->body_size_ = old->body_size();
  {
    std::lock_guard lock(mu_);
    if (auto mem = memory_.find(old->id()); mem != memory_.end())
      writer->memory_copy_ = *mem->second;
    else
      writer->keep_memory_ = false;
  }
  // Only over the response it validated: one invalidated or replaced meanwhile stays gone.
  if (!publish_if(*writer, old)) return ObjectPtr();
  return commit(std::move(*writer));
}

StoreStats Store::stats() const {
  std::lock_guard lock(mu_);
  StoreStats s = stats_;
  s.objects = by_id_.size();
  s.bytes = disk_policy_->bytes();
  s.memory_objects = memory_.size();
  s.memory_bytes = memory_policy_->bytes();
  return s;
}

}  // namespace endhost::http::cache
