#include "mail/store/mailbox.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <map>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "core/durable_file.hpp"
#include "mail/maildir/maildir.hpp"
#include "mail/store/context.hpp"
#include "mail/store/disk.hpp"
#include "mail/store/file_name.hpp"
#include "mail/store/uid_list.hpp"

namespace endhost::mail::store {

namespace {

using detail::DirStamp;
using detail::io_error;
using Kind = StoreError::Kind;

// Compaction rewrites the index once dead records outnumber live ones, and there are at least this many
// (a small folder that POP3 empties would otherwise be rewritten at every QUIT).
constexpr std::size_t kCompactMinDead = 64;
constexpr std::uint64_t kMaxIndexBytes = std::uint64_t{1} << 32;  // 40 million records: far past any folder
constexpr std::uint64_t kMaxKeywordsFileBytes = 64 * 1024;

StoreError error(Kind kind, std::string message) {
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

bool valid_keyword(std::string_view k) {
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

bool iequals_ascii(std::string_view a, std::string_view b) {
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
bool managed_name(std::string_view name) {
  return !name.empty() && name.front() != '.' && valid_index_base(split_file_name(name).base);
}

std::uint32_t keyword_mask(std::size_t count) {
  return count >= 32 ? 0xffffffffu : ((1u << count) - 1);
}

}  // namespace

struct Mailbox::Impl {
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
  std::vector<Entry> entries;     // by UID, ascending
  std::size_t index_records = 0;  // records in the index file, live or dead
  std::uint64_t index_bytes = 0;  // its length: a failed append is cut back to it
  int index_fd = -1;              // O_APPEND
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
      return Unexpected(error(Kind::NoSuchMailbox, "the mailbox " + name + " was deleted or renamed"));
    if (!loaded) return Unexpected(error(Kind::Invalid, "the mailbox " + name + " is not loaded"));
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

  Expected<void, StoreError> open_index_fd() {
    if (index_fd >= 0) ::close(index_fd);
    index_fd = ::open(index_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (index_fd < 0) return Unexpected(io_error(errno, "cannot open the index", index_path));
    return {};
  }

  // The whole index from the entries in memory: header, then one record a live message.
  Expected<void, StoreError> write_index() {
    std::string text = format_uid_list_header(uidvalidity, uidnext);
    text.reserve(text.size() + entries.size() * 80);
    for (const Entry& e : entries) append_uid_record(text, e.uid, e.vsize, e.mtime, e.base());
    if (auto ok = detail::write_durably(index_path, text); !ok) return ok;
    if (auto ok = open_index_fd(); !ok) return ok;
    index_records = entries.size();
    index_bytes = text.size();
    return {};
  }

  Expected<void, StoreError> compact_if_needed() {
    const std::size_t dead = index_records - std::min(index_records, entries.size());
    if (dead <= entries.size() || dead < kCompactMinDead) return {};
    return write_index();
  }

  // One write and one fdatasync for any number of records: the UIDs they give are durable once it returns.
  Expected<void, StoreError> append_records(const std::string& lines, std::size_t count) {
    if (index_fd < 0) return Unexpected(error(Kind::Io, "the index " + index_path + " is not open"));
    std::size_t done = 0;
    int err = 0;
    while (done < lines.size()) {
      const ssize_t n = ::write(index_fd, lines.data() + done, lines.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        err = errno;
        break;
      }
      done += static_cast<std::size_t>(n);
    }
    if (err == 0 && ::fdatasync(index_fd) != 0) err = errno;
    if (err != 0) {
      // Cut a partial record off, so the next append does not continue it (its UID was never given out).
      if (::ftruncate(index_fd, static_cast<off_t>(index_bytes)) != 0) {
      }
      return Unexpected(io_error(err, "cannot append to the index", index_path));
    }
    index_bytes += lines.size();
    index_records += count;
    return {};
  }

  Expected<void, StoreError> load_keywords() {
    keywords.clear();
    auto text = detail::read_file(keywords_path, kMaxKeywordsFileBytes);
    if (!text) {
      if (text.error().code == ENOENT) return {};
      return Unexpected(text.error());
    }
    // "<index> <name>" lines as dovecot-keywords; anything but the dense prefix 0, 1, 2… is ignored.
    std::string_view rest = *text;
    while (!rest.empty() && keywords.size() < kMaxKeywords) {
      const auto nl = rest.find('\n');
      if (nl == std::string_view::npos) break;  // torn: never acknowledged
      const std::string_view line = rest.substr(0, nl);
      rest.remove_prefix(nl + 1);
      const auto sp = line.find(' ');
      if (sp == std::string_view::npos || line.substr(0, sp) != std::to_string(keywords.size())) break;
      const std::string_view k = line.substr(sp + 1);
      if (!valid_keyword(k)) break;
      keywords.emplace_back(k);
    }
    return {};
  }

  Expected<void, StoreError> save_keywords() {
    std::string text;
    for (std::size_t i = 0; i < keywords.size(); ++i) {
      text += std::to_string(i);
      text += ' ';
      text += keywords[i];
      text += '\n';
    }
    return detail::write_durably(keywords_path, text);
  }

  Expected<std::uint32_t, StoreError> keyword_bits(std::span<const std::string> names, bool create) {
    std::uint32_t bits = 0;
    const std::size_t before = keywords.size();
    for (const std::string& n : names) {
      if (!valid_keyword(n)) {
        if (!create) continue;
        keywords.resize(before);
        return Unexpected(error(Kind::Invalid, "invalid keyword"));
      }
      std::size_t i = 0;
      while (i < keywords.size() && !iequals_ascii(keywords[i], n)) ++i;
      if (i == keywords.size()) {
        if (!create) continue;
        if (keywords.size() >= kMaxKeywords) {
          keywords.resize(before);
          return Unexpected(error(Kind::TooManyKeywords, "the mailbox " + name + " has " +
                                                             std::to_string(kMaxKeywords) + " keywords"));
        }
        keywords.push_back(n);
      }
      bits |= 1u << i;
    }
    if (keywords.size() != before) {
      if (auto ok = save_keywords(); !ok) {
        keywords.resize(before);
        return Unexpected(ok.error());
      }
    }
    return bits;
  }

  // Moves what new/ holds into cur/ (maildir(5): with ":2," and the flags the name may already have) and
  // returns the names it now has there. RENAME_NOREPLACE: a name taken in cur/ is left in new/.
  Expected<std::vector<std::string>, StoreError> move_new() {
    auto names = detail::list_dir(new_);
    if (!names) return Unexpected(names.error());
    std::vector<std::string> moved;
    for (auto& e : *names) {
      if (!managed_name(e.name)) continue;
      std::string target = e.name;
      if (!split_file_name(e.name).has_info) target += ":2,";
      const std::string from = new_ + "/" + e.name;
      const std::string to = cur_path(target);
      if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
        moved.push_back(std::move(target));
        continue;
      }
      const int err = errno;
      if (err == ENOENT || err == EEXIST) continue;  // taken meanwhile, or a name clash for a person to see
      return Unexpected(io_error(err, "cannot move into cur/", from));
    }
    return moved;
  }

  // Gives UIDs to files of cur/ the index does not know, in delivery order, with one index append.
  Expected<bool, StoreError> take_in(std::vector<std::string> names) {
    struct Pending {
      std::string file;
      detail::Measured m;
    };
    std::vector<Pending> found;
    found.reserve(names.size());
    for (auto& file : names) {
      const FileName f = split_file_name(file);
      const auto w = name_field(f.base, 'W');
      auto m = detail::measure(cur_path(file), !w.has_value());
      if (!m) continue;  // gone meanwhile, or unreadable: not a message this store can serve
      if (w) m->vsize = *w;
      found.push_back(Pending{std::move(file), *m});
    }
    if (found.empty()) return false;
    std::sort(found.begin(), found.end(), [](const Pending& a, const Pending& b) {
      return delivered_before(split_file_name(a.file).base, split_file_name(b.file).base);
    });
    if (found.size() > static_cast<std::size_t>(kMaxUid) + 1 - uidnext)
      return Unexpected(error(Kind::Io, "the mailbox " + name + " has run out of UIDs"));
    std::string lines;
    std::uint32_t uid = uidnext;
    for (const Pending& p : found)
      append_uid_record(lines, uid++, p.m.vsize, p.m.mtime, split_file_name(p.file).base);
    if (auto ok = append_records(lines, found.size()); !ok) return Unexpected(ok.error());
    entries.reserve(entries.size() + found.size());
    for (Pending& p : found) {
      const FileName f = split_file_name(p.file);
      Entry e;
      e.uid = uidnext++;
      e.base_len = static_cast<std::uint32_t>(f.base.size());
      e.flags = parse_info(f.info, keywords.size());
      e.vsize = p.m.vsize;
      e.mtime = p.m.mtime;
      e.file = std::move(p.file);
      entries.push_back(std::move(e));
      journal_add(Change::Kind::Added, entries.back().uid);
    }
    return true;
  }

  // Matches a listing of cur/ against the entries: renamed files give new flags, missing ones are
  // expunged, unknown ones are returned for take_in().
  std::vector<std::string> match_cur(std::vector<detail::DirEntry>& listing, bool* changed) {
    std::unordered_map<std::string_view, std::size_t> by_base;
    by_base.reserve(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) by_base.emplace(entries[i].base(), i);
    std::vector<char> seen(entries.size(), 0);
    std::vector<std::pair<std::size_t, std::size_t>> renamed;  // entry, listing
    std::unordered_set<std::string_view> unknown_bases;
    std::vector<std::string> unknown;
    for (std::size_t j = 0; j < listing.size(); ++j) {
      const std::string& file = listing[j].name;
      if (!managed_name(file)) continue;
      const FileName f = split_file_name(file);
      const auto it = by_base.find(f.base);
      if (it == by_base.end()) {
        if (unknown_bases.insert(f.base).second) unknown.push_back(file);
        continue;
      }
      if (seen[it->second]) continue;  // a second file with the same base: left alone
      seen[it->second] = 1;
      if (entries[it->second].file != file) renamed.emplace_back(it->second, j);
    }
    for (const auto& [i, j] : renamed) {
      Entry& e = entries[i];
      e.file = std::move(listing[j].name);
      const Flags flags = parse_info(split_file_name(e.file).info, keywords.size());
      if (flags != e.flags) {
        e.flags = flags;
        journal_add(Change::Kind::FlagsChanged, e.uid);
        *changed = true;
      }
    }
    std::size_t out = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (!seen[i]) {
        journal_add(Change::Kind::Expunged, entries[i].uid);
        *changed = true;
        continue;
      }
      if (out != i) entries[out] = std::move(entries[i]);
      ++out;
    }
    entries.resize(out);
    return unknown;
  }

  // refresh(): see the header for the rules about when a directory is looked at.
  Expected<bool, StoreError> sync(bool force) {
    const auto ns = detail::stamp_of(new_);
    const auto cs0 = detail::stamp_of(cur);
    if (!ns || !cs0) {
      if (!detail::is_directory(dir.string())) {
        gone = true;
        return Unexpected(error(Kind::NoSuchMailbox, "the mailbox " + name + " no longer exists"));
      }
      if (auto ok = maildir::ensure(dir); !ok) return Unexpected(error(Kind::Io, ok.error()));
      force = true;
    }
    const std::int64_t now = detail::now_seconds();
    const bool look_new = force || new_stamp.dirty || !ns || !ns->same_time(new_stamp.time);
    const bool look_cur = force || cur_stamp.dirty || !cs0 || !cs0->same_time(cur_stamp.time);
    if (!look_new && !look_cur) return false;

    std::vector<std::string> moved;
    if (look_new) {
      // The stamp from before the listing: a delivery during it changes the mtime after it, so is seen.
      if (ns) new_stamp = Stamp{*ns, detail::too_recent(*ns, now)};
      auto m = move_new();
      if (!m) return Unexpected(m.error());
      moved = std::move(*m);
      if (!moved.empty()) new_stamp.dirty = true;  // our renames changed new/'s mtime: one more look
    }
    bool changed = false;
    std::vector<std::string> unknown;
    if (look_cur) {
      const auto cs = moved.empty() ? cs0 : detail::stamp_of(cur);
      if (cs) cur_stamp = Stamp{*cs, detail::too_recent(*cs, now)};
      auto listing = detail::list_dir(cur);
      if (!listing) return Unexpected(listing.error());
      unknown = match_cur(*listing, &changed);
    } else if (!moved.empty()) {
      // Only our own renames changed cur/ since it was last looked at: the moved files are all that is new.
      if (const auto cs = detail::stamp_of(cur)) cur_stamp = Stamp{*cs, false};
      unknown = std::move(moved);
    }
    auto added = take_in(std::move(unknown));
    if (!added) return Unexpected(added.error());
    changed = changed || *added;
    if (auto ok = compact_if_needed(); !ok) return Unexpected(ok.error());
    return changed;
  }

  Expected<OpenReport, StoreError> load() {
    OpenReport report;
    if (!detail::is_directory(dir.string()))
      return Unexpected(error(Kind::NoSuchMailbox, "no mailbox " + name));
    if (auto ok = maildir::ensure(dir); !ok) return Unexpected(error(Kind::Io, ok.error()));
    if (auto ok = load_keywords(); !ok) return Unexpected(ok.error());

    auto text = detail::read_file(index_path, kMaxIndexBytes);
    bool missing = false;
    if (!text) {
      if (text.error().code != ENOENT && text.error().kind != Kind::TooBig) return Unexpected(text.error());
      missing = text.error().code == ENOENT;
    }
    Expected<UidList, UidListError> parsed =
        text ? parse_uid_list(*text)
             : Expected<UidList, UidListError>(Unexpected(UidListError{0, "too large", 0}));

    const std::int64_t now = detail::now_seconds();
    const auto ns = detail::stamp_of(new_);
    if (ns) new_stamp = Stamp{*ns, detail::too_recent(*ns, now)};
    auto moved = move_new();
    if (!moved) return Unexpected(moved.error());
    if (!moved->empty()) new_stamp.dirty = true;
    const auto cs = detail::stamp_of(cur);
    if (cs) cur_stamp = Stamp{*cs, detail::too_recent(*cs, now)};
    auto listing = detail::list_dir(cur);
    if (!listing) return Unexpected(listing.error());

    if (parsed) {
      UidList& list = *parsed;
      // Later records win: a base that came back after its first record died has a newer one.
      std::unordered_map<std::string_view, std::size_t> by_base;
      by_base.reserve(list.records.size());
      for (std::size_t i = 0; i < list.records.size(); ++i) by_base[list.records[i].base] = i;
      std::vector<char> claimed(list.records.size(), 0);
      std::unordered_set<std::string_view> unknown_bases;
      std::vector<std::string> unknown;
      entries.reserve(std::min(by_base.size(), listing->size()));
      for (auto& de : *listing) {
        if (!managed_name(de.name)) continue;
        const FileName f = split_file_name(de.name);
        const auto it = by_base.find(f.base);
        if (it == by_base.end()) {
          if (unknown_bases.insert(f.base).second) unknown.push_back(de.name);
          continue;
        }
        if (claimed[it->second]) continue;
        claimed[it->second] = 1;
        const UidRecord& r = list.records[it->second];
        Entry e;
        e.uid = r.uid;
        e.base_len = static_cast<std::uint32_t>(f.base.size());
        e.flags = parse_info(f.info, keywords.size());
        e.vsize = r.vsize;
        e.mtime = r.mtime;
        e.file = std::move(de.name);
        entries.push_back(std::move(e));
      }
      std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.uid < b.uid; });
      uidvalidity = list.uidvalidity;
      uidnext = list.uidnext;
      index_records = list.records.size();
      index_bytes = list.good_bytes;
      if (auto ok = open_index_fd(); !ok) return Unexpected(ok.error());
      if (list.torn && ::ftruncate(index_fd, static_cast<off_t>(list.good_bytes)) != 0)
        return Unexpected(io_error(errno, "cannot cut the torn record off", index_path));
      recent_floor = uidnext;  // what is new to this process (taken in below) is \Recent
      loaded = true;
      auto added = take_in(std::move(unknown));
      if (!added) return Unexpected(added.error());
      if (auto ok = compact_if_needed(); !ok) return Unexpected(ok.error());
      return report;
    }

    // Missing or corrupt: a new index over the files there are, with a UIDVALIDITY never used before.
    std::vector<std::string> files;
    for (auto& de : *listing)
      if (managed_name(de.name)) files.push_back(std::move(de.name));
    // A folder whose index is missing while cur/ had nothing but what new/ just brought is simply new
    // (INBOX before its first login): no rebuild to report, and its mail is \Recent.
    const bool fresh = missing && files.size() == moved->size();
    auto uv = user->new_uidvalidity(parsed.error().uidvalidity);
    if (!uv) return Unexpected(uv.error());
    uidvalidity = *uv;
    uidnext = 1;
    entries.clear();
    if (auto ok = write_index(); !ok) return Unexpected(ok.error());
    loaded = true;
    // take_in dedupes bases and sorts by delivery order.
    auto added = take_in(std::move(files));
    if (!added) return Unexpected(added.error());
    journal.clear();
    recent_floor = fresh ? 1 : uidnext;
    if (!fresh) {
      report.rebuilt = true;
      report.why = "the index " + index_path + " was " +
                   (missing ? std::string("missing")
                            : "corrupt (line " + std::to_string(parsed.error().line) + ": " +
                                  parsed.error().why + ")") +
                   ": rebuilt with UIDVALIDITY " + std::to_string(uidvalidity) + " for " +
                   std::to_string(entries.size()) + " messages";
    }
    return report;
  }

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
                                     std::vector<std::size_t>& missing, bool* changed) {
    if (auto ok = usable(); !ok) return ok;
    const bool clean = cur_clean();
    struct Made {
      std::size_t position;
      std::string file;
      Flags flags;
      std::uint64_t vsize;
      std::int64_t mtime;
    };
    std::vector<Made> made;
    StoreError failure;
    bool failed = false;
    for (CopyItem& item : items) {
      Flags flags{item.system, 0};
      for (const std::string& k : item.keyword_names) {
        // One keyword at a time: one that finds no room is dropped, the others are kept.
        const std::string one[] = {k};
        if (auto bits = keyword_bits(one, true)) flags.keywords |= *bits;
      }
      // A new base for the copy (Dovecot's default too): the same base twice in one folder would break
      // the index, and POP3 must see a copy as another message.
      std::string file = make_file_name(user->store->unique_base(item.size, item.vsize), flags, item.other);
      const std::string target = cur_path(file);
      bool done = false;
      if (::linkat(AT_FDCWD, item.path.c_str(), AT_FDCWD, target.c_str(), 0) == 0) {
        done = true;
      } else if (errno == ENOENT) {
        missing.push_back(item.position);
        continue;
      } else if (errno == EXDEV || errno == EPERM || errno == EMLINK || errno == EOPNOTSUPP) {
        auto bytes = detail::read_file(item.path, std::max(item.size, user->store->max_message_size) + 1);
        if (!bytes && bytes.error().code == ENOENT) {
          missing.push_back(item.position);
          continue;
        }
        if (!bytes) {
          failure = bytes.error();
          failed = true;
          break;
        }
        core::DurableFileOptions options;
        options.mode = 0600;
        options.temp_dir = tmp;
        options.temp_name = std::string(split_file_name(file).base);
        auto writer = core::DurableFileWriter::create(target, options);
        Expected<void, core::DurableFileError> ok;
        if (!writer) ok = Unexpected(writer.error());
        if (ok) ok = writer->write(*bytes);
        if (ok) ok = writer->set_mtime(item.mtime);
        if (ok) ok = writer->sync();
        if (ok) {
          auto published = writer->publish(core::DurableFileWriter::Publish::keep_existing);
          if (!published) ok = Unexpected(published.error());
        }
        if (!ok) {
          failure = StoreError{ok.error().code, Kind::Io, ok.error().message};
          failed = true;
          break;
        }
        done = true;
      } else {
        failure = io_error(errno, "cannot link the copy", target);
        failed = true;
        break;
      }
      if (done) made.push_back(Made{item.position, std::move(file), flags, item.vsize, item.mtime});
    }
    if (!made.empty()) {
      auto synced = detail::fsync_dir(cur);
      std::string lines;
      std::uint32_t uid = uidnext;
      for (const Made& m : made)
        append_uid_record(lines, uid++, m.vsize, m.mtime, split_file_name(m.file).base);
      auto appended = synced ? append_records(lines, made.size())
                             : Expected<void, StoreError>(Unexpected(synced.error()));
      if (!appended) {
        // Not indexed: remove the copies rather than leave files a rebuild would number later.
        for (const Made& m : made) ::unlink(cur_path(m.file).c_str());
        (void)detail::fsync_dir(cur);
        return Unexpected(appended.error());
      }
      for (Made& m : made) {
        Entry e;
        e.uid = uidnext++;
        e.base_len = static_cast<std::uint32_t>(split_file_name(m.file).base.size());
        e.flags = m.flags;
        e.vsize = m.vsize;
        e.mtime = m.mtime;
        e.file = std::move(m.file);
        result[m.position] = e.uid;
        entries.push_back(std::move(e));
        journal_add(Change::Kind::Added, entries.back().uid);
      }
      *changed = true;
      own_change_done(clean);
    }
    if (failed) return Unexpected(failure);
    return {};
  }

