// The durable mail queue under DIR/queue (docs/internals/mail-queue.md). Each queued mail is two files in
// that one directory: `<id>.msg` (the message, as accepted, CRLF lines) and `<id>.env` (the envelope and
// every recipient's state, queue_entry.hpp). Each is written to a hidden temporary, fsynced and renamed, the
// message first; then the directory is fsynced once, before enqueue() returns (and the 250 goes out). A
// `.env` is the commit point: the relay and `mailq` see only mails that have one. A `.msg` without `.env`
// is half-enqueued (its 250 was never sent); open() removes those, and temporaries, older than an hour (a
// running server may be writing younger ones). Every state change rewrites the `.env` the same way, so a
// kill -9 at any point leaves either the state before the change or the state after it.
//
// Several processes may use one queue (the server and `endhost mail queue delete` beside it): changes are
// made under an exclusive flock of DIR/queue/.lock, always re-reading the envelope from disk first, and
// `flush` touches DIR/queue/.flush, which the running relay watches.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/expected.hpp"
#include "mail/queue/queue_entry.hpp"

namespace endhost::mail::queue {

class QueueStore {
 public:
  // Creates DIR if missing, removes half-enqueued messages and stale temporaries.
  // `clock` gives arrival times and "now" for flush (tests pass a ManualClock; it must outlive the store).
  static Expected<QueueStore, std::string> open(const std::filesystem::path& queue_dir,
                                                const core::Clock* clock = nullptr);

  QueueStore(QueueStore&&) noexcept;
  QueueStore& operator=(QueueStore&&) noexcept;
  ~QueueStore();

  // Durable before it returns (blocks on fsync: call it from the blocking pool). The id is 16 upper-case
  // hex digits, unique across processes and restarts.
  Expected<std::string, std::string> enqueue(const QueuedEnvelope& envelope, std::string_view message);
  // The same under an id the caller made (format_queue_id: the server names the transaction before it
  // queues it). Returns false, and writes nothing, when a mail of that id is queued already.
  Expected<bool, std::string> enqueue_as(const std::string& id, const QueuedEnvelope& envelope,
                                         std::string_view message);
  // The same with a chosen id (the relay's bounces: "<id>B", so queueing one twice is a no-op) and arrival.
  // Returns false when a mail of that id is queued already.
  Expected<bool, std::string> enqueue_with_id(const std::string& id, const QueuedEnvelope& envelope,
                                              std::string_view message, core::WallTime arrival);

  // Every queued mail, oldest first, as on disk now.
  std::vector<QueueEntry> list() const;
  // One mail as on disk now; nullopt when it is not (or no longer) queued.
  std::optional<QueueEntry> get(std::string_view id) const;
  Expected<std::string, std::string> message(std::string_view id) const;

  // Removes the mail (envelope first, so it is never seen half-removed). `sync_directory` false: the removal
  // is not fsynced, so a crash may bring the mail back; for the relay's delivered mail only, which is then
  // delivered again, never lost (at-least-once; Postfix's queue manager deletes the same way).
  Expected<void, std::string> remove(std::string_view id, bool sync_directory = true);
  // Makes the Pending recipients of `id` ("" = every mail) due now and touches the flush file.
  Expected<void, std::string> flush(std::string_view id);

  // Read-modify-write of one envelope under the lock: `change` gets the state as on disk and edits it;
  // the result is written durably. nullopt when the mail is gone (deleted meanwhile).
  template <class Fn>
  Expected<std::optional<QueueEntry>, std::string> update(std::string_view id, Fn&& change) {
    Locked lock(*this);
    if (!lock.ok()) return Unexpected(lock.error());
    auto entry = read_entry(id);
    if (!entry) return std::optional<QueueEntry>();
    change(*entry);
    if (auto written = write_entry(*entry); !written) return Unexpected(written.error());
    return std::optional<QueueEntry>(std::move(*entry));
  }

  // The flush file's modification time in nanoseconds (0 if missing): the relay rescans when it changes.
  std::int64_t flush_stamp() const;

  // The ids this process enqueued since the last call (the relay takes them on kick() instead of
  // rescanning the directory for each new mail).
  std::vector<std::string> take_new();

  const std::filesystem::path& dir() const { return dir_; }
  const core::Clock& clock() const { return *clock_; }

 private:
  QueueStore() = default;
  class Locked {  // flock(LOCK_EX) of DIR/lock for the scope, and the in-process mutex
   public:
    explicit Locked(const QueueStore& store);
    ~Locked();
    Locked(const Locked&) = delete;
    Locked& operator=(const Locked&) = delete;
    bool ok() const { return error_.empty(); }
    const std::string& error() const { return error_; }

   private:
    std::unique_lock<std::mutex> guard_;
    int fd_ = -1;
    std::string error_;
  };

  std::optional<QueueEntry> read_entry(std::string_view id) const;
  Expected<void, std::string> write_entry(const QueueEntry& entry);
  std::string new_id();

  std::filesystem::path dir_;
  const core::Clock* clock_ = nullptr;
  std::unique_ptr<core::Clock> own_clock_;
  std::unique_ptr<std::mutex> mutex_;
  std::uint32_t counter_ = 0;
  std::vector<std::string> new_ids_;
};

}  // namespace endhost::mail::queue
