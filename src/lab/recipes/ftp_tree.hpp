// The tree the lab's FTP host serves (recipes/ftp_recipe.cpp), as functions the unit tests call directly:
// pub/ with a README and large generated files, and a user's home with an upload/ directory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "lab/config.hpp"

namespace endhost::lab {

struct FtpTreeFile {
  std::string name;         // under pub/
  std::uint64_t bytes = 0;  // 0: the README's text (ftp_readme_text)
};

// pub/'s files, in the order the ftp experiment lists them.
std::vector<FtpTreeFile> ftp_pub_files();
std::string ftp_readme_text();

// Writes ROOT/anon/pub/ (the anonymous tree, --anon-home anon) and, with a user, ROOT/<user>/upload/
// (directories made, files durable; a large file of the right size already there is kept).
Expected<void, std::string> write_ftp_tree(const std::string& root, const std::string& user);

// The checks of an `ftp = { … }` table: user and password together, a valid user name, a site that exists and
// has a web host. The message says what to change.
Expected<void, std::string> check_ftp_table(const HostService& s, const LabConfig& c);

}  // namespace endhost::lab
