// The IMAP session's view of the mail store (imap/session/mail_access.hpp) over mail::store and the users
// file: logins checked with the users file's hashes (this runs on the blocking pool, as every call of the
// session's execute() does), folders as the store's shared Mailbox objects.
#pragma once

#include <memory>
#include <string_view>

#include "auth/user_db.hpp"
#include "imap/session/mail_access.hpp"
#include "mail/server/mail_server.hpp"
#include "mail/store/store.hpp"

namespace endhost::mail::server {

class ImapDirectory final : public imap::Directory {
 public:
  // `users`: the users-file snapshot the connection began with (SIGHUP swaps the server's, not this one);
  // without a users file every login fails.
  ImapDirectory(store::Store& store, std::shared_ptr<const UsersSnapshot> users,
                std::uint64_t max_message_size);
  std::unique_ptr<imap::Account> login(std::string_view user, std::string_view password) override;

 private:
  store::Store& store_;
  std::shared_ptr<const UsersSnapshot> users_;
  std::uint64_t max_message_size_;
};

// The store's Mailbox behind an imap::Folder (the I/O also subscribes to it for IDLE).
class ImapFolder final : public imap::Folder {
 public:
  ImapFolder(std::shared_ptr<store::Mailbox> mailbox, std::uint64_t max_message_size)
      : mailbox_(std::move(mailbox)), max_message_size_(max_message_size) {}
  store::Mailbox& mailbox() { return *mailbox_; }
  const std::shared_ptr<store::Mailbox>& mailbox_ptr() const { return mailbox_; }

  const std::string& name() const override { return mailbox_->name(); }
  Expected<bool, store::StoreError> refresh() override { return mailbox_->refresh(); }
  imap::FolderSnapshot snapshot() override;
  imap::FolderStatus status() override;
  std::optional<std::vector<store::Change>> changes_since(std::uint64_t version,
                                                          std::uint64_t* now) override {
    return mailbox_->changes_since(version, now);
  }
  std::optional<store::MessageRecord> find(std::uint32_t uid) override { return mailbox_->find(uid); }
  Expected<std::string, store::StoreError> read(std::uint32_t uid) override {
    return mailbox_->read(uid, max_message_size_ * 2);
  }
  Expected<std::vector<std::uint32_t>, store::StoreError> store_flags(std::span<const std::uint32_t> uids,
                                                                      imap::FlagOp op,
                                                                      store::Flags flags) override;
  Expected<std::vector<std::uint32_t>, store::StoreError> expunge(
      std::span<const std::uint32_t> uids) override {
    return mailbox_->expunge(uids);
  }
  Expected<std::uint32_t, store::StoreError> append(std::string_view message, store::Flags flags,
                                                    std::optional<std::int64_t> internal_date) override {
    return mailbox_->append(message, flags, internal_date);
  }
  Expected<std::vector<std::uint32_t>, store::StoreError> copy_to(
      imap::Folder& dest, std::span<const std::uint32_t> uids) override;
  std::vector<std::string> keywords() override { return mailbox_->keywords(); }
  Expected<std::uint32_t, store::StoreError> keyword_bits(std::span<const std::string> names,
                                                          bool create) override {
    return mailbox_->keyword_bits(names, create);
  }
  std::uint32_t take_recent(std::uint32_t session_uidnext) override {
    return mailbox_->take_recent(session_uidnext);
  }
  std::uint32_t recent_floor() override { return mailbox_->recent_floor(); }

 private:
  std::shared_ptr<store::Mailbox> mailbox_;
  std::uint64_t max_message_size_;
};

}  // namespace endhost::mail::server