  // Prepares the copies of `uids` at `positions` for copy_in().
  std::vector<CopyItem> copy_items(std::span<const std::uint32_t> uids,
                                   std::span<const std::size_t> positions) {
    std::vector<CopyItem> items;
    for (const std::size_t pos : positions) {
      const Entry* e = find(uids[pos]);
      if (!e) continue;
      CopyItem item;
      item.position = pos;
      item.path = cur_path(e->file);
      parse_info(split_file_name(e->file).info, keywords.size(), &item.other);
      item.system = e->flags.system;
      for (std::size_t i = 0; i < keywords.size(); ++i)
        if (e->flags.keywords & (1u << i)) item.keyword_names.push_back(keywords[i]);
      item.vsize = e->vsize;
      item.mtime = e->mtime;
      if (const auto s = name_field(e->base(), 'S')) {
        item.size = *s;
      } else {
        struct stat st {};
        item.size = ::stat(item.path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : e->vsize;
      }
      items.push_back(std::move(item));
    }
    return items;
  }

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

Mailbox::Mailbox(Private, std::string name, std::filesystem::path dir,
                 std::shared_ptr<detail::UserContext> user, std::shared_ptr<const void> owner)
    : impl_(std::make_unique<Impl>(std::move(name), std::move(dir), std::move(user))) {
  impl_->owner = std::move(owner);
}

Mailbox::~Mailbox() = default;

const std::string& Mailbox::name() const {
  return impl_->name;
}
const std::filesystem::path& Mailbox::dir() const {
  return impl_->dir;
}

Expected<Mailbox::OpenReport, StoreError> Mailbox::load() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->loaded) return OpenReport{};
  return impl_->load();
}

