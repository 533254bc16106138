// The cache's storage engine: stored responses on disk under one directory, an in-memory index rebuilt from
// the files at start-up (so the cache survives a restart), a memory tier that keeps the bodies of hot small
// objects, and a byte bound on each enforced by an eviction policy (S3-FIFO by default).
//
// Durability: an object is written to a temporary file, fsync'ed, renamed into place and its directory
// fsync'ed. A crash leaves either the old object or the new one, never a torn one; start-up deletes
// temporary files and any object whose size does not match its header. The in-memory index sees an object
// earlier, from the moment its body is complete (publish(), before the fsync): a lookup or an invalidation
// that comes right after the response was sent must see it (RFC 9111 §4.4), and the index does not survive
// a crash anyway. Until the rename, such an object is read from its temporary file.
//
// Threads: every method is thread-safe. One mutex guards the index and the policies and is held only for
// hash-map work, never across file I/O. Objects are immutable once published and shared by pointer, so a
// reader keeps a consistent object (and its file) even if it is replaced or evicted meanwhile: the file of
// a replaced object is unlinked when its last reader lets go.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/durable_file.hpp"
#include "core/expected.hpp"
#include "http/cache/entry.hpp"
#include "http/cache/eviction.hpp"
#include "http/cache/freshness.hpp"
#include "http/cache/object_file.hpp"
#include "http/fields.hpp"

namespace endhost::http::cache {

struct StoreOptions {
  std::filesystem::path dir;
  std::uint64_t max_bytes = 1ULL << 30;          // disk bound (headers and bodies)
  std::uint64_t max_object_bytes = 64ULL << 20;  // larger responses are passed through, not stored
  std::uint64_t memory_bytes = 64ULL << 20;      // memory tier bound
  std::uint64_t memory_object_max = 256 << 10;   // bodies up to this size may live in the memory tier
  std::size_t max_variants = 8;                  // Vary variants per URI; the oldest goes beyond this
  EvictionKind eviction = EvictionKind::s3fifo;
  bool fsync = true;  // off only for benchmarks and tests of the eviction logic
  HeuristicPolicy heuristic;
  // Tests only: called by commit() on its thread after the object is indexed and before its file is
  // renamed into place, so a test can hold a commit in flight (the lost-invalidation race).
  std::function<void()> commit_hook;
};

// One stored response. Immutable once published.
class Object {
 public:
  using Id = std::uint64_t;
  // `temp_path`: the temporary file the object is read from until commit() renames it to `path` (empty
  // for an object whose file is in place).
  Object(Id id, ObjectMeta meta, const HeuristicPolicy& heuristic, std::filesystem::path path,
         std::uint64_t body_offset, std::uint64_t body_size, std::filesystem::path temp_path = {});
  ~Object();
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  Id id() const noexcept { return id_; }
  const ObjectMeta& meta() const noexcept { return meta_; }
  const EntryInfo& info() const noexcept { return info_; }
  const std::filesystem::path& path() const noexcept { return path_; }
  // Opens the object's file for reading (-1 and errno on failure): its final path, or its temporary one
  // while the commit is in flight. Lock-free and allocation-free (the hit path calls it).
  int open_body() const noexcept;
  std::uint64_t body_offset() const noexcept { return body_offset_; }
  std::uint64_t body_size() const noexcept { return body_size_; }
  std::uint64_t file_size() const noexcept { return body_offset_ + body_size_; }
  // "HTTP/1.1 200 OK\r\nName: value\r\n…" without the empty line: the hit path appends Age, Cache-Status
  // and connection fields, then the empty line.
  const std::string& head() const noexcept { return head_; }

 private:
  friend class Store;
  Id id_;
  ObjectMeta meta_;
  EntryInfo info_;
  std::filesystem::path path_;
  std::uint64_t body_offset_;
  std::uint64_t body_size_;
  std::string head_;
  std::filesystem::path temp_path_;
  mutable std::atomic<bool> in_place_{true};   // the file is at path_ (false until commit renames it)
  mutable std::atomic<bool> obsolete_{false};  // set when removed from the index: unlink on destruction
};

using ObjectPtr = std::shared_ptr<const Object>;

// What a lookup found.
struct Found {
  ObjectPtr object;                                // null: nothing usable for this request
  std::shared_ptr<const std::string> memory_body;  // the body, when the object is in the memory tier
  bool uri_known = false;                          // other variants exist (a Vary miss, not a URI miss)
};

// Writes one object's file. Made by Store::begin(), finished by Store::commit(); a writer that is dropped
// without commit deletes its temporary file. Used by one thread at a time.
class ObjectWriter {
 public:
  ObjectWriter() = default;
  ObjectWriter(ObjectWriter&& other) noexcept = default;
  ObjectWriter& operator=(ObjectWriter&& other) noexcept = default;
  ~ObjectWriter() = default;  // the file writer removes the temporary

  // Appends body bytes. false once the body is over the object limit or a write failed; the writer is
  // then dead and commit() will refuse it.
  bool append(std::string_view data);
  bool ok() const noexcept { return file_.open() && !failed_; }
  // An invalidation of this key came while the response was being written: it must not be stored.
  bool invalidated() const noexcept { return cancelled_ && cancelled_->load(std::memory_order_acquire); }
  std::uint64_t body_size() const noexcept { return body_size_; }
  const std::string& error() const noexcept { return error_; }
  // Deletes the temporary file now.
  void abort() noexcept;

