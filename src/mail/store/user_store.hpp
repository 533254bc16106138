// One user's folders: the mail root `<users_dir>/<user>/` is the Maildir of INBOX, and every other folder
// is a Maildir++ sub-folder `<root>/.<name>/` (hierarchy delimiter '.', names as IMAP sends them: modified
// UTF-7, stored as they are). Made by Store::user; thread-safe and blocking, like Mailbox.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "mail/store/mailbox.hpp"
#include "mail/store/types.hpp"

namespace endhost::mail::store {

namespace detail {
struct StoreContext;
}

// One folder as LIST reports it.
struct FolderInfo {
  std::string name;         // "INBOX", "Archive.2024"
  std::string special_use;  // RFC 6154: "\\Sent", "\\Drafts", "\\Trash", "\\Junk" or ""
  bool has_children = false;
  bool selectable = true;  // false for "a" when only "a.b" exists (LIST's \Noselect / \NonExistent)
};

class UserStore : public std::enable_shared_from_this<UserStore> {
 public:
  // The folders every user has (RFC 6154), made when missing each time the user store is opened (as
  // Dovecot's `auto = create`), with their SPECIAL-USE attribute.
  static constexpr std::string_view kSpecialUse[][2] = {
      {"Drafts", "\\Drafts"}, {"Junk", "\\Junk"}, {"Sent", "\\Sent"}, {"Trash", "\\Trash"}};

  struct Private {
    explicit Private() = default;
  };
  UserStore(Private, std::string user, std::filesystem::path root,
            std::shared_ptr<detail::StoreContext> store);
  ~UserStore();
  UserStore(const UserStore&) = delete;
  UserStore& operator=(const UserStore&) = delete;

  // Makes the root Maildir and the special-use folders where missing, and finishes a DELETE that a crash
  // interrupted. Called once by Store::user.
  Expected<void, StoreError> prepare();

  const std::string& user() const;
  const std::filesystem::path& root() const;

  // The folder `name` (INBOX in any case), the same object for every caller while any holds it. The first
  // open reads its index (Mailbox::load); `report`, when given, says whether the index had to be rebuilt.
  Expected<std::shared_ptr<Mailbox>, StoreError> open(std::string_view name,
                                                      Mailbox::OpenReport* report = nullptr);
  // The folder's Mailbox if some caller has it open (Store::delivered), else null. Never loads one.
  std::shared_ptr<Mailbox> find_open(std::string_view name) const;
  // Every folder, INBOX first, then by name; with the parents that only exist as a hierarchy level.
  Expected<std::vector<FolderInfo>, StoreError> list() const;
  bool exists(std::string_view name) const;

  // CREATE (RFC 3501 §6.3.3): the Maildir and an empty index with a fresh UIDVALIDITY. A name ending in
  // the delimiter ("a.") asks for a hierarchy level, which Maildir++ needs no directory for: OK, nothing
  // made. Exists for INBOX or a taken name.
  Expected<void, StoreError> create(std::string_view name);
  // DELETE (§6.3.4): the folder and its messages; its children stay (then listed as not selectable).
  // INBOX cannot be deleted (Invalid).
  Expected<void, StoreError> remove(std::string_view name);
  // RENAME (§6.3.5), children with it ("a" → "b" takes "a.x" to "b.x"). Renaming INBOX moves its messages
  // into the new folder and leaves INBOX empty; INBOX's children stay. Open Mailbox objects of the old
  // names fail with NoSuchMailbox from then on; the moved folders keep their UIDVALIDITY.
  Expected<void, StoreError> rename(std::string_view from, std::string_view to);

  // SUBSCRIBE / UNSUBSCRIBE (§6.3.6, §6.3.7): `<root>/subscriptions`, one name a line, written durably.
  // A name need not exist to be subscribed (RFC 3501 allows it).
  Expected<void, StoreError> subscribe(std::string_view name, bool on);
  std::vector<std::string> subscriptions() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace endhost::mail::store