Expected<bool, StoreError> Mailbox::refresh() {
  Expected<bool, StoreError> changed = false;
  {
    std::lock_guard lock(impl_->mutex);
    if (auto ok = impl_->usable(); !ok) return Unexpected(ok.error());
    changed = impl_->sync(false);
  }
  if (changed && *changed) impl_->notify();
  return changed;
}

Mailbox::Snapshot Mailbox::snapshot() const {
  std::lock_guard lock(impl_->mutex);
  Snapshot s;
  s.uidvalidity = impl_->uidvalidity;
  s.uidnext = impl_->uidnext;
  s.version = impl_->version;
  s.messages.reserve(impl_->entries.size());
  for (const Entry& e : impl_->entries) s.messages.push_back(impl_->record_of(e));
  return s;
}

std::uint64_t Mailbox::version() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->version;
}

std::optional<std::vector<Change>> Mailbox::changes_since(std::uint64_t version, std::uint64_t* now) const {
  std::lock_guard lock(impl_->mutex);
  if (now) *now = impl_->version;
  const std::uint64_t first = impl_->version - impl_->journal.size();  // the version before journal.front()
  if (version > impl_->version || version < first) return std::nullopt;
  return std::vector<Change>(impl_->journal.begin() + static_cast<std::ptrdiff_t>(version - first),
                             impl_->journal.end());
}

