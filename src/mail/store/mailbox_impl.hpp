// The state behind a Mailbox and the disk work on it, shared by the files that implement it:
// mailbox.cpp (the public operations), mailbox_sync.cpp (open and refresh: taking in new/ and changes in
// cur/), mailbox_index.cpp (endhost-uidlist and endhost-keywords), mailbox_copy.cpp (COPY, RENAME INBOX).
// Internal to src/mail/store.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "mail/store/disk.hpp"
#include "mail/store/file_name.hpp"
#include "mail/store/mailbox.hpp"
#include "mail/store/uid_list.hpp"

namespace endhost::mail::store {

namespace detail {

// Compaction rewrites the index once dead records outnumber live ones, and there are at least this many
// (a small folder that POP3 empties would otherwise be rewritten at every QUIT).
constexpr std::size_t kCompactMinDead = 64;
constexpr std::uint64_t kMaxIndexBytes = std::uint64_t{1} << 32;  // 40 million records: far past any folder
constexpr std::uint64_t kMaxKeywordsFileBytes = 64 * 1024;
// A folder opened with at least this many messages gives its temporaries back to the system (Mailbox::load).
constexpr std::size_t kTrimAfterEntries = 10000;

inline StoreError error(StoreError::Kind kind, std::string message) {
  return StoreError{0, kind, std::move(message)};
}

// One message in memory: 64 bytes plus its name (a 100,000-message folder is about 13 MB).
struct Entry {
  std::string file;  // the name in cur/: base ":2," info
  std::uint32_t uid = 0;
  std::uint32_t base_len = 0;
  Flags flags;
  std::uint64_t vsize = 0;
  std::int64_t mtime = 0;
  std::string_view base() const { return std::string_view(file).substr(0, base_len); }
};

struct Stamp {
  DirStamp time;
  bool dirty = true;  // look again next time whatever the mtime says
};

inline bool valid_keyword(std::string_view k) {
  if (k.empty() || k.size() > Mailbox::kMaxKeywordBytes || k.front() == '\\') return false;
  for (const char c : k) {
    const auto u = static_cast<unsigned char>(c);
    // RFC 3501 §9: a flag keyword is an atom: no SP, CTL, "(", ")", "{", "%", "*", '"', "\" or "]".
    if (u <= 0x20 || u == 0x7f || c == '(' || c == ')' || c == '{' || c == '%' || c == '*' || c == '"' ||
        c == '\\' || c == ']')
      return false;
  }
  return true;
}

inline bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

// A name in cur/ or new/ the store manages: temporaries of other programs start with '.', and a base that
// cannot be an index record (a newline in it) is left alone.
inline bool managed_name(std::string_view name) {
  return !name.empty() && name.front() != '.' && valid_index_base(split_file_name(name).base);
}

inline std::uint32_t keyword_mask(std::size_t count) {
  return count >= 32 ? 0xffffffffu : ((1u << count) - 1);
}

}  // namespace detail

struct Mailbox::Impl {
  using Entry = detail::Entry;
  using Stamp = detail::Stamp;
  using Kind = StoreError::Kind;

  Impl(std::string name_in, std::filesystem::path dir_in, std::shared_ptr<detail::UserContext> user_in)
      : name(std::move(name_in)),
        dir(std::move(dir_in)),
        cur((dir / "cur").string()),
        new_((dir / "new").string()),
        tmp((dir / "tmp").string()),
        index_path((dir / "endhost-uidlist").string()),
        keywords_path((dir / "endhost-keywords").string()),
        lock_path((dir / "endhost-pop3.lock").string()),
        user(std::move(user_in)) {}
  ~Impl() {
    if (index_fd >= 0) ::close(index_fd);
    if (lock_fd >= 0) ::close(lock_fd);
  }

  const std::string name;
  const std::filesystem::path dir;
  const std::string cur, new_, tmp, index_path, keywords_path, lock_path;
  const std::shared_ptr<detail::UserContext> user;
  std::shared_ptr<const void> owner;

  mutable std::mutex mutex;
  bool loaded = false;
  bool gone = false;
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 1;
  std::vector<Entry> entries;            // by UID, ascending
  std::size_t index_records = 0;         // records in the index file, live or dead
  std::uint64_t index_bytes = 0;         // its length: a failed append is cut back to it
  std::uint64_t index_header_bytes = 0;  // the header line: its record count ends one byte before
  int index_fd = -1;                     // written at index_bytes (pwrite), the count in place
  std::vector<std::string> keywords;
  std::uint64_t version = 0;
  std::deque<Change> journal;  // the last changes; journal.back() brought the mailbox to `version`
  Stamp new_stamp, cur_stamp;
  std::uint32_t recent_floor = 1;
  bool exclusive = false;
  int lock_fd = -1;

