// Mailbox::Impl's open and refresh: the index matched against one listing of cur/, new/ moved into cur/,
// unknown files given UIDs, renames and deletions by others turned into journal entries (mailbox_impl.hpp).
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <unordered_map>
#include <unordered_set>

#include "mail/maildir/maildir.hpp"
#include "mail/store/context.hpp"
#include "mail/store/mailbox_impl.hpp"

namespace endhost::mail::store {

using namespace detail;  // the helpers of mailbox_impl.hpp and disk.hpp
using Kind = StoreError::Kind;

Expected<std::vector<std::string>, StoreError> Mailbox::Impl::move_new() {
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

Expected<bool, StoreError> Mailbox::Impl::take_in(std::vector<std::string> names) {
  struct Pending {
    std::string file;
    detail::Measured m;
    std::uint32_t base_len = 0;
    DeliveryKey key;
    std::string_view base() const { return std::string_view(file).substr(0, base_len); }
  };
  std::vector<Pending> found;
  found.reserve(names.size());
  for (auto& file : names) {
    const FileName f = split_file_name(file);
    const auto w = name_field(f.base, 'W');
    auto m = detail::measure(cur_path(file), !w.has_value());
    if (!m) continue;  // gone meanwhile, or unreadable: not a message this store can serve
    if (w) m->vsize = *w;
    const auto base_len = static_cast<std::uint32_t>(f.base.size());
    const DeliveryKey key = delivery_key(f.base);
    found.push_back(Pending{std::move(file), *m, base_len, key});
  }
  if (found.empty()) return false;
  std::sort(found.begin(), found.end(), [](const Pending& a, const Pending& b) {
    return delivered_before(a.key, a.base(), b.key, b.base());
  });
  if (found.size() > static_cast<std::size_t>(kMaxUid) + 1 - uidnext)
    return Unexpected(error(Kind::Io, "the mailbox " + name + " has run out of UIDs"));
  std::string lines;
  std::uint32_t uid = uidnext;
  for (const Pending& p : found) append_uid_record(lines, uid++, p.m.vsize, p.m.mtime, p.base());
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

std::vector<std::string> Mailbox::Impl::match_cur(std::vector<detail::DirEntry>& listing, bool* changed) {
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

Expected<bool, StoreError> Mailbox::Impl::sync(bool force) {
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

Expected<Mailbox::OpenReport, StoreError> Mailbox::Impl::load() {
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
    index_header_bytes = list.header_bytes;
    recent_floor = uidnext;  // what is new to this process (taken in below) is \Recent
    loaded = true;
    if (list.version < 2) {
      // An index from before the record count: rewritten with one before anything is appended.
      if (auto ok = write_index(); !ok) return Unexpected(ok.error());
    } else {
      if (auto ok = open_index_fd(); !ok) return Unexpected(ok.error());
      if (list.torn && ::ftruncate(index_fd, static_cast<off_t>(list.good_bytes)) != 0)
        return Unexpected(io_error(errno, "cannot cut the torn record off", index_path));
    }
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
    report.why =
        "the index " + index_path + " was " +
        (missing ? std::string("missing")
                 : "corrupt (line " + std::to_string(parsed.error().line) + ": " + parsed.error().why + ")") +
        ": rebuilt with UIDVALIDITY " + std::to_string(uidvalidity) + " for " +
        std::to_string(entries.size()) + " messages";
  }
  return report;
}

}  // namespace endhost::mail::store
