#include "imap/session/view.hpp"

#include <algorithm>
#include <unordered_map>

namespace endhost::imap {

View::View(std::shared_ptr<Folder> folder, bool read_only)
    : folder_(std::move(folder)), read_only_(read_only) {}

void View::load() {
  FolderSnapshot s = folder_->snapshot();
  uidvalidity_ = s.uidvalidity;
  uidnext_ = s.uidnext;
  version_ = s.version;
  // EXAMINE reports \Recent as SELECT would, without taking it from the next session (RFC 3501 §6.3.2).
  recent_floor_ = read_only_ ? folder_->recent_floor() : folder_->take_recent(uidnext_);
  entries_.clear();
  entries_.reserve(s.messages.size());
  for (const MessageRecord& r : s.messages) add(r);
  keywords_ = folder_->keywords();
}

void View::add(const MessageRecord& r) {
  Entry e;
  e.uid = r.uid;
  e.size = r.size;
  e.internal_date = r.internal_date;
  e.flags = r.flags;
  e.recent = r.uid >= recent_floor_;
  entries_.push_back(e);
}

std::uint32_t View::recent_count() const {
  std::uint32_t n = 0;
  for (const Entry& e : entries_) n += e.recent ? 1 : 0;
  return n;
}

std::uint32_t View::first_unseen() const {
  for (std::size_t i = 0; i < entries_.size(); ++i)
    if (!(entries_[i].flags.system & mail::store::kSeen)) return static_cast<std::uint32_t>(i + 1);
  return 0;
}

std::optional<std::uint32_t> View::seq_of(std::uint32_t uid) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), uid,
                             [](const Entry& e, std::uint32_t u) { return e.uid < u; });
  if (it == entries_.end() || it->uid != uid) return std::nullopt;
  return static_cast<std::uint32_t>(it - entries_.begin() + 1);
}

std::vector<std::uint32_t> View::select(const SequenceSet& set, bool uid) const {
  std::vector<std::uint32_t> seqs;
  if (!uid) {
    for (const SeqRange& r : resolve(set, exists()))
      for (std::uint32_t n = r.first; n <= r.last; ++n) seqs.push_back(n);
    return seqs;
  }
  // RFC 3501 §6.4.8: a UID range names the messages whose UIDs are in it; `*` is the highest UID in use.
  const std::vector<SeqRange> ranges = resolve(set, max_uid());
  for (const SeqRange& r : ranges) {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), r.first,
                               [](const Entry& e, std::uint32_t u) { return e.uid < u; });
    for (; it != entries_.end() && it->uid <= r.last; ++it)
      seqs.push_back(static_cast<std::uint32_t>(it - entries_.begin() + 1));
  }
  return seqs;
}

std::string View::flag_list(const Flags& f, bool recent) const {
  std::string s = "(";
  auto add_name = [&s](std::string_view n) {
    if (s.size() > 1) s += ' ';
    s += n;
  };
  // RFC 3501 §2.3.2's order is free; this is Dovecot's.
  if (f.system & mail::store::kAnswered) add_name("\\Answered");
  if (f.system & mail::store::kFlagged) add_name("\\Flagged");
  if (f.system & mail::store::kDeleted) add_name("\\Deleted");
  if (f.system & mail::store::kSeen) add_name("\\Seen");
  if (f.system & mail::store::kDraft) add_name("\\Draft");
  if (recent) add_name("\\Recent");
  for (std::size_t i = 0; i < keywords_.size() && i < 32; ++i)
    if (f.keywords & (1u << i)) add_name(keywords_[i]);
  s += ')';
  return s;
}

std::string View::flags_list() const {
  std::string s = "(\\Answered \\Flagged \\Deleted \\Seen \\Draft";
  for (const std::string& k : keywords_) s += ' ' + k;
  s += ')';
  return s;
}

std::string View::permanent_flags_list() const {
  if (read_only_) return "()";
  std::string s = "(\\Answered \\Flagged \\Deleted \\Seen \\Draft";
  for (const std::string& k : keywords_) s += ' ' + k;
  // \* : new keywords may be made, while the folder has room for them (26, mail-store.md).
  if (keywords_.size() < mail::store::kMaxKeywords) s += " \\*";
  s += ')';
  return s;
}

void View::reload_keywords(std::string& out, bool announce) {
  std::vector<std::string> now = folder_->keywords();
  if (now == keywords_) return;
  keywords_ = std::move(now);
  if (!announce) return;
  // RFC 3501 §7.2.6: the new list of defined flags.
  out += "* FLAGS " + flags_list() + "\r\n";
  out += "* OK [PERMANENTFLAGS " + permanent_flags_list() + "] Flags permitted.\r\n";
}

void View::announce_counts(std::string& out, std::uint32_t old_exists, std::uint32_t old_recent) {
  if (exists() != old_exists) out += "* " + std::to_string(exists()) + " EXISTS\r\n";
  const std::uint32_t recent = recent_count();
  if (recent != old_recent || exists() != old_exists) out += "* " + std::to_string(recent) + " RECENT\r\n";
}

