#include "mail/server/recipients.hpp"

#include <algorithm>

namespace endhost::mail::server {

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

LocalRecipients::LocalRecipients(std::vector<std::string> domains, const auth::UserDb* users,
                                 std::string postmaster) {
  for (auto& d : domains) domains_.push_back(lower_ascii(d));
  if (users) {
    for (const auth::User& u : users->users()) {
      names_.push_back(u.name);
      const std::size_t at = u.name.rfind('@');
      // The first of two names that differ only in case wins: the file's order is the operator's.
      if (at == std::string::npos) {
        bare_.emplace(lower_ascii(u.name), u.name);
      } else {
        address_.emplace(lower_ascii(u.name), u.name);
      }
    }
    if (!postmaster.empty() && users->find(postmaster)) postmaster_ = postmaster;
  }
}

bool LocalRecipients::is_local_domain(std::string_view domain) const {
  const std::string d = lower_ascii(domain);
  return std::find(domains_.begin(), domains_.end(), d) != domains_.end();
}

LocalRecipients::Match LocalRecipients::resolve(std::string_view local_part, std::string_view domain) const {
  const std::string d = lower_ascii(domain);
  if (std::find(domains_.begin(), domains_.end(), d) == domains_.end()) return {Kind::Remote, {}};
  const std::string l = lower_ascii(local_part);
  // The full address first: `bob@hamburger.edu` is more specific than a `bob` of every domain.
  if (auto it = address_.find(l + "@" + d); it != address_.end()) return {Kind::Local, it->second};
  if (l == "postmaster" && !postmaster_.empty()) return {Kind::Local, postmaster_};
  if (auto it = bare_.find(l); it != bare_.end()) return {Kind::Local, it->second};
  // RFC 5321 §4.5.1: postmaster MUST be accepted, whoever reads it. Its Maildir is made on first delivery.
  if (l == "postmaster") return {Kind::Local, std::string(kDefaultPostmaster)};
  return {Kind::Unknown, {}};
}

std::optional<std::string> invalid_mailbox_name(std::string_view name,
                                                const std::vector<std::string>& domains) {
  if (name.empty() || name == "." || name == "..") return "'" + std::string(name) + "' cannot name a Maildir";
  if (name.find('/') != std::string_view::npos)
    return "'" + std::string(name) + "' contains '/', which cannot be in a Maildir's name";
  const std::size_t at = name.rfind('@');
  if (at != std::string_view::npos) {
    if (at == 0) return "'" + std::string(name) + "' has no local part before '@'";
    const std::string d = lower_ascii(name.substr(at + 1));
    bool ours = false;
    for (const auto& x : domains) ours = ours || lower_ascii(x) == d;
    if (!domains.empty() && !ours)
      return "'" + std::string(name) + "' is an address of " + d + ", which is not one of the --domain names";
  }
  return std::nullopt;
}

}  // namespace endhost::mail::server