std::optional<MessageRecord> Mailbox::find(std::uint32_t uid) const {
  std::lock_guard lock(impl_->mutex);
  const Entry* e = impl_->find(uid);
  if (!e) return std::nullopt;
  return impl_->record_of(*e);
}

std::size_t Mailbox::count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->entries.size();
}

Expected<int, StoreError> Mailbox::open(std::uint32_t uid) {
  for (int attempt = 0;; ++attempt) {
    std::string path;
    {
      std::lock_guard lock(impl_->mutex);
      if (auto ok = impl_->usable(); !ok) return Unexpected(ok.error());
      const Entry* e = impl_->find(uid);
      if (!e) return Unexpected(error(Kind::NoSuchMessage, "no message with UID " + std::to_string(uid)));
      path = impl_->cur_path(e->file);
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) return fd;
    if (errno != ENOENT) return Unexpected(io_error(errno, "cannot open", path));
    if (attempt > 0)
      return Unexpected(
          error(Kind::NoSuchMessage, "the message with UID " + std::to_string(uid) + " is gone"));
    // Renamed or removed since we looked, by another session's rename racing ours or another program:
    // look at cur/ again whatever its mtime says.
    Expected<bool, StoreError> changed = false;
    {
      std::lock_guard lock(impl_->mutex);
      changed = impl_->sync(true);
    }
    if (!changed) return Unexpected(changed.error());
    if (*changed) impl_->notify();
  }
}

