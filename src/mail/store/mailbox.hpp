// One folder of a user's mail store: a Maildir (tmp/ new/ cur/) with the index `endhost-uidlist` beside it
// that makes UIDVALIDITY, UIDNEXT and every message's UID durable, and `endhost-keywords` that names the
// keyword letters of the file names (docs/internals/mail-store.md has the layout and the recovery rules).
//
// One Mailbox object per folder per process, shared by every POP3, IMAP and webmail session that has the
// folder open (UserStore::open hands out the same object). Every method is thread-safe and blocks on the
// disk: call them from a core::BlockingPool. One mutex guards the state and is held across the disk work of
// a change, so changes to one folder are serialised; listeners run after it is released.
//
// Durability: whatever a method reports as done is on disk (file fsynced, renamed, directory fsynced). A
// kill -9 at any point leaves a state that the next open or refresh() turns into a consistent mailbox: at
// worst a message gets a new UID after an index rebuild (with a new UIDVALIDITY), never lost, never twice.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "mail/store/types.hpp"

namespace endhost::mail::store {

namespace detail {
struct UserContext;
}

class Mailbox {
 public:
  // How far back changes_since() reaches, in changes.
  static constexpr std::size_t kJournalEntries = 4096;

  // The state of the folder at one version: what SELECT reports.
  struct Snapshot {
    std::uint32_t uidvalidity = 0;
    std::uint32_t uidnext = 0;
    std::uint64_t version = 0;            // for changes_since()
    std::vector<MessageRecord> messages;  // by UID, ascending
  };

  enum class FlagOp { Replace, Add, Remove };  // STORE FLAGS, +FLAGS, -FLAGS (RFC 3501 §6.4.6)

  using Listener = std::function<void()>;

  // What opening found: set when the index was missing (with messages present) or corrupt and was rebuilt,
  // with a new UIDVALIDITY; the UserStore's caller logs it.
  struct OpenReport {
    bool rebuilt = false;
    std::string why;  // "" or one line: "index … is corrupt at line 7: rebuilt, UIDVALIDITY 1700000001"
  };

  // Made by UserStore::open (the tag keeps others out while letting make_shared in).
  struct Private {
    explicit Private() = default;
  };
  // `owner` (the UserStore) is kept alive while the mailbox is, so its registry stays the one that hands
  // this object out.
  Mailbox(Private, std::string name, std::filesystem::path dir, std::shared_ptr<detail::UserContext> user,
          std::shared_ptr<const void> owner = nullptr);
  ~Mailbox();
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  // Reads the index and cur/ once and takes in new/: the first call after construction (UserStore::open).
  Expected<OpenReport, StoreError> load();

  // "INBOX", "Sent", "Archive.2024": the name as IMAP sends it (modified UTF-7, RFC 3501 §5.1.3).
  const std::string& name() const;
  const std::filesystem::path& dir() const;

  // Takes in what arrived in new/ (moved to cur/ with ":2,", given UIDs, appended to the index) and what
  // changed in cur/ behind the store's back (files gone: expunged; renamed: new flags; unknown: new
  // messages). Costs two stat()s when neither directory changed since the mailbox last looked (their mtimes
  // are remembered to the nanosecond; one changed within the last second is looked at again, as Dovecot
  // does, since a second change in the same clock tick leaves the mtime as it was). Returns whether
  // anything changed; listeners are told when it did. NoSuchMailbox once the folder was deleted or renamed.
  Expected<bool, StoreError> refresh();

  // With `names` false the records' `base` stays empty: what IMAP's SELECT needs, without a string per
  // message (a 100,000-message folder's snapshot is then one allocation).
  Snapshot snapshot(bool names = true) const;
  std::uint64_t version() const;
  // The changes after `version`, oldest first, and in `*now` the version they bring the caller to; nullopt
  // when the journal (kJournalEntries) no longer reaches back that far: take a snapshot() instead.
  std::optional<std::vector<Change>> changes_since(std::uint64_t version, std::uint64_t* now) const;
  std::optional<MessageRecord> find(std::uint32_t uid) const;
  std::size_t count() const;

  // The file's bytes as stored (line ends as the file has them: CRLF for what SMTP and append() wrote).
  // TooBig when the file is larger than `max_size`. A lookup that races a rename (another session's STORE,
  // or a program outside) is retried once after a refresh(); NoSuchMessage when the message is gone.
  Expected<std::string, StoreError> read(std::uint32_t uid, std::uint64_t max_size);
  // An fd open for reading to stream a large message (POP3 RETR, IMAP partial fetch); the caller closes it.
  Expected<int, StoreError> open(std::uint32_t uid);

