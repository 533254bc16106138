// The selected mailbox as one session sees it (RFC 3501 §2.3.1.2): message sequence numbers over the
// store's UIDs, the flags this session last reported, \Recent, and the expunges it may not announce yet
// (RFC 3501 §7.4.1: none during FETCH, STORE or SEARCH). sync() brings the view up to the folder through
// its journal (Folder::changes_since), so another session's change costs the entries it made, not a rescan.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "imap/sequence_set.hpp"
#include "imap/session/mail_access.hpp"

namespace endhost::imap {

class View {
 public:
  struct Entry {
    std::uint32_t uid = 0;
    std::uint64_t size = 0;
    std::int64_t internal_date = 0;
    Flags flags;
    bool recent = false;
    bool expunged = false;  // gone from the store, not yet announced: still holds its number
  };

  View(std::shared_ptr<Folder> folder, bool read_only);

  // SELECT/EXAMINE: the snapshot, \Recent taken for this session.
  void load();

  Folder& folder() { return *folder_; }
  const std::shared_ptr<Folder>& folder_ptr() const { return folder_; }
  bool read_only() const { return read_only_; }
  std::uint32_t uidvalidity() const { return uidvalidity_; }
  std::uint32_t uidnext() const { return uidnext_; }
  std::uint32_t exists() const { return static_cast<std::uint32_t>(entries_.size()); }
  std::uint32_t recent_count() const;
  std::uint32_t first_unseen() const;  // 0 when none
  std::uint32_t max_uid() const { return entries_.empty() ? 0 : entries_.back().uid; }
  const std::vector<std::string>& keywords() const { return keywords_; }

  Entry& at(std::uint32_t seq) { return entries_[seq - 1]; }
  const Entry& at(std::uint32_t seq) const { return entries_[seq - 1]; }
  std::optional<std::uint32_t> seq_of(std::uint32_t uid) const;

  // The message sequence numbers a set names: of sequence numbers, or of UIDs when `uid`.
  std::vector<std::uint32_t> select(const SequenceSet& set, bool uid) const;

  // The flags keywords of the folder as `(\Answered … kw)` and PERMANENTFLAGS' list with `\*`.
  std::string flags_list() const;
  std::string permanent_flags_list() const;
  std::string flag_list(const Flags& f, bool recent) const;  // `(\Seen $Forwarded)`

  // Brings the view up to the folder, writing the untagged responses to `out`. Expunges are announced and
  // removed only when `allow_expunge`. Error: the folder was deleted or renamed (the caller says BYE).
  Expected<void, StoreError> sync(std::string& out, bool allow_expunge);

  // Takes in the folder's keyword list when it grew (a STORE or APPEND made one), announcing `* FLAGS`.
  void refresh_keywords(std::string& out) { reload_keywords(out, true); }

  // This session's own changes, reported already by it: the view follows without announcing them again.
  void own_flags(std::uint32_t uid, const Flags& flags);
  // Removes the expunged uids and writes `* n EXPUNGE` for each.
  void own_expunge(std::span<const std::uint32_t> uids, std::string& out);

 private:
  void reload_keywords(std::string& out, bool announce);
  void full_resync(std::string& out, bool allow_expunge);
  void add(const MessageRecord& r);
  void announce_counts(std::string& out, std::uint32_t old_exists, std::uint32_t old_recent);

  std::shared_ptr<Folder> folder_;
  bool read_only_;
  std::uint32_t uidvalidity_ = 0;
  std::uint32_t uidnext_ = 0;
  std::uint64_t version_ = 0;
  std::uint32_t recent_floor_ = 0;  // UIDs at or above it, seen first by this session, are \Recent
  std::vector<Entry> entries_;
  std::vector<std::string> keywords_;
};

}  // namespace endhost::imap
