// Outbound DKIM signing for the mail service (RFC 6376 §5): the keys of DIR/dkim, one per domain, and the
// DKIM-Signature field for a message whose From domain has one. Loaded once at start-up; immutable after, so
// every loop and the relay may sign at once.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/expected.hpp"
#include "mail/checks/keys.hpp"

namespace endhost::mail::checks {

class Signer {
 public:
  // Every <domain>.<selector>.key in `dkim_dir` (a missing directory: no keys). A domain with keys under
  // several selectors signs with `preferred_selector` when it has one, otherwise with the first by name. An
  // unreadable key file is an error naming it.
  static Expected<std::shared_ptr<Signer>, std::string> load(const std::filesystem::path& dkim_dir,
                                                             std::string_view preferred_selector = {});
  // A signer with these keys (tests, and a service that made its keys with ensure_key).
  static std::shared_ptr<Signer> with_keys(std::vector<DkimKey> keys);

  // The DKIM-Signature field (CRLF-terminated, folded) to prepend to `message`, signed with the key of
  // `from_domain` (compared case-insensitively), c=relaxed/relaxed, t= from `now`, From over-signed; "" when
  // that domain has no key or the message cannot be signed (no From field).
  std::string signature_header(std::string_view message, std::string_view from_domain,
                               core::WallTime now) const;

  bool has_key(std::string_view domain) const;
  std::vector<std::string> domains() const;

 private:
  std::map<std::string, DkimKey> keys_;  // by lower-case domain
};

// The domain of the first address in the message's From field ("Alice <alice@crepes.fr>" → "crepes.fr"),
// lower case; nullopt without a From field or an address in it.
std::optional<std::string> from_domain(std::string_view message);

}  // namespace endhost::mail::checks
