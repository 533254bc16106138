#include "mail/store/store.hpp"

#include <algorithm>
#include <mutex>

#include "mail/store/context.hpp"
#include "mail/store/folder_name.hpp"

namespace endhost::mail::store {

Store::Store(std::filesystem::path users_dir, std::uint64_t max_message_size, std::string hostname)
    : context_(std::make_shared<detail::StoreContext>(std::move(users_dir), max_message_size,
                                                      std::move(hostname))) {}

Store::~Store() {
  // The kept mailboxes hold their user stores, which hold this context: a cycle, broken here.
  std::deque<std::shared_ptr<Mailbox>> kept;
  {
    std::lock_guard lock(context_->kept_mutex);
    kept.swap(context_->kept);
  }
}

const std::filesystem::path& Store::users_dir() const {
  return context_->users_dir;
}
std::uint64_t Store::max_message_size() const {
  return context_->max_message_size;
}

Expected<std::shared_ptr<UserStore>, StoreError> Store::user(std::string_view user) {
  if (!valid_user_name(user))
    return Unexpected(StoreError{0, StoreError::Kind::Invalid, "invalid user name"});
  std::lock_guard lock(context_->mutex);
  const auto it = context_->users.find(user);
  if (it != context_->users.end())
    if (auto live = it->second.lock()) return live;
  auto made = std::make_shared<UserStore>(UserStore::Private{}, std::string(user), context_->users_dir / user,
                                          context_);
  if (auto ok = made->prepare(); !ok) return Unexpected(ok.error());
  context_->users[std::string(user)] = made;
  // Forget the users nobody holds once the registry has doubled since the last sweep.
  if (context_->users.size() > 2 * context_->users_live + 16) {
    std::erase_if(context_->users, [](const auto& kv) { return kv.second.expired(); });
    context_->users_live = context_->users.size();
  }
  return made;
}

void Store::delivered(std::string_view user) {
  std::shared_ptr<UserStore> live;
  {
    std::lock_guard lock(context_->mutex);
    const auto it = context_->users.find(user);
    if (it == context_->users.end()) return;
    live = it->second.lock();
  }
  if (!live) return;
  if (auto inbox = live->find_open(kInbox)) (void)inbox->refresh();  // errors surface at the next command
}

}  // namespace endhost::mail::store
