// An in-memory mail store behind the IMAP session's interfaces (imap/session/mail_access.hpp), with the
// journal semantics of mail::store::Mailbox: every change bumps the version, changes_since() replays them,
// and one FakeFolder is shared by every session that opens it (two sessions see each other's changes).
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "imap/session/mail_access.hpp"

namespace endhost::imap::testing {

struct FakeMessage {
  MessageRecord record;
  std::string text;
};

class FakeFolder final : public Folder {
 public:
  explicit FakeFolder(std::string name, std::uint32_t uidvalidity = 1000) : name_(std::move(name)) {
    uidvalidity_ = uidvalidity;
  }
  const std::string& name() const override { return name_; }
  Expected<bool, StoreError> refresh() override {
    if (gone) return Unexpected(StoreError{0, StoreError::Kind::NoSuchMailbox, "gone"});
    return false;
  }
  FolderSnapshot snapshot() override {
    FolderSnapshot s{uidvalidity_, uidnext_, version_, {}};
    for (const auto& m : messages_) s.messages.push_back(m.record);
    return s;
  }
  FolderStatus status() override {
    FolderStatus s;
    s.messages = static_cast<std::uint32_t>(messages_.size());
    s.uidnext = uidnext_;
    s.uidvalidity = uidvalidity_;
    for (const auto& m : messages_) {
      if (!(m.record.flags.system & mail::store::kSeen)) ++s.unseen;
      if (m.record.uid >= recent_floor_) ++s.recent;
      if (m.record.flags.system & mail::store::kDeleted) ++s.deleted;
      s.size += m.record.size;
    }
    return s;
  }
  std::optional<std::vector<Change>> changes_since(std::uint64_t version, std::uint64_t* now) override {
    *now = version_;
    if (version < journal_start_) return std::nullopt;
    std::vector<Change> out;
    for (const auto& [v, c] : journal_)
      if (v > version) out.push_back(c);
    return out;
  }
  std::optional<MessageRecord> find(std::uint32_t uid) override {
    const FakeMessage* m = get(uid);
    if (!m) return std::nullopt;
    return m->record;
  }
  Expected<std::string, StoreError> read(std::uint32_t uid) override {
    const FakeMessage* m = get(uid);
    if (!m) return Unexpected(StoreError{0, StoreError::Kind::NoSuchMessage, "no such message"});
    return m->text;
  }
  Expected<std::vector<std::uint32_t>, StoreError> store_flags(std::span<const std::uint32_t> uids, FlagOp op,
                                                               Flags flags) override {
    std::vector<std::uint32_t> changed;
    for (std::uint32_t uid : uids) {
      FakeMessage* m = get(uid);
      if (!m) continue;
      Flags f = m->record.flags;
      if (op == FlagOp::Replace) f = flags;
      if (op == FlagOp::Add) {
        f.system |= flags.system;
        f.keywords |= flags.keywords;
      }
      if (op == FlagOp::Remove) {
        f.system &= static_cast<std::uint8_t>(~flags.system);
        f.keywords &= ~flags.keywords;
      }
      if (f == m->record.flags) continue;
      m->record.flags = f;
      changed.push_back(uid);
      log({Change::Kind::FlagsChanged, uid});
    }
    return changed;
  }
  Expected<std::vector<std::uint32_t>, StoreError> expunge(std::span<const std::uint32_t> uids) override {
    std::vector<std::uint32_t> removed;
    for (std::uint32_t uid : uids) {
      auto it = std::find_if(messages_.begin(), messages_.end(),
                             [uid](const FakeMessage& m) { return m.record.uid == uid; });
      if (it == messages_.end()) continue;
      messages_.erase(it);
      removed.push_back(uid);
      log({Change::Kind::Expunged, uid});
    }
    return removed;
  }
  Expected<std::uint32_t, StoreError> append(std::string_view message, Flags flags,
                                             std::optional<std::int64_t> internal_date) override {
    FakeMessage m;
    m.record.uid = uidnext_++;
    m.record.base = "m" + std::to_string(m.record.uid);
    m.record.size = message.size();
    m.record.internal_date = internal_date.value_or(1'700'000'000);
    m.record.flags = flags;
    m.text = std::string(message);
    messages_.push_back(m);
    log({Change::Kind::Added, m.record.uid});
    return m.record.uid;
  }
  Expected<std::vector<std::uint32_t>, StoreError> copy_to(Folder& dest,
                                                           std::span<const std::uint32_t> uids) override {
    std::vector<std::uint32_t> out;
    for (std::uint32_t uid : uids) {
      const FakeMessage* m = get(uid);
      if (!m) {
        out.push_back(0);
        continue;
      }
      const FakeMessage copy = *m;
      auto u = dest.append(copy.text, copy.record.flags, copy.record.internal_date);
      out.push_back(u ? *u : 0);
    }
    return out;
  }
  std::vector<std::string> keywords() override { return keywords_; }
  Expected<std::uint32_t, StoreError> keyword_bits(std::span<const std::string> names, bool create) override {
    std::uint32_t bits = 0;
    for (const std::string& n : names) {
      auto it = std::find(keywords_.begin(), keywords_.end(), n);
      if (it == keywords_.end()) {
        if (!create) continue;
        if (keywords_.size() >= 26)
          return Unexpected(StoreError{0, StoreError::Kind::TooManyKeywords, "too many"});
        keywords_.push_back(n);
        it = keywords_.end() - 1;
      }
      bits |= 1u << (it - keywords_.begin());
    }
    return bits;
  }
  std::uint32_t recent_floor() override { return recent_floor_; }
  std::uint32_t take_recent(std::uint32_t session_uidnext) override {
    const std::uint32_t floor = recent_floor_;
    recent_floor_ = std::max(recent_floor_, session_uidnext);
    return floor;
  }

  // RENAME (as the store's directory rename): the folder under its new name with its UIDs and UIDVALIDITY;
  // this one is gone, so a session that has it selected learns it at its next refresh().
  std::shared_ptr<FakeFolder> renamed(std::string to) {
    auto copy = std::make_shared<FakeFolder>(*this);
    copy->name_ = std::move(to);
    gone = true;
    return copy;
  }
  // RENAME INBOX (RFC 3501 §6.3.5): every message moves to `dest`, INBOX stays, empty.
  void move_all_to(FakeFolder& dest) {
    std::vector<std::uint32_t> uids;
    for (const FakeMessage& m : messages_) {
      (void)dest.append(m.text, m.record.flags, m.record.internal_date);
      uids.push_back(m.record.uid);
    }
    (void)expunge(uids);
  }

  // For tests: trim the journal so that changes_since() must fall back to a snapshot.
  void forget_journal() {
    journal_.clear();
    journal_start_ = version_ + 1;
  }
  bool gone = false;

 private:
  FakeMessage* get(std::uint32_t uid) {
    for (auto& m : messages_)
      if (m.record.uid == uid) return &m;
    return nullptr;
  }
  void log(Change c) { journal_.emplace_back(++version_, c); }

  std::string name_;
  std::uint32_t uidvalidity_ = 1000;
  std::uint32_t uidnext_ = 1;
  std::uint64_t version_ = 0;
  std::uint64_t journal_start_ = 0;
  std::uint32_t recent_floor_ = 1;
  std::vector<FakeMessage> messages_;
  std::vector<std::pair<std::uint64_t, Change>> journal_;
  std::vector<std::string> keywords_;
};

class FakeAccount final : public Account {
 public:
  FakeAccount(std::string user, std::map<std::string, std::shared_ptr<FakeFolder>>& folders,
              std::vector<std::string>& subscriptions)
      : user_(std::move(user)), folders_(folders), subs_(subscriptions) {}
  const std::string& user() const override { return user_; }
  Expected<std::shared_ptr<Folder>, StoreError> open(std::string_view name) override {
    auto it = folders_.find(std::string(name));
    if (it == folders_.end()) return Unexpected(StoreError{0, StoreError::Kind::NoSuchMailbox, "no"});
    return std::shared_ptr<Folder>(it->second);
  }
  Expected<std::vector<FolderEntry>, StoreError> list() override {
    // As mail::store::UserStore::list(): every level above a folder is listed, not selectable when it is
    // no folder of its own ("Lists" for "Lists.imap").
    std::map<std::string, bool> names;  // name -> selectable
    for (const auto& [name, f] : folders_) {
      names[name] = true;
      for (auto dot = name.find('.'); dot != std::string::npos; dot = name.find('.', dot + 1))
        names.emplace(name.substr(0, dot), false);
    }
    std::vector<FolderEntry> out;
    for (const auto& [name, selectable] : names) {
      FolderEntry e{name, name == "Sent" ? "\\Sent" : "", false, selectable};
      for (const auto& [other, s] : names)
        if (other.rfind(name + ".", 0) == 0) e.has_children = true;
      out.push_back(e);
    }
    std::stable_partition(out.begin(), out.end(), [](const FolderEntry& e) { return e.name == "INBOX"; });
    return out;
  }
  Expected<void, StoreError> create(std::string_view name) override {
    if (folders_.count(std::string(name)))
      return Unexpected(StoreError{0, StoreError::Kind::Exists, "exists"});
    folders_[std::string(name)] = std::make_shared<FakeFolder>(std::string(name), 2000);
    return {};
  }
  Expected<void, StoreError> remove(std::string_view name) override {
    auto it = folders_.find(std::string(name));
    if (it == folders_.end()) return Unexpected(StoreError{0, StoreError::Kind::NoSuchMailbox, "no"});
    it->second->gone = true;
    folders_.erase(it);
    return {};
  }
  // As mail::store::UserStore::rename(): INBOX's messages move and INBOX stays; any other folder moves
  // with its children ("a" to "b" takes "a.x" to "b.x"), all checked before anything moves.
  Expected<void, StoreError> rename(std::string_view from_view, std::string_view to_view) override {
    const std::string from(from_view), to(to_view);
    if (to == "INBOX" || to == from || folders_.count(to))
      return Unexpected(StoreError{0, StoreError::Kind::Exists, "exists"});
    if (to.rfind(from + ".", 0) == 0)
      return Unexpected(StoreError{0, StoreError::Kind::Invalid, "below itself"});
    if (from == "INBOX") {
      auto dest = std::make_shared<FakeFolder>(to, 3000);
      folders_.at("INBOX")->move_all_to(*dest);
      folders_[to] = dest;
      return {};
    }
    std::vector<std::pair<std::string, std::string>> moves;
    for (const auto& [name, f] : folders_) {
      if (name == from) moves.emplace_back(name, to);
      if (name.rfind(from + ".", 0) == 0) moves.emplace_back(name, to + name.substr(from.size()));
    }
    if (moves.empty()) return Unexpected(StoreError{0, StoreError::Kind::NoSuchMailbox, "no"});
    for (const auto& [old_name, new_name] : moves)
      if (folders_.count(new_name)) return Unexpected(StoreError{0, StoreError::Kind::Exists, "exists"});
    for (const auto& [old_name, new_name] : moves) {
      folders_[new_name] = folders_.at(old_name)->renamed(new_name);
      folders_.erase(old_name);
    }
    return {};
  }
  Expected<void, StoreError> subscribe(std::string_view name, bool on) override {
    auto it = std::find(subs_.begin(), subs_.end(), name);
    if (on && it == subs_.end()) subs_.emplace_back(name);
    if (!on && it != subs_.end()) subs_.erase(it);
    return {};
  }
  std::vector<std::string> subscriptions() override { return subs_; }