  // Renames the files of `uids` (those still present) to their new flags; returns the UIDs whose flags
  // changed, in the order given. Keyword bits the folder does not define are ignored. cur/ is fsynced once
  // at the end.
  Expected<std::vector<std::uint32_t>, StoreError> store_flags(std::span<const std::uint32_t> uids, FlagOp op,
                                                               Flags flags);
  // Unlinks the files of `uids`; returns those removed (gone already counts as removed), durable (cur/
  // fsynced) before it returns.
  Expected<std::vector<std::uint32_t>, StoreError> expunge(std::span<const std::uint32_t> uids);
  // Adds a message: written to tmp/, fsynced, renamed into cur/ with its flags, cur/ fsynced, its index
  // record appended and fdatasynced; returns its UID. `internal_date` (unix seconds; default now) becomes
  // the file's mtime. TooBig beyond the Store's max_message_size.
  Expected<std::uint32_t, StoreError> append(std::string_view message, Flags flags,
                                             std::optional<std::int64_t> internal_date = std::nullopt);
  // Copies `uids` into `dest` (which may be this mailbox) with their flags and INTERNALDATE (RFC 3501
  // §6.4.7): a hard link where the file system allows, else a copy. The result has one entry per uid, in
  // order: the UID in `dest`, or 0 for a uid that is not (or no longer) here. Keywords are carried by name;
  // one `dest` has no room for is dropped.
  Expected<std::vector<std::uint32_t>, StoreError> copy_to(Mailbox& dest,
                                                           std::span<const std::uint32_t> uids);

  // The folder's keywords in index order: keyword i is bit i of Flags::keywords.
  std::vector<std::string> keywords() const;
  // The bits of `names` (compared ignoring ASCII case; RFC 3501 §9), adding the missing ones when `create`
  // (durably, to endhost-keywords). Names that are unknown, when not creating, contribute no bit.
  // TooManyKeywords when a 27th would be needed; Invalid for a name with a space, a control byte, a
  // parenthesis, '\\' or more than kMaxKeywordBytes.
  static constexpr std::size_t kMaxKeywordBytes = 100;
  Expected<std::uint32_t, StoreError> keyword_bits(std::span<const std::string> names, bool create);

  // POP3's maildrop lock (RFC 1939 §8): at most one holder at a time in this process, and across processes
  // by an flock() of `<folder>/endhost-pop3.lock` (released by the kernel if the process dies). False when
  // someone holds it.
  bool try_lock_exclusive();
  void unlock_exclusive();

  // \Recent (RFC 3501 §2.3.2.2): messages are recent for the first session that sees them. A session that
  // is about to report UIDs below `session_uidnext` calls this; the messages with UIDs in
  // [returned floor, session_uidnext) are recent for it, and for no session after it (the floor is raised
  // to session_uidnext). Kept in memory only: the floor starts at the UIDNEXT the index had when the
  // mailbox was opened, so mail taken in from new/ since counts as recent.
  std::uint32_t take_recent(std::uint32_t session_uidnext);
  // The floor take_recent() would return, left where it is: for EXAMINE and STATUS, which report \Recent
  // without taking it (RFC 3501 §6.3.2, §6.3.10).
  std::uint32_t recent_floor() const;

  // Called after a change (refresh that found something, or any change made through this object), from the
  // thread that made it, without the mailbox's mutex held: IDLE wakes on it. The UserStore's lock may be
  // held (DELETE and RENAME tell the folders they remove), so a listener posts to its session's executor
  // and never calls back into the store itself. A listener may still run once while unsubscribe() returns:
  // capture a weak_ptr, or post to an executor that checks liveness.
  std::uint64_t subscribe(Listener listener);
  void unsubscribe(std::uint64_t id);

  // The UserStore's part of DELETE and RENAME: every later call fails with NoSuchMailbox.
  void mark_gone();
  bool gone() const;
  // RENAME INBOX (RFC 3501 §6.3.5): moves every message file into the Maildir `dest_dir` (its cur/ and
  // new/), leaving this mailbox empty but usable.
  Expected<void, StoreError> move_all_to(const std::filesystem::path& dest_dir);

 private:
  struct Impl;  // mailbox.cpp: the state under the mutex and the disk work
  std::unique_ptr<Impl> impl_;
};

}  // namespace endhost::mail::store
