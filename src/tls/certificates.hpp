// A private certificate authority and the leaf certificates it signs, for tests and the lab: what
// `endhost tls ca` and `endhost tls cert` write. Keys are EC P-256; the CA is CA:TRUE with keyCertSign, each
// leaf carries its names as subjectAltName (RFC 6125 §6.4: clients match those, not the CN) and the
// serverAuth extended key usage. Private keys are written mode 0600, certificates 0644, each file durably.
#pragma once

#include <string>
#include <vector>

#include "core/expected.hpp"
#include "tls/subject_names.hpp"

namespace endhost::tls {

// In a CA directory: the CA certificate (the file clients trust: --cacert, curl --cacert) and its key.
inline constexpr const char* kCaCertFile = "ca.pem";
inline constexpr const char* kCaKeyFile = "ca-key.pem";

struct CaOptions {
  std::string common_name = "endhost private CA";
  int days = 3650;
};

struct CaFiles {
  std::string cert;  // DIR/ca.pem
  std::string key;   // DIR/ca-key.pem
};

CaFiles ca_files(const std::string& dir);

// Makes a new CA in `dir` (created, 0700, if missing). Refuses to replace an existing one: certificates it
// signed would stop verifying.
Expected<CaFiles, std::string> make_ca(const std::string& dir, const CaOptions& options);

// The CA in `dir` if there is one (checked: it loads, it is a CA, the key is its key), else a new one.
// `made` tells which.
Expected<CaFiles, std::string> open_or_make_ca(const std::string& dir, const CaOptions& options, bool& made);

struct LeafOptions {
  std::vector<SubjectName> names;  // at least one; the first is also the subject's CN and the file name
  int days = 397;                  // the longest the CA/Browser Forum allows publicly trusted leaves
};

struct LeafFiles {
  std::string cert;  // OUT/NAME.pem: the leaf, then the CA certificate (the chain a server sends)
  std::string key;   // OUT/NAME-key.pem
};

// Makes a key and a certificate for `options.names` signed by the CA in `ca_dir`, into `out_dir` (created
// if missing). Existing files of the same name are replaced.
Expected<LeafFiles, std::string> make_leaf(const std::string& ca_dir, const LeafOptions& options,
                                           const std::string& out_dir);

}  // namespace endhost::tls
