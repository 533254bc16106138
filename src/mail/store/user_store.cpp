#include "mail/store/user_store.hpp"

#include <stdio.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <mutex>
#include <set>

#include "mail/maildir/maildir.hpp"
#include "mail/store/context.hpp"
#include "mail/store/disk.hpp"
#include "mail/store/folder_name.hpp"
#include "mail/store/uid_list.hpp"

namespace endhost::mail::store {

namespace {

using detail::io_error;
using Kind = StoreError::Kind;

// A folder being deleted is first renamed to this prefix (an invalid folder name, so never listed), so a
// crash in the middle of removing its files leaves no half-folder; prepare() finishes the job.
constexpr std::string_view kDeletedPrefix = "..endhost-deleted.";
constexpr std::uint64_t kMaxSubscriptionsBytes = 1024 * 1024;

StoreError error(Kind kind, std::string message) {
  return StoreError{0, kind, std::move(message)};
}

}  // namespace

struct UserStore::Impl {
  Impl(std::string user_in, std::filesystem::path root_in, std::shared_ptr<detail::StoreContext> store_in)
      : user(std::move(user_in)),
        root(std::move(root_in)),
        store(store_in),
        context(std::make_shared<detail::UserContext>(root, std::move(store_in))) {}

  const std::string user;
  const std::filesystem::path root;
  const std::shared_ptr<detail::StoreContext> store;
  const std::shared_ptr<detail::UserContext> context;

  // Guards the registry and serialises CREATE, DELETE, RENAME and SUBSCRIBE. Taken before a mailbox's
  // mutex (RENAME INBOX), never after.
  mutable std::mutex mutex;
  std::map<std::string, std::weak_ptr<Mailbox>, std::less<>> open;
  std::size_t sweep_at = 16;

  std::string dir_of(std::string_view canonical) const {
    if (is_inbox(canonical)) return root.string();
    return (root / folder_directory(canonical)).string();
  }

  std::shared_ptr<Mailbox> live(std::string_view canonical) const {
    const auto it = open.find(canonical);
    if (it == open.end()) return nullptr;
    auto mb = it->second.lock();
    return mb && !mb->gone() ? mb : nullptr;
  }

  Expected<std::shared_ptr<Mailbox>, StoreError> open_mailbox(const std::string& canonical,
                                                              Mailbox::OpenReport* report,
                                                              std::shared_ptr<const void> owner) {
    if (auto mb = live(canonical)) return mb;
    const std::string dir = dir_of(canonical);
    if (!is_inbox(canonical) && !detail::is_directory(dir))
      return Unexpected(error(Kind::NoSuchMailbox, "no mailbox " + canonical));
    auto mb = std::make_shared<Mailbox>(Mailbox::Private{}, canonical, dir, context, std::move(owner));
    auto loaded = mb->load();
    if (!loaded) return Unexpected(loaded.error());
    if (report) *report = std::move(*loaded);
    open[canonical] = mb;
    if (open.size() >= sweep_at) {
      std::erase_if(open, [](const auto& kv) { return kv.second.expired(); });
      sweep_at = std::max<std::size_t>(16, 2 * open.size());
    }
    return mb;
  }

  void forget(const std::string& canonical) {
    const auto it = open.find(canonical);
    if (it == open.end()) return;
    if (auto mb = it->second.lock()) mb->mark_gone();
    open.erase(it);
  }

  Expected<void, StoreError> create_folder(const std::string& canonical) {
    if (is_inbox(canonical)) return Unexpected(error(Kind::Exists, "INBOX exists"));
    const std::string dir = dir_of(canonical);
    if (::mkdir(dir.c_str(), 0700) != 0) {
      if (errno == EEXIST) return Unexpected(error(Kind::Exists, "the mailbox " + canonical + " exists"));
      return Unexpected(io_error(errno, "cannot make the mailbox", dir));
    }
    if (auto ok = maildir::ensure(dir); !ok) return Unexpected(error(Kind::Io, ok.error()));
    // The index now, so the UIDVALIDITY is fixed from CREATE on and differs from any earlier folder's of
    // the same name (RFC 3501 §2.3.1.1).
    auto uv = context->new_uidvalidity(0);
    if (!uv) return Unexpected(uv.error());
    if (auto ok = detail::write_durably(dir + "/endhost-uidlist", format_uid_list_header(*uv, 1, 0)); !ok)
      return ok;
    return detail::fsync_dir(root.string());
  }

  // The folder names below the root (canonical, valid), without INBOX.
  Expected<std::set<std::string>, StoreError> folder_names() const {
    auto listing = detail::list_dir(root.string(), true);
    if (!listing) return Unexpected(listing.error());
    std::set<std::string> names;
    for (const auto& e : *listing) {
      if (!e.directory || e.name.size() < 2 || e.name[0] != '.' || e.name[1] == '.') continue;
      const std::string_view n = std::string_view(e.name).substr(1);
      auto c = canonical_folder_name(n);
      if (c && *c == n && !is_inbox(*c)) names.insert(*c);  // ".inbox.x" beside ".INBOX.x" is not ours
    }
    return names;
  }

