#include "mail/server/imap_access.hpp"

namespace endhost::mail::server {

namespace {

class ImapAccount final : public imap::Account {
 public:
  ImapAccount(std::shared_ptr<store::UserStore> user, std::uint64_t max_message_size)
      : user_(std::move(user)), max_message_size_(max_message_size) {}

  const std::string& user() const override { return user_->user(); }

  Expected<std::shared_ptr<imap::Folder>, store::StoreError> open(std::string_view name) override {
    auto box = user_->open(name);
    if (!box) return Unexpected(box.error());
    return std::shared_ptr<imap::Folder>(std::make_shared<ImapFolder>(std::move(*box), max_message_size_));
  }
  Expected<std::vector<imap::FolderEntry>, store::StoreError> list() override {
    auto folders = user_->list();
    if (!folders) return Unexpected(folders.error());
    std::vector<imap::FolderEntry> out;
    out.reserve(folders->size());
    for (const store::FolderInfo& f : *folders)
      out.push_back({f.name, f.special_use, f.has_children, f.selectable});
    return out;
  }
  Expected<void, store::StoreError> create(std::string_view name) override { return user_->create(name); }
  Expected<void, store::StoreError> remove(std::string_view name) override { return user_->remove(name); }
  Expected<void, store::StoreError> rename(std::string_view from, std::string_view to) override {
    return user_->rename(from, to);
  }
  Expected<void, store::StoreError> subscribe(std::string_view name, bool on) override {
    return user_->subscribe(name, on);
  }
  std::vector<std::string> subscriptions() override { return user_->subscriptions(); }

 private:
  std::shared_ptr<store::UserStore> user_;
  std::uint64_t max_message_size_;
};

}  // namespace

ImapDirectory::ImapDirectory(store::Store& store, std::shared_ptr<const UsersSnapshot> users,
                             std::uint64_t max_message_size)
    : store_(store), users_(std::move(users)), max_message_size_(max_message_size) {}

std::unique_ptr<imap::Account> ImapDirectory::login(std::string_view user, std::string_view password) {
  const auth::UserDb* db = users_ ? users_->users() : nullptr;
  const auth::User* u = db ? db->find(user) : nullptr;
  if (!u) {
    auth::verify_decoy(password);  // as slow as a real check: the refusal's time tells nothing
    return nullptr;
  }
  if (!auth::verify_password(*u, password)) return nullptr;
  auto us = store_.user(u->name);
  if (!us) return nullptr;
  return std::make_unique<ImapAccount>(std::move(*us), max_message_size_);
}

imap::FolderSnapshot ImapFolder::snapshot() {
  store::Mailbox::Snapshot s = mailbox_->snapshot(false);
  return {s.uidvalidity, s.uidnext, s.version, std::move(s.messages)};
}

imap::FolderStatus ImapFolder::status() {
  const store::Mailbox::Snapshot s = mailbox_->snapshot(false);
  imap::FolderStatus st;
  st.messages = static_cast<std::uint32_t>(s.messages.size());
  st.uidnext = s.uidnext;
  st.uidvalidity = s.uidvalidity;
  const std::uint32_t floor = mailbox_->recent_floor();
  for (const store::MessageRecord& r : s.messages) {
    if (r.uid >= floor) ++st.recent;
    if (!(r.flags.system & store::kSeen)) ++st.unseen;
    if (r.flags.system & store::kDeleted) ++st.deleted;
    st.size += r.size;
  }
  return st;
}

Expected<std::vector<std::uint32_t>, store::StoreError> ImapFolder::store_flags(
    std::span<const std::uint32_t> uids, imap::FlagOp op, store::Flags flags) {
  const store::Mailbox::FlagOp o = op == imap::FlagOp::Replace ? store::Mailbox::FlagOp::Replace
                                   : op == imap::FlagOp::Add   ? store::Mailbox::FlagOp::Add
                                                               : store::Mailbox::FlagOp::Remove;
  return mailbox_->store_flags(uids, o, flags);
}

Expected<std::vector<std::uint32_t>, store::StoreError> ImapFolder::copy_to(
    imap::Folder& dest, std::span<const std::uint32_t> uids) {
  auto* d = dynamic_cast<ImapFolder*>(&dest);
  if (!d)
    return Unexpected(store::StoreError{0, store::StoreError::Kind::Invalid, "not a folder of this store"});
  return mailbox_->copy_to(d->mailbox(), uids);
}

}  // namespace endhost::mail::server