 private:
  std::string user_;
  std::map<std::string, std::shared_ptr<FakeFolder>>& folders_;
  std::vector<std::string>& subs_;
};

// One user "bob" with password "secret"; INBOX, Sent and Trash exist.
class FakeDirectory final : public Directory {
 public:
  FakeDirectory() {
    for (const char* n : {"INBOX", "Sent", "Trash"}) folders[n] = std::make_shared<FakeFolder>(n);
  }
  std::unique_ptr<Account> login(std::string_view user, std::string_view password) override {
    ++attempts;
    if (user != "bob" || password != "secret") return nullptr;
    return std::make_unique<FakeAccount>("bob", folders, subscriptions);
  }
  FakeFolder& inbox() { return *folders.at("INBOX"); }

  std::map<std::string, std::shared_ptr<FakeFolder>> folders;
  std::vector<std::string> subscriptions;
  int attempts = 0;
};

// Three messages as a real INBOX holds them (CRLF): uid 1 a short text/plain one, unread; uid 2 a
// multipart/mixed with a base64 attachment, \Seen; uid 3 a reply to the first, \Flagged. The transcripts
// and the fuzz target start from it.
inline const std::vector<FakeMessage>& sample_messages() {
  static const std::vector<FakeMessage> messages = [] {
    auto message = [](std::uint8_t flags, std::int64_t date, std::string text) {
      FakeMessage m;
      m.record.flags.system = flags;
      m.record.internal_date = date;
      m.text = std::move(text);
      return m;
    };
    return std::vector<FakeMessage>{
        message(0, 1'796'230'800,  // 02-Dec-2026 17:00:00 +0000
                "From: Alice <alice@crepes.fr>\r\n"
                "To: Bob <bob@hamburger.edu>\r\n"
                "Subject: Lunch\r\n"
                "Date: Wed, 02 Dec 2026 16:59:35 +0000\r\n"
                "Message-ID: <lunch@crepes.fr>\r\n"
                "\r\n"
                "Shall we meet at noon?\r\n"),
        message(mail::store::kSeen, 1'796'285'100,  // 03-Dec-2026 08:05:00 +0000
                "From: Carol <carol@hamburger.edu>\r\n"
                "To: bob@hamburger.edu\r\n"
                "Cc: alice@crepes.fr\r\n"
                "Subject: Quarterly report\r\n"
                "Date: Thu, 03 Dec 2026 09:00:00 +0100\r\n"
                "Message-ID: <report@hamburger.edu>\r\n"
                "MIME-Version: 1.0\r\n"
                "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
                "\r\n"
                "--b1\r\n"
                "Content-Type: text/plain; charset=utf-8\r\n"
                "\r\n"
                "The figures are attached.\r\n"
                "--b1\r\n"
                "Content-Type: application/pdf; name=\"q4.pdf\"\r\n"
                "Content-Disposition: attachment; filename=\"q4.pdf\"\r\n"
                "Content-Transfer-Encoding: base64\r\n"
                "\r\n"
                "JVBERi0xLjQK\r\n"
                "--b1--\r\n"),
        message(mail::store::kFlagged, 1'796'387'460,  // 04-Dec-2026 12:31:00 +0000
                "From: Alice <alice@crepes.fr>\r\n"
                "To: Bob <bob@hamburger.edu>\r\n"
                "Subject: Re: Lunch\r\n"
                "Date: Fri, 04 Dec 2026 12:30:00 +0000\r\n"
                "Message-ID: <re-lunch@crepes.fr>\r\n"
                "In-Reply-To: <lunch@crepes.fr>\r\n"
                "\r\n"
                "Noon it is. The crepes are on me.\r\n"),
    };
  }();
  return messages;
}

inline void add_sample_messages(FakeFolder& folder) {
  for (const FakeMessage& m : sample_messages())
    (void)folder.append(m.text, m.record.flags, m.record.internal_date);
}

}  // namespace endhost::imap::testing