  std::mutex listeners_mutex;
  std::uint64_t next_listener = 1;
  std::map<std::uint64_t, std::shared_ptr<Listener>> listeners;

  // --- everything below runs with `mutex` held ---

  Expected<void, StoreError> usable() const {
    if (gone)
      return Unexpected(
          detail::error(Kind::NoSuchMailbox, "the mailbox " + name + " was deleted or renamed"));
    if (!loaded) return Unexpected(detail::error(Kind::Invalid, "the mailbox " + name + " is not loaded"));
    return {};
  }

  Entry* find(std::uint32_t uid) {
    auto it = std::lower_bound(entries.begin(), entries.end(), uid,
                               [](const Entry& e, std::uint32_t u) { return e.uid < u; });
    return it != entries.end() && it->uid == uid ? &*it : nullptr;
  }

  MessageRecord record_of(const Entry& e) const {
    return MessageRecord{e.uid, std::string(e.base()), e.vsize, e.mtime, e.flags};
  }

  void journal_add(Change::Kind kind, std::uint32_t uid) {
    ++version;
    journal.push_back(Change{kind, uid});
    if (journal.size() > kJournalEntries) journal.pop_front();
  }

  std::string cur_path(std::string_view file) const {
    std::string p = cur;
    p += '/';
    p += file;
    return p;
  }

  // cur/ as this mailbox last saw it, so that its own renames can keep the stamp current: true when
  // nothing else changed cur/ since it was last looked at.
  bool cur_clean() const {
    if (cur_stamp.dirty) return false;
    const auto now = detail::stamp_of(cur);
    return now && now->same_time(cur_stamp.time);
  }
  // After this mailbox's own renames in cur/: the new mtime is the mailbox's own doing. A change by another
  // program within the same clock tick as them would be hidden until cur/ changes again or a read misses.
  void own_change_done(bool was_clean) {
    if (!was_clean) return;
    if (const auto now = detail::stamp_of(cur)) cur_stamp = Stamp{*now, false};
  }

  Expected<void, StoreError> open_index_fd();

  // The whole index from the entries in memory: header, then one record a live message.
  Expected<void, StoreError> write_index();

  Expected<void, StoreError> compact_if_needed();

  // One write, the header's count, and one fdatasync for any number of records: the UIDs they give are
  // durable once it returns.
  Expected<void, StoreError> append_records(const std::string& lines, std::size_t count);
  // Rewrites the header's R in place (no sync).
  Expected<void, StoreError> write_record_count(std::size_t records);

  Expected<void, StoreError> load_keywords();

  Expected<void, StoreError> save_keywords();

  Expected<std::uint32_t, StoreError> keyword_bits(std::span<const std::string> names, bool create);

  // Moves what new/ holds into cur/ (maildir(5): with ":2," and the flags the name may already have) and
  // returns the names it now has there. RENAME_NOREPLACE: a name taken in cur/ is left in new/.
  Expected<std::vector<std::string>, StoreError> move_new();

  // Gives UIDs to files of cur/ the index does not know, in delivery order, with one index append.
  Expected<bool, StoreError> take_in(std::vector<std::string> names);

  // Matches a listing of cur/ against the entries: renamed files give new flags, missing ones are
  // expunged, unknown ones are returned for take_in().
  std::vector<std::string> match_cur(std::vector<detail::DirEntry>& listing, bool* changed);

  // refresh(): see the header for the rules about when a directory is looked at.
  Expected<bool, StoreError> sync(bool force);

  Expected<OpenReport, StoreError> load();

  // Copies prepared by copy_to() into this mailbox. `missing` gets the positions whose source file was
  // gone (renamed meanwhile): the caller looks them up again.
  struct CopyItem {
    std::size_t position = 0;
    std::string path;   // the source file
    std::string other;  // its info letters this store does not model
    std::uint8_t system = 0;
    std::vector<std::string> keyword_names;
    std::uint64_t size = 0, vsize = 0;
    std::int64_t mtime = 0;
  };
  Expected<void, StoreError> copy_in(std::vector<CopyItem>& items, std::vector<std::uint32_t>& result,
                                     std::vector<std::size_t>& missing, bool* changed);

  // Prepares the copies of `uids` at `positions` for copy_in().
  std::vector<CopyItem> copy_items(std::span<const std::uint32_t> uids,
                                   std::span<const std::size_t> positions);

  void notify() {
    std::vector<std::shared_ptr<Listener>> calls;
    {
      std::lock_guard lock(listeners_mutex);
      calls.reserve(listeners.size());
      for (const auto& [id, l] : listeners) calls.push_back(l);
    }
    for (const auto& l : calls) (*l)();
  }
};

}  // namespace endhost::mail::store