 private:
  friend class Store;
  core::DurableFileWriter file_;  // DIR/tmp/<id>.tmp until commit renames it into DIR/objects
  bool failed_ = false;
  std::string error_;
  ObjectMeta meta_;
  std::uint64_t header_size_ = 0;
  std::uint64_t body_size_ = 0;
  std::uint64_t limit_ = 0;
  std::uint64_t keep_limit_ = 0;  // bodies up to this size are also kept in memory for the memory tier
  std::string memory_copy_;
  bool keep_memory_ = true;
  std::uint64_t id_ = 0;
  // Set by Store::remove(key) while this writer is in flight (RFC 9111 §4.4: the invalidation wins).
  std::shared_ptr<std::atomic<bool>> cancelled_;
  std::shared_ptr<Object> published_;  // indexed by publish(), not yet in place
};

struct StoreStats {
  std::uint64_t objects = 0;
  std::uint64_t bytes = 0;
  std::uint64_t memory_objects = 0;
  std::uint64_t memory_bytes = 0;
  std::uint64_t evictions = 0;
  std::uint64_t loaded = 0;     // objects found on disk at start-up
  std::uint64_t discarded = 0;  // torn or corrupt files deleted at start-up
};

class Store {
 public:
  // Creates the directory layout if needed, or checks that an existing directory is a cache directory (it
  // must hold our marker file, so a mistyped --cache-dir never has its files deleted), then rebuilds the
  // index from the object files. One process at a time: a directory another process (or another Store)
  // holds is refused (DIR/lock, flock). Errors are sentences for the operator.
  static Expected<std::unique_ptr<Store>, std::string> open(StoreOptions options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const StoreOptions& options() const noexcept { return options_; }

  // The stored response for `key` whose Vary values match the request's (RFC 9111 §4.1), counting a hit for
  // the eviction policies.
  Found find(std::string_view key, FieldsView request_fields);
  Found find(std::string_view key, const Fields& request_fields);

  // Puts a body read from disk into the memory tier (when it is small enough); later hits skip the file.
  void remember(const ObjectPtr& object, std::string body);

  // Removes every variant of `key` (PURGE, RFC 9111 §4.4 invalidation). Returns how many were removed.
  std::size_t remove(std::string_view key);
  // Removes one object if it is still the indexed one.
  void remove(const ObjectPtr& object);

  // Starts writing a response. `expected_body` (a Content-Length) lets an oversized response be refused
  // before any byte is written.
  Expected<ObjectWriter, std::string> begin(ObjectMeta meta, std::optional<std::uint64_t> expected_body = {});
  // Indexes a writer's object as soon as its body is complete, replacing the one with the same key and
  // variant, before the file is durable: from now on a lookup finds it and remove(key) removes it. Does no
  // file I/O (call it on the event loop). Null when the writer is dead or an invalidation of its key came
  // while it was written (then nothing is stored).
  ObjectPtr publish(ObjectWriter& writer);
  // Finishes the file (fsync, rename, fsync of the directory), publishing the object first if publish()
  // was not called. An object invalidated or replaced meanwhile is not put in place: the invalidation
  // wins: the result is then null (nothing stored, not an error). Blocks on the disk: call it off the event
  // loop.
  Expected<ObjectPtr, std::string> commit(ObjectWriter&& writer);
  // RFC 9111 §4.3.4: stores `old`'s body under new metadata (a 304 freshened its fields). Null when `old`
  // is no longer indexed (invalidated or replaced meanwhile): nothing stored. Blocks like commit().
  Expected<ObjectPtr, std::string> freshen(const ObjectPtr& old, ObjectMeta meta);

  StoreStats stats() const;

 private:
  struct KeyEntry {
    std::vector<std::shared_ptr<Object>> variants;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  explicit Store(StoreOptions options);
  Expected<void, std::string> load();
  template <class FieldRange>
  Found find_impl(std::string_view key, const FieldRange& request_fields);
  std::filesystem::path object_path(const ObjectMeta& meta, Object::Id id) const;
  // Under mu_: indexes `object`, replacing the same key and variant, and evicts; evicted objects are
  // appended to `dropped` so they are released after the lock.
  void publish_locked(const std::shared_ptr<Object>& object, std::shared_ptr<const std::string> memory_body,
                      std::vector<std::shared_ptr<Object>>& dropped);
  void unindex_locked(Object::Id id, std::vector<std::shared_ptr<Object>>& dropped);
  void remember_locked(Object::Id id, std::uint64_t ghost, std::shared_ptr<const std::string> body,
                       std::vector<std::shared_ptr<Object>>& dropped);
  // publish() with a condition checked under the lock: `must_be_indexed` (freshen's old object) is still
  // the indexed one.
  ObjectPtr publish_if(ObjectWriter& writer, const ObjectPtr& must_be_indexed);

  StoreOptions options_;
  int lock_fd_ = -1;  // holds the exclusive flock on DIR/lock while the store is open
  std::atomic<Object::Id> next_id_{1};

  mutable std::mutex mu_;
  std::unordered_map<std::string, KeyEntry, StringHash, std::equal_to<>> index_;
  std::unordered_map<Object::Id, std::shared_ptr<Object>> by_id_;
  std::unordered_map<Object::Id, std::shared_ptr<const std::string>> memory_;
  std::unique_ptr<EvictionPolicy> disk_policy_;
  std::unique_ptr<EvictionPolicy> memory_policy_;
  // Writers in flight per key, so that remove(key) can cancel them. Entries of finished writers expire
  // and are swept when the map grows (pending_sweep_at_).
  std::unordered_multimap<std::string, std::weak_ptr<std::atomic<bool>>, StringHash, std::equal_to<>>
      pending_;
  std::size_t pending_sweep_at_ = 64;
  StoreStats stats_;
};

}  // namespace endhost::http::cache