void View::own_flags(std::uint32_t uid, const Flags& flags) {
  if (auto seq = seq_of(uid)) at(*seq).flags = flags;
}

void View::own_expunge(std::span<const std::uint32_t> uids, std::string& out) {
  std::vector<std::uint32_t> sorted(uids.begin(), uids.end());
  std::sort(sorted.begin(), sorted.end());
  // Highest first, so the numbers announced stay valid for the ones still to come (Dovecot's order).
  for (auto it = sorted.rbegin(); it != sorted.rend(); ++it) {
    const auto seq = seq_of(*it);
    if (!seq) continue;
    out += "* " + std::to_string(*seq) + " EXPUNGE\r\n";
    entries_.erase(entries_.begin() + (*seq - 1));
  }
}

Expected<void, StoreError> View::sync(std::string& out, bool allow_expunge) {
  auto refreshed = folder_->refresh();
  if (!refreshed) return Unexpected(refreshed.error());
  const std::uint32_t old_exists = exists();
  const std::uint32_t old_recent = recent_count();
  std::uint64_t now = version_;
  auto changes = folder_->changes_since(version_, &now);
  if (!changes) {
    full_resync(out, allow_expunge);
    announce_counts(out, old_exists, old_recent);
    return {};
  }
  version_ = now;
  std::vector<std::uint32_t> flagged;
  std::vector<std::uint32_t> added;
  for (const Change& c : *changes) {
    switch (c.kind) {
      case Change::Kind::Added:
        if (c.uid > max_uid()) added.push_back(c.uid);
        break;
      case Change::Kind::Expunged:
        if (auto seq = seq_of(c.uid)) at(*seq).expunged = true;
        break;
      case Change::Kind::FlagsChanged:
        flagged.push_back(c.uid);
        break;
    }
  }
  reload_keywords(out, true);
  if (allow_expunge) {
    std::vector<std::uint32_t> gone;
    for (const Entry& e : entries_)
      if (e.expunged) gone.push_back(e.uid);
    own_expunge(gone, out);
  }
  std::sort(flagged.begin(), flagged.end());
  flagged.erase(std::unique(flagged.begin(), flagged.end()), flagged.end());
  for (std::uint32_t uid : flagged) {
    const auto seq = seq_of(uid);
    if (!seq || at(*seq).expunged) continue;
    const auto rec = folder_->find(uid);
    if (!rec || rec->flags == at(*seq).flags) continue;
    at(*seq).flags = rec->flags;
    out += "* " + std::to_string(*seq) + " FETCH (FLAGS " + flag_list(rec->flags, at(*seq).recent) + ")\r\n";
  }
  if (!added.empty()) {
    std::sort(added.begin(), added.end());
    added.erase(std::unique(added.begin(), added.end()), added.end());
    const FolderSnapshot s = folder_->snapshot();
    uidnext_ = s.uidnext;
    // take_recent() gives the floor for this batch: below it another session saw them first.
    recent_floor_ = read_only_ ? folder_->recent_floor() : folder_->take_recent(uidnext_);
    auto it = s.messages.begin();
    for (std::uint32_t uid : added) {
      it = std::lower_bound(it, s.messages.end(), uid,
                            [](const MessageRecord& r, std::uint32_t u) { return r.uid < u; });
      if (it == s.messages.end() || it->uid != uid) continue;  // expunged again already
      add(*it);
    }
  }
  announce_counts(out, old_exists, old_recent);
  return {};
}

void View::full_resync(std::string& out, bool allow_expunge) {
  const FolderSnapshot s = folder_->snapshot();
  version_ = s.version;
  reload_keywords(out, true);
  std::unordered_map<std::uint32_t, const MessageRecord*> by_uid;
  by_uid.reserve(s.messages.size());
  for (const MessageRecord& r : s.messages) by_uid.emplace(r.uid, &r);
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    Entry& e = entries_[i];
    auto it = by_uid.find(e.uid);
    if (it == by_uid.end()) {
      e.expunged = true;
      continue;
    }
    if (it->second->flags != e.flags && !e.expunged) {
      e.flags = it->second->flags;
      out += "* " + std::to_string(i + 1) + " FETCH (FLAGS " + flag_list(e.flags, e.recent) + ")\r\n";
    }
  }
  if (allow_expunge) {
    std::vector<std::uint32_t> gone;
    for (const Entry& e : entries_)
      if (e.expunged) gone.push_back(e.uid);
    own_expunge(gone, out);
  }
  const std::uint32_t top = max_uid();
  uidnext_ = s.uidnext;
  recent_floor_ = read_only_ ? folder_->recent_floor() : folder_->take_recent(uidnext_);
  for (const MessageRecord& r : s.messages)
    if (r.uid > top) add(r);
}

}  // namespace endhost::imap
