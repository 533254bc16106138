// `endhost fetch ftp://…`: curl's FTP transfers with fetch's options. A URL naming a file downloads it (to
// standard output, -o FILE or -O), one ending in '/' lists the directory (LIST); with -T FILE the file is
// uploaded to the URL (a URL ending in '/' gets the local file's name). -C - resumes: a download from the
// local file's size (REST), an upload from the server's SIZE (APPE). Passive by default (EPSV, then PASV),
// active with --ftp-port; AUTH TLS with --ftp-ssl. The path's segments are CWDs, one by one (ftp_url.hpp).
#pragma once

#include <ostream>
#include <string>

#include "http/client/fetch.hpp"

namespace endhost::ftp::client {

// What `endhost fetch` has for FTP only; the rest comes from http::FetchOptions (-o, -O, -C -, -u, -v,
// -s, -S, -k, --cacert, --connect-timeout, -m, --dns-servers).
struct FtpFetchExtras {
  std::string upload;   // -T FILE
  bool active = false;  // --ftp-port: PORT/EPRT instead of EPSV/PASV
  bool tls = false;     // --ftp-ssl: AUTH TLS, PBSZ 0, PROT P; refuse to go on without them
};

// Exit codes beyond fetch's (curl's numbers).
namespace ftp_exit {
inline constexpr int access_denied = 9;  // CWD refused
inline constexpr int weird_reply = 8;    // a reply that is not FTP
inline constexpr int upload = 25;        // STOR/APPE refused or failed
inline constexpr int read_file = 26;     // the -T file cannot be read
inline constexpr int transfer = 19;      // RETR failed after it started
inline constexpr int login = 67;         // USER/PASS refused
inline constexpr int not_found = 78;     // RETR's 550: no such file
}  // namespace ftp_exit

// Runs every URL of `options` (all ftp://) in order, each on its own control connection. Errors are one
// line on `err`: "endhost fetch: ftp://h/x: 550 No such file". The exit status is the last failure's.
int run_ftp_fetch(const http::FetchOptions& options, const FtpFetchExtras& extras, std::ostream& out,
                  std::ostream& err);

}  // namespace endhost::ftp::client