Expected<std::string, StoreError> Mailbox::read(std::uint32_t uid, std::uint64_t max_size) {
  auto fd = open(uid);
  if (!fd) return Unexpected(fd.error());
  struct stat st {};
  if (::fstat(*fd, &st) != 0) {
    const int err = errno;
    ::close(*fd);
    return Unexpected(io_error(err, "cannot stat the message", std::to_string(uid)));
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_size) {
    ::close(*fd);
    return Unexpected(error(Kind::TooBig, "the message with UID " + std::to_string(uid) + " has " +
                                              std::to_string(st.st_size) + " bytes, more than " +
                                              std::to_string(max_size)));
  }
  std::string out(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(*fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(*fd);
      return Unexpected(io_error(err, "cannot read the message", std::to_string(uid)));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(*fd);
  out.resize(got);
  return out;
}

Expected<std::vector<std::uint32_t>, StoreError> Mailbox::store_flags(std::span<const std::uint32_t> uids,
                                                                      FlagOp op, Flags flags) {
  std::vector<std::uint32_t> changed;
  Expected<void, StoreError> result;
  {
    std::lock_guard lock(impl_->mutex);
    Impl& m = *impl_;
    if (auto ok = m.usable(); !ok) return Unexpected(ok.error());
    flags.system &= kAllSystemFlags;
    flags.keywords &= keyword_mask(m.keywords.size());
    bool clean = m.cur_clean();
    std::vector<std::uint32_t> retry;
    auto apply = [&](std::span<const std::uint32_t> list, std::vector<std::uint32_t>* missed) -> bool {
      for (const std::uint32_t uid : list) {
        Entry* e = m.find(uid);
        if (!e) continue;
        Flags next = e->flags;
        if (op == FlagOp::Replace) next = flags;
        if (op == FlagOp::Add)
          next = Flags{static_cast<std::uint8_t>(next.system | flags.system), next.keywords | flags.keywords};
        if (op == FlagOp::Remove)
          next =
              Flags{static_cast<std::uint8_t>(next.system & ~flags.system), next.keywords & ~flags.keywords};
        if (next == e->flags) continue;
        std::string other;
        parse_info(split_file_name(e->file).info, m.keywords.size(), &other);
        std::string file = make_file_name(e->base(), next, other);
        const std::string from = m.cur_path(e->file);
        const std::string to = m.cur_path(file);
        if (::rename(from.c_str(), to.c_str()) != 0) {
          if (errno == ENOENT && missed) {
            missed->push_back(uid);
            continue;
          }
          if (errno == ENOENT) continue;
          result = Unexpected(io_error(errno, "cannot rename", from));
          return false;
        }
        e->file = std::move(file);
        e->flags = next;
        m.journal_add(Change::Kind::FlagsChanged, uid);
        changed.push_back(uid);
      }
      return true;
    };
    if (apply(uids, &retry) && !retry.empty()) {
      // Renamed behind our back (another program): look at cur/ again and try those once more.
      if (auto synced = m.sync(true); !synced) {
        result = Unexpected(synced.error());
      } else {
        clean = false;
        apply(retry, nullptr);
      }
    }
    if (!changed.empty()) {
      if (auto ok = detail::fsync_dir(m.cur); !ok && result) result = ok;
      m.own_change_done(clean);
    }
  }
  if (!changed.empty()) impl_->notify();
  if (!result) return Unexpected(result.error());
  return changed;
}

Expected<std::vector<std::uint32_t>, StoreError> Mailbox::expunge(std::span<const std::uint32_t> uids) {
  std::vector<std::uint32_t> wanted(uids.begin(), uids.end());
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::vector<std::uint32_t> removed;
  Expected<void, StoreError> result;
  {
    std::lock_guard lock(impl_->mutex);
    Impl& m = *impl_;
    if (auto ok = m.usable(); !ok) return Unexpected(ok.error());
    bool clean = m.cur_clean();
    // Unlinks the files of `list` (ascending), then drops their entries in one pass.
    auto apply = [&](const std::vector<std::uint32_t>& list, std::vector<std::uint32_t>* missed) {
      std::vector<std::uint32_t> done;
      for (const std::uint32_t uid : list) {
        const Entry* e = m.find(uid);
        if (!e) continue;
        const std::string path = m.cur_path(e->file);
        if (::unlink(path.c_str()) != 0) {
          if (errno == ENOENT && missed) {
            missed->push_back(uid);  // perhaps renamed by another program rather than removed
            continue;
          }
          if (errno != ENOENT) {
            result = Unexpected(io_error(errno, "cannot remove", path));
            break;
          }
        }
        done.push_back(uid);
      }
      std::erase_if(m.entries,
                    [&](const Entry& e) { return std::binary_search(done.begin(), done.end(), e.uid); });
      for (const std::uint32_t uid : done) m.journal_add(Change::Kind::Expunged, uid);
      removed.insert(removed.end(), done.begin(), done.end());
    };
    std::vector<std::uint32_t> retry;
    apply(wanted, &retry);
    if (result && !retry.empty()) {
      // What sync finds gone it expunges itself (and journals); what it finds renamed is removed now.
      if (auto synced = m.sync(true); !synced) {
        result = Unexpected(synced.error());
      } else {
        clean = false;
        std::vector<std::uint32_t> still;
        for (const std::uint32_t uid : retry) (m.find(uid) ? still : removed).push_back(uid);
        apply(still, nullptr);
      }
    }
    if (!removed.empty()) {
      if (auto ok = detail::fsync_dir(m.cur); !ok && result) result = ok;
      m.own_change_done(clean);
      if (auto ok = m.compact_if_needed(); !ok && result) result = ok;
    }
  }
  if (!removed.empty()) impl_->notify();
  if (!result) return Unexpected(result.error());
  return removed;
}

Expected<std::uint32_t, StoreError> Mailbox::append(std::string_view message, Flags flags,
                                                    std::optional<std::int64_t> internal_date) {
  const auto& store = *impl_->user->store;
  if (message.size() > store.max_message_size)
    return Unexpected(error(Kind::TooBig, "the message has " + std::to_string(message.size()) +
                                              " bytes, more than the limit of " +
                                              std::to_string(store.max_message_size)));
  std::size_t keyword_count = 0;
  {
    std::lock_guard lock(impl_->mutex);
    if (auto ok = impl_->usable(); !ok) return Unexpected(ok.error());
    keyword_count = impl_->keywords.size();  // keywords are only ever added: the mask stays right
  }
  flags.system &= kAllSystemFlags;
  flags.keywords &= keyword_mask(keyword_count);
  const std::uint64_t vsize = crlf_size(message);
  const std::string base = impl_->user->store->unique_base(message.size(), vsize);
  std::string file = make_file_name(base, flags);
  const std::int64_t mtime = internal_date.value_or(detail::now_seconds());

  // The expensive part, outside the lock: write and fsync the file in tmp/ (maildir(5)).
  core::DurableFileOptions options;
  options.mode = 0600;
  options.temp_dir = impl_->tmp;
  options.temp_name = base;
  const std::string target = impl_->cur_path(file);
  auto writer = core::DurableFileWriter::create(target, options);
  auto failed = [](const core::DurableFileError& e) {
    return Unexpected(StoreError{e.code, Kind::Io, e.message});
  };
  if (!writer) return failed(writer.error());
  if (auto ok = writer->write(message); !ok) return failed(ok.error());
  if (auto ok = writer->set_mtime(mtime); !ok) return failed(ok.error());
  if (auto ok = writer->sync(); !ok) return failed(ok.error());

  std::uint32_t uid = 0;
  {
    std::lock_guard lock(impl_->mutex);
    Impl& m = *impl_;
    if (auto ok = m.usable(); !ok) return Unexpected(ok.error());  // the writer removes tmp/ on return
    if (m.uidnext > kMaxUid)
      return Unexpected(error(Kind::Io, "the mailbox " + m.name + " has run out of UIDs"));
    const bool clean = m.cur_clean();
    if (auto ok = writer->publish(core::DurableFileWriter::Publish::keep_existing); !ok)
      return failed(ok.error());
    if (auto ok = detail::fsync_dir(m.cur); !ok) {
      ::unlink(target.c_str());
      return Unexpected(ok.error());
    }
    std::string line;
    append_uid_record(line, m.uidnext, vsize, mtime, base);
    if (auto ok = m.append_records(line, 1); !ok) {
      ::unlink(target.c_str());  // never acknowledged: a rebuild must not find it
      (void)detail::fsync_dir(m.cur);
      return Unexpected(ok.error());
    }
    Entry e;
    e.uid = uid = m.uidnext++;
    e.base_len = static_cast<std::uint32_t>(base.size());
    e.flags = flags;
    e.vsize = vsize;
    e.mtime = mtime;
    e.file = std::move(file);
    m.entries.push_back(std::move(e));  // the largest UID: the order stays
    m.journal_add(Change::Kind::Added, uid);
    m.own_change_done(clean);
  }
  impl_->notify();
  return uid;
}

Expected<std::vector<std::uint32_t>, StoreError> Mailbox::copy_to(Mailbox& dest,
                                                                  std::span<const std::uint32_t> uids) {
  std::vector<std::uint32_t> result(uids.size(), 0);
  std::vector<std::size_t> positions(uids.size());
  for (std::size_t i = 0; i < uids.size(); ++i) positions[i] = i;
  bool dest_changed = false, source_changed = false;
  Expected<void, StoreError> outcome;
  // Never both locks at once (the destination may be this mailbox, and two sessions may copy A→B and B→A):
  // the source's state is read under its lock, the copies are made under the destination's.
  for (int attempt = 0; attempt < 2 && !positions.empty() && outcome; ++attempt) {
    std::vector<Impl::CopyItem> items;
    {
      std::lock_guard lock(impl_->mutex);
      if (auto ok = impl_->usable(); !ok) return Unexpected(ok.error());
      if (attempt > 0) {
        auto synced = impl_->sync(true);
        if (!synced) return Unexpected(synced.error());
        source_changed = source_changed || *synced;
      }
      items = impl_->copy_items(uids, positions);
    }
    std::vector<std::size_t> missing;
    {
      std::lock_guard lock(dest.impl_->mutex);
      outcome = dest.impl_->copy_in(items, result, missing, &dest_changed);
    }
    positions = std::move(missing);
  }
  if (source_changed) impl_->notify();
  if (dest_changed) dest.impl_->notify();
  if (!outcome) return Unexpected(outcome.error());
  return result;
}

std::vector<std::string> Mailbox::keywords() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->keywords;
}

Expected<std::uint32_t, StoreError> Mailbox::keyword_bits(std::span<const std::string> names, bool create) {
  std::lock_guard lock(impl_->mutex);
  if (auto ok = impl_->usable(); !ok) return Unexpected(ok.error());
  return impl_->keyword_bits(names, create);
}

bool Mailbox::try_lock_exclusive() {
  std::lock_guard lock(impl_->mutex);
  Impl& m = *impl_;
  if (m.exclusive || m.gone) return false;
  const int fd = ::open(m.lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return false;
  }
  m.lock_fd = fd;
  m.exclusive = true;
  return true;
}

void Mailbox::unlock_exclusive() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->lock_fd >= 0) ::close(impl_->lock_fd);  // releases the flock
  impl_->lock_fd = -1;
  impl_->exclusive = false;
}

