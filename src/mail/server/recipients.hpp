// Who receives mail here: the users file and --domain, as the fixed layout says (docs/guide/mail.md). A user
// name without '@' (`bob`) receives bob@D for every --domain D; one with '@' (`bob@hamburger.edu`) only that
// address. Local parts compare case-insensitively (RFC 5321 §2.4 lets the server decide; Postfix and Dovecot
// fold them), domains always do. `postmaster` of every domain (RFC 5321 §4.5.1: it MUST be accepted) goes
// to --postmaster NAME, else to a user called postmaster, else to DIR/users/postmaster/, a Maildir made on
// the first delivery that only the operator reads. A domain that is not one of
// ours is remote: whether it may be relayed is the session's question (submission, --relay-from).
//
// Built from one snapshot of the users file; the server makes a new one on SIGHUP and a session keeps the
// one it started with. Immutable, so every loop reads it without locks.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user_db.hpp"

namespace endhost::mail::server {

class LocalRecipients {
 public:
  enum class Kind { Local, Remote, Unknown };
  struct Match {
    Kind kind = Kind::Remote;
    std::string user;  // the users-file name when Local: DIR/users/<user>/ is the Maildir
  };

  // `domains` as given to --domain (compared case-insensitively); `users` may be null (no users file: every
  // address of our domains is unknown); `postmaster` is a users-file name or "".
  LocalRecipients(std::vector<std::string> domains, const auth::UserDb* users, std::string postmaster);

  // The Maildir postmaster@ goes to when neither --postmaster nor a user of that name says otherwise.
  static constexpr std::string_view kDefaultPostmaster = "postmaster";

  Match resolve(std::string_view local_part, std::string_view domain) const;
  bool is_local_domain(std::string_view domain) const;
  const std::vector<std::string>& domains() const { return domains_; }
  // The users-file names that have a Maildir (every user, whether it receives mail for a domain or not).
  const std::vector<std::string>& users() const { return names_; }

 private:
  std::vector<std::string> domains_;  // lower case
  std::vector<std::string> names_;
  std::map<std::string, std::string> bare_;     // lower-case local part → user
  std::map<std::string, std::string> address_;  // lower-case local@domain → user
  std::string postmaster_;                      // "" when nobody
};

// ASCII lower case (addresses outside ASCII, RFC 6531, are compared as they are).
std::string lower_ascii(std::string_view s);

// Why a users-file name cannot have a Maildir under DIR/users/ ('/', "." or "..", or a domain part that is
// not one of ours), or nullopt.
std::optional<std::string> invalid_mailbox_name(std::string_view name,
                                                const std::vector<std::string>& domains);

}  // namespace endhost::mail::server
