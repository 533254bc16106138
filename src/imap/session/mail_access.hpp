// What the IMAP session needs of a mail store, as interfaces the I/O implements over mail::store (the
// server's store_access.cpp) and the tests implement in memory. Every call may block on the disk: the I/O
// runs the session's execute() on its blocking pool, never on an event loop. The value types are the
// store's own (mail/store/types.hpp: plain values, no I/O).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "mail/store/types.hpp"

namespace endhost::imap {

using mail::store::Change;
using mail::store::Flags;
using mail::store::MessageRecord;
using mail::store::StoreError;

enum class FlagOp { Replace, Add, Remove };

struct FolderSnapshot {
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 0;
  std::uint64_t version = 0;
  std::vector<MessageRecord> messages;  // by UID ascending
};

struct FolderEntry {  // one folder as LIST shows it
  std::string name;
  std::string special_use;  // "\\Sent" or ""
  bool has_children = false;
  bool selectable = true;
};

// What STATUS reports (RFC 3501 §6.3.10, RFC 9051 SIZE and DELETED).
struct FolderStatus {
  std::uint32_t messages = 0;
  std::uint32_t uidnext = 0;
  std::uint32_t uidvalidity = 0;
  std::uint32_t unseen = 0;
  std::uint32_t recent = 0;  // UIDs at or above the recent floor: \Recent for whoever selects next
  std::uint32_t deleted = 0;
  std::uint64_t size = 0;
};

// One open folder (mail::store::Mailbox). Shared with the other sessions that have it open.
class Folder {
 public:
  virtual ~Folder() = default;
  virtual const std::string& name() const = 0;
  virtual Expected<bool, StoreError> refresh() = 0;
  virtual FolderSnapshot snapshot() = 0;
  virtual FolderStatus status() = 0;
  virtual std::optional<std::vector<Change>> changes_since(std::uint64_t version, std::uint64_t* now) = 0;
  virtual std::optional<MessageRecord> find(std::uint32_t uid) = 0;
  virtual Expected<std::string, StoreError> read(std::uint32_t uid) = 0;
  virtual Expected<std::vector<std::uint32_t>, StoreError> store_flags(std::span<const std::uint32_t> uids,
                                                                       FlagOp op, Flags flags) = 0;
  virtual Expected<std::vector<std::uint32_t>, StoreError> expunge(std::span<const std::uint32_t> uids) = 0;
  virtual Expected<std::uint32_t, StoreError> append(std::string_view message, Flags flags,
                                                     std::optional<std::int64_t> internal_date) = 0;
  // The UIDs in `dest`, one per uid (0: that message is gone). `dest` is a Folder of the same Account.
  virtual Expected<std::vector<std::uint32_t>, StoreError> copy_to(Folder& dest,
                                                                   std::span<const std::uint32_t> uids) = 0;
  virtual std::vector<std::string> keywords() = 0;
  virtual Expected<std::uint32_t, StoreError> keyword_bits(std::span<const std::string> names,
                                                           bool create) = 0;
  virtual std::uint32_t take_recent(std::uint32_t session_uidnext) = 0;
  virtual std::uint32_t recent_floor() = 0;  // take_recent's floor, not taken (EXAMINE, STATUS)
};

// One logged-in user's folders (mail::store::UserStore).
class Account {
 public:
  virtual ~Account() = default;
  virtual const std::string& user() const = 0;
  virtual Expected<std::shared_ptr<Folder>, StoreError> open(std::string_view name) = 0;
  virtual Expected<std::vector<FolderEntry>, StoreError> list() = 0;
  virtual Expected<void, StoreError> create(std::string_view name) = 0;
  virtual Expected<void, StoreError> remove(std::string_view name) = 0;
  virtual Expected<void, StoreError> rename(std::string_view from, std::string_view to) = 0;
  virtual Expected<void, StoreError> subscribe(std::string_view name, bool on) = 0;
  virtual std::vector<std::string> subscriptions() = 0;
};

// Logging in: the password check (slow by design: argon2) and opening the user's store.
class Directory {
 public:
  virtual ~Directory() = default;
  // The account when `password` is the user's; nullptr otherwise (unknown users cost as much).
  virtual std::unique_ptr<Account> login(std::string_view user, std::string_view password) = 0;
};

}  // namespace endhost::imap