  std::vector<std::string> read_subscriptions() const {
    std::vector<std::string> out;
    auto text = detail::read_file((root / "subscriptions").string(), kMaxSubscriptionsBytes);
    if (!text) return out;
    std::string_view rest = *text;
    while (!rest.empty()) {
      const auto nl = rest.find('\n');
      const std::string_view line = rest.substr(0, nl);
      if (!line.empty() && std::find(out.begin(), out.end(), line) == out.end()) out.emplace_back(line);
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
    return out;
  }
};

UserStore::UserStore(Private, std::string user, std::filesystem::path root,
                     std::shared_ptr<detail::StoreContext> store)
    : impl_(std::make_unique<Impl>(std::move(user), std::move(root), std::move(store))) {}

UserStore::~UserStore() = default;

const std::string& UserStore::user() const {
  return impl_->user;
}
const std::filesystem::path& UserStore::root() const {
  return impl_->root;
}

Expected<void, StoreError> UserStore::prepare() {
  std::lock_guard lock(impl_->mutex);
  if (auto ok = maildir::ensure(impl_->root); !ok) return Unexpected(error(Kind::Io, ok.error()));
  auto listing = detail::list_dir(impl_->root.string());
  if (!listing) return Unexpected(listing.error());
  for (const auto& e : *listing) {
    if (e.name.compare(0, kDeletedPrefix.size(), kDeletedPrefix) != 0) continue;
    std::error_code ec;
    std::filesystem::remove_all(impl_->root / e.name, ec);
  }
  for (const auto& [name, use] : kSpecialUse) {
    if (detail::is_directory(impl_->dir_of(name))) continue;
    if (auto ok = impl_->create_folder(std::string(name)); !ok && ok.error().kind != Kind::Exists) return ok;
  }
  return {};
}

Expected<std::shared_ptr<Mailbox>, StoreError> UserStore::open(std::string_view name,
                                                               Mailbox::OpenReport* report) {
  auto c = canonical_folder_name(name);
  if (!c) return Unexpected(c.error());
  std::unique_lock lock(impl_->mutex);
  auto mb = impl_->open_mailbox(*c, report, shared_from_this());
  lock.unlock();  // keep() may release another mailbox, whose destructor must not meet this lock held
  if (mb) impl_->context->store->keep(*mb);
  return mb;
}

std::shared_ptr<Mailbox> UserStore::find_open(std::string_view name) const {
  auto c = canonical_folder_name(name);
  if (!c) return nullptr;
  std::lock_guard lock(impl_->mutex);
  return impl_->live(*c);
}

bool UserStore::exists(std::string_view name) const {
  auto c = canonical_folder_name(name);
  if (!c) return false;
  return is_inbox(*c) || detail::is_directory(impl_->dir_of(*c));
}

Expected<std::vector<FolderInfo>, StoreError> UserStore::list() const {
  std::set<std::string> names;
  {
    std::lock_guard lock(impl_->mutex);
    auto found = impl_->folder_names();
    if (!found) return Unexpected(found.error());
    names = std::move(*found);
  }
  // Every level above a folder is listed too: "a" for "a.b" (RFC 3501 §6.3.8: the hierarchy must be
  // discoverable), not selectable when it is no folder of its own.
  std::set<std::string> levels;
  for (const std::string& n : names)
    for (auto dot = n.find(kHierarchyDelimiter); dot != std::string::npos;
         dot = n.find(kHierarchyDelimiter, dot + 1))
      if (!names.count(n.substr(0, dot))) levels.insert(n.substr(0, dot));
  std::set<std::string> all = names;
  all.insert(levels.begin(), levels.end());
  all.insert(std::string(kInbox));
  auto has_children = [&](const std::string& n) {
    const std::string prefix = n + kHierarchyDelimiter;
    const auto it = all.lower_bound(prefix);
    return it != all.end() && it->compare(0, prefix.size(), prefix) == 0;
  };
  std::vector<FolderInfo> out;
  out.reserve(all.size());
  out.push_back(FolderInfo{std::string(kInbox), "", has_children(std::string(kInbox)), true});
  for (const std::string& n : all) {
    if (is_inbox(n)) continue;
    FolderInfo info{n, "", has_children(n), !levels.count(n)};
    if (info.selectable)
      for (const auto& [special, use] : kSpecialUse)
        if (n == special) info.special_use = use;
    out.push_back(std::move(info));
  }
  return out;
}

Expected<void, StoreError> UserStore::create(std::string_view name) {
  // "a." asks for a hierarchy level (RFC 3501 §6.3.3); Maildir++ keeps none, so there is nothing to make.
  const bool level_only = !name.empty() && name.back() == kHierarchyDelimiter;
  auto c = canonical_folder_name(level_only ? name.substr(0, name.size() - 1) : name);
  if (!c) return Unexpected(c.error());
  if (level_only) return {};
  std::lock_guard lock(impl_->mutex);
  return impl_->create_folder(*c);
}

Expected<void, StoreError> UserStore::remove(std::string_view name) {
  auto c = canonical_folder_name(name);
  if (!c) return Unexpected(c.error());
  if (is_inbox(*c)) return Unexpected(error(Kind::Invalid, "INBOX cannot be deleted"));
  std::lock_guard lock(impl_->mutex);
  const std::string dir = impl_->dir_of(*c);
  if (!detail::is_directory(dir)) return Unexpected(error(Kind::NoSuchMailbox, "no mailbox " + *c));
  const std::string trash =
      (impl_->root / (std::string(kDeletedPrefix) + std::to_string(impl_->store->pid) + "." +
                      std::to_string(impl_->store->counter.fetch_add(1, std::memory_order_relaxed))))
          .string();
  if (::rename(dir.c_str(), trash.c_str()) != 0) return Unexpected(io_error(errno, "cannot delete", dir));
  auto synced = detail::fsync_dir(impl_->root.string());
  impl_->forget(*c);
  std::error_code ec;
  std::filesystem::remove_all(trash, ec);  // a failure leaves it for prepare(); the folder is gone already
  return synced;
}

Expected<void, StoreError> UserStore::rename(std::string_view from, std::string_view to) {
  auto f = canonical_folder_name(from);
  if (!f) return Unexpected(f.error());
  auto t = canonical_folder_name(to);
  if (!t) return Unexpected(t.error());
  if (is_inbox(*t) || *t == *f) return Unexpected(error(Kind::Exists, "the mailbox " + *t + " exists"));
  if (t->compare(0, f->size() + 1, *f + kHierarchyDelimiter) == 0)
    return Unexpected(error(Kind::Invalid, "cannot move " + *f + " below itself"));
  std::lock_guard lock(impl_->mutex);

  if (is_inbox(*f)) {
    // RFC 3501 §6.3.5: the messages move to a new folder, INBOX stays (empty), its children stay.
    if (auto ok = impl_->create_folder(*t); !ok) return ok;
    auto inbox = impl_->open_mailbox(std::string(kInbox), nullptr, shared_from_this());
    if (!inbox) return Unexpected(inbox.error());
    return (*inbox)->move_all_to(impl_->dir_of(*t));
  }

  // The folder and its children ("a" → "b" takes "a.x" to "b.x"), all checked before any moves.
  std::vector<std::pair<std::string, std::string>> moves;
  if (detail::is_directory(impl_->dir_of(*f))) moves.emplace_back(*f, *t);
  auto names = impl_->folder_names();
  if (!names) return Unexpected(names.error());
  const std::string prefix = *f + kHierarchyDelimiter;
  for (const std::string& n : *names)
    if (n.compare(0, prefix.size(), prefix) == 0) moves.emplace_back(n, *t + n.substr(f->size()));
  if (moves.empty()) return Unexpected(error(Kind::NoSuchMailbox, "no mailbox " + *f));
  for (const auto& [old_name, new_name] : moves) {
    auto valid = canonical_folder_name(new_name);
    if (!valid) return Unexpected(valid.error());
    if (detail::is_directory(impl_->dir_of(new_name)))
      return Unexpected(error(Kind::Exists, "the mailbox " + new_name + " exists"));
  }
  Expected<void, StoreError> result;
  for (const auto& [old_name, new_name] : moves) {
    const std::string a = impl_->dir_of(old_name), b = impl_->dir_of(new_name);
    if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_NOREPLACE) != 0) {
      result = Unexpected(io_error(errno, "cannot rename", a));
      break;
    }
    impl_->forget(old_name);
  }
  if (auto ok = detail::fsync_dir(impl_->root.string()); !ok && result) result = ok;
  return result;
}

Expected<void, StoreError> UserStore::subscribe(std::string_view name, bool on) {
  auto c = canonical_folder_name(name);
  if (!c) return Unexpected(c.error());
  std::lock_guard lock(impl_->mutex);
  std::vector<std::string> subs = impl_->read_subscriptions();
  const auto it = std::find(subs.begin(), subs.end(), *c);
  if (on == (it != subs.end())) return {};
  if (on) {
    subs.push_back(*c);
  } else {
    subs.erase(it);
  }
  std::string text;
  for (const std::string& s : subs) {
    text += s;
    text += '\n';
  }
  return detail::write_durably((impl_->root / "subscriptions").string(), text);
}

std::vector<std::string> UserStore::subscriptions() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->read_subscriptions();
}

}  // namespace endhost::mail::store