std::uint32_t Mailbox::take_recent(std::uint32_t session_uidnext) {
  std::lock_guard lock(impl_->mutex);
  const std::uint32_t floor = impl_->recent_floor;
  impl_->recent_floor = std::max(floor, session_uidnext);
  return floor;
}

std::uint64_t Mailbox::subscribe(Listener listener) {
  std::lock_guard lock(impl_->listeners_mutex);
  const std::uint64_t id = impl_->next_listener++;
  impl_->listeners.emplace(id, std::make_shared<Listener>(std::move(listener)));
  return id;
}

void Mailbox::unsubscribe(std::uint64_t id) {
  std::lock_guard lock(impl_->listeners_mutex);
  impl_->listeners.erase(id);
}

void Mailbox::mark_gone() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->gone = true;
    if (impl_->index_fd >= 0) ::close(impl_->index_fd);
    impl_->index_fd = -1;
  }
  impl_->notify();  // IDLE sessions wake and find it gone
}

bool Mailbox::gone() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->gone;
}

Expected<void, StoreError> Mailbox::move_all_to(const std::filesystem::path& dest_dir) {
  Expected<void, StoreError> result;
  bool changed = false;
  {
    std::lock_guard lock(impl_->mutex);
    Impl& m = *impl_;
    if (auto ok = m.usable(); !ok) return ok;
    auto synced = m.sync(true);  // new/ into cur/ first, so every message moves with its flags
    if (!synced) return Unexpected(synced.error());
    changed = *synced;
    // The keywords go first: the letters in the moved names mean nothing without them.
    if (!m.keywords.empty()) {
      std::string text;
      for (std::size_t i = 0; i < m.keywords.size(); ++i)
        text += std::to_string(i) + " " + m.keywords[i] + "\n";
      if (auto ok = detail::write_durably((dest_dir / "endhost-keywords").string(), text); !ok) return ok;
    }
    const std::string dest_cur = (dest_dir / "cur").string();
    std::size_t moved = 0;
    for (; moved < m.entries.size(); ++moved) {
      const std::string from = m.cur_path(m.entries[moved].file);
      const std::string to = dest_cur + "/" + m.entries[moved].file;
      if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) != 0 &&
          errno != ENOENT) {
        result = Unexpected(io_error(errno, "cannot move", from));
        break;
      }
    }
    if (moved > 0) {
      if (auto ok = detail::fsync_dir(dest_cur); !ok && result) result = ok;
      if (auto ok = detail::fsync_dir(m.cur); !ok && result) result = ok;
      for (std::size_t i = 0; i < moved; ++i) m.journal_add(Change::Kind::Expunged, m.entries[i].uid);
      m.entries.erase(m.entries.begin(), m.entries.begin() + static_cast<std::ptrdiff_t>(moved));
      changed = true;
      if (auto ok = m.compact_if_needed(); !ok && result) result = ok;
    }
  }
  if (changed) impl_->notify();
  return result;
}

}  // namespace endhost::mail::store
