// DKIM keys on disk (the brief's mail directory layout): DIR/dkim/<domain>.<selector>.key, the PEM private
// key (0600), and DIR/dkim/<domain>.<selector>.txt, the TXT record's text. ensure_key() makes a key when
// there is none, durably (temporary, fsync, rename, fsync of the directory), and never replaces one that
// exists: a published key stays valid across restarts. Blocking file I/O: call it at start-up or from a
// blocking pool.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "mail/dkim/crypto.hpp"
#include "mail/dkim/key_record.hpp"

namespace endhost::mail::checks {

struct DkimKey {
  std::string domain;    // lower case
  std::string selector;  // one label, so that <domain>.<selector> splits at its last dot
  dkim::PrivateKey key;
  std::filesystem::path key_file, txt_file;
  bool created = false;  // made by this call

  dkim::KeyType algorithm() const { return key.type(); }
  std::string record_text() const { return key.record_text(); }  // "v=DKIM1; k=ed25519; p=…"
  // `SELECTOR._domainkey.DOMAIN. IN TXT ( "…" … )`, the line `endhost dns serve` loads from a zone file.
  std::string zone_line() const;
};

// "rsa" or "ed25519" (the --algorithm and --dkim-algorithm values).
Expected<dkim::KeyType, std::string> parse_key_algorithm(std::string_view text);

// The key of `domain` and `selector` in `dkim_dir` (created 0700 if missing), made with `algorithm` if there
// is none. A key that exists is returned as it is, whatever its algorithm (DkimKey::algorithm() says which):
// replacing it would break every signature made with it that is still in flight. Of two processes making the
// same key at once, one wins and both return its key (the publish refuses to replace).
Expected<DkimKey, std::string> ensure_key(const std::filesystem::path& dkim_dir, std::string_view domain,
                                          std::string_view selector, dkim::KeyType algorithm);

// Reads the key file `<domain>.<selector>.key` in `dkim_dir`, or says why not.
Expected<DkimKey, std::string> load_key(const std::filesystem::path& dkim_dir, std::string_view domain,
                                        std::string_view selector);

// The record text of a key, as the brief names it.
inline std::string record_text(const DkimKey& key) {
  return key.record_text();
}

}  // namespace endhost::mail::checks
