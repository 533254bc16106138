// What the objects of one Store share, passed down instead of globals: the store's settings, the counter
// that makes append()'s file names unique, the registry of user stores; and per user, the issuer of
// UIDVALIDITY values. Internal to src/mail/store.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/expected.hpp"
#include "mail/store/types.hpp"

namespace endhost::mail::store {
class Mailbox;
class UserStore;
}  // namespace endhost::mail::store

namespace endhost::mail::store::detail {

struct StoreContext {
  StoreContext(std::filesystem::path users_path, std::uint64_t max_size, std::string hostname);
  ~StoreContext();

  // Keeps `mailbox` (and through it its UserStore) loaded after its last session lets go, for the next
  // login: a client that reconnects, POP3's next session, a second SELECT, find the index in memory instead
  // of reading it again (Dovecot keeps its index files for the same reason). The most recently used
  // kKeptMailboxes stay; a folder deleted or renamed is skipped by the registries (Mailbox::gone()).
  static constexpr std::size_t kKeptMailboxes = 8;
  void keep(std::shared_ptr<Mailbox> mailbox);

  // A base no other file of this process has: `<secs>.M<us>P<pid>Q<n>.<host>,S=<size>[,W=<vsize>]`.
  std::string unique_base(std::uint64_t size, std::uint64_t vsize);

  const std::filesystem::path users_dir;
  const std::uint64_t max_message_size;
  const std::string host;  // maildir::safe_hostname()
  const long pid;
  std::atomic<std::uint64_t> counter{0};

  std::mutex mutex;  // guards users and users_live
  std::map<std::string, std::weak_ptr<UserStore>, std::less<>> users;
  std::size_t users_live = 0;  // the registry's size after its last sweep

  std::mutex kept_mutex;  // guards kept (alone: keep() is called with a UserStore's lock held)
  std::deque<std::shared_ptr<Mailbox>> kept;  // most recent first
};

struct UserContext {
  UserContext(std::filesystem::path root_dir, std::shared_ptr<StoreContext> owner)
      : root(std::move(root_dir)), store(std::move(owner)) {}

  // A UIDVALIDITY for a new or rebuilt index: larger than every value this user's folders had (kept in
  // `<root>/endhost-uidvalidity`, written durably), than `above`, and at least the time now (RFC 3501
  // §2.3.1.1: a rebuilt index must not reuse a value; time-based as Dovecot's).
  Expected<std::uint32_t, StoreError> new_uidvalidity(std::uint32_t above);

  const std::filesystem::path root;
  const std::shared_ptr<StoreContext> store;
  std::mutex uidvalidity_mutex;
};

}  // namespace endhost::mail::store::detail
