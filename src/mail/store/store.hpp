// The mail store shared by the POP3, IMAP and webmail servers (docs/internals/mail-store.md): the process's
// registry of user stores and their open mailboxes over `<mail_dir>/users/<user>/`, where the SMTP server
// delivers (mail/maildir). Registries hold weak_ptrs, so a mailbox nobody has open is freed; the same
// folder is one Mailbox object for every session. Thread-safe; every call may block on the disk.
//
// One process owns a mail directory: the store keeps its index in memory and appends to it, so two endhost
// processes serving the same users would each miss the other's UIDs. Deliveries by any process (into new/)
// and changes by other Maildir programs (renames, deletions in cur/) are fine: refresh() takes them in.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "mail/store/mailbox.hpp"
#include "mail/store/types.hpp"
#include "mail/store/user_store.hpp"

namespace endhost::mail::store {

class Store {
 public:
  // `users_dir` is `<mail_dir>/users`; `max_message_size` caps append() (IMAP APPEND, the webmail's Sent
  // copy). `hostname` names the files append() writes (empty: gethostname(), as maildir::Writer).
  Store(std::filesystem::path users_dir, std::uint64_t max_message_size, std::string hostname = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The store of `user` (a users-file name: no '/', not "." or "..", no control bytes), the same object
  // while anyone holds it; the first call makes the root Maildir and the special-use folders if missing.
  Expected<std::shared_ptr<UserStore>, StoreError> user(std::string_view user);

  // The SMTP server wrote into `user`'s INBOX/new: if the INBOX is open, refresh it, which wakes its
  // listeners (IDLE, the webmail's event stream). Blocks: call it from the blocking pool.
  void delivered(std::string_view user);

  const std::filesystem::path& users_dir() const;
  std::uint64_t max_message_size() const;

 private:
  std::shared_ptr<detail::StoreContext> context_;
};

}  // namespace endhost::mail::store
