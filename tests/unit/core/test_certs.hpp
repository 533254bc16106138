// Throwaway certificates for the TLS tests: a P-256 key and a self-signed certificate naming `names`
// (subjectAltName DNS), valid over a chosen window, written as PEM files into a temporary directory.
#pragma once

#include <string>
#include <vector>

namespace endhost::core::test {

struct CertFiles {
  std::string cert_file;
  std::string key_file;
};

// A fresh directory under $TMPDIR (or /tmp), removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// `not_before`/`not_after` in seconds from now (negative: in the past).
CertFiles make_cert(const std::string& dir, const std::string& stem, const std::vector<std::string>& names,
                    long not_before = -3600, long not_after = 86400);

}  // namespace endhost::core::test
