// `endhost fetch`: a curl-like HTTP/1.1 client over TCP or TLS (https://, also through a proxy's CONNECT).
// One URL with curl's everyday options (-o/-O, -I, -i, -X, -H, -d/--data-binary, -u, -L, -x and the proxy
// environment variables, -C -, --compressed, -v, -b/-c cookie jars in curl's file format), a local --cache
// that uses the proxy's cache engine (repeat fetches become conditional GETs), and --page, which fetches a
// page and its objects the way a browser does and reports the connections and requests it took.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/name_resolver.hpp"
#include "http/client/pinned_address.hpp"

namespace endhost::http {

struct FetchOptions {
  // The URLs, fetched in order over the same connection pool (a server's connection is reused); a URL
  // without "scheme://" is taken as http://, as curl does. `url` is the one being fetched (and --page's).
  std::vector<std::string> urls;
  std::string url;
  std::vector<std::string> outputs;      // -o FILE, one per URL in order; the URLs past them: stdout
  std::string output;                    // the -o of `url`; "" = standard output
  bool remote_name = false;              // -O: the last path segment of the URL
  bool head = false;                     // -I
  bool include = false;                  // -i: print the response head before the body
  std::string method;                    // -X
  std::vector<std::string> headers;      // -H 'Name: value' ("Name:" removes a default field)
  std::vector<std::string> data;         // -d (joined with '&'; @file reads a file without CR/LF)
  std::vector<std::string> data_binary;  // --data-binary (@file read as is)
  std::string user;                      // -u user:password
  bool follow = false;                   // -L
  int max_redirs = 20;
  std::optional<std::string> proxy;  // -x (an empty string disables the environment's proxy)
  std::optional<std::string> no_proxy;
  bool resume = false;                 // -C -
  bool compressed = false;             // --compressed
  bool http2 = false;                  // --http2: h2 for https when the server's ALPN agrees
  bool http2_prior_knowledge = false;  // --http2-prior-knowledge: h2 for http:// too (h2c, RFC 9113 §3.3)
  bool verbose = false;                // -v
  bool silent = false;                 // -s
  bool show_error = false;             // -S: error messages even with -s
  bool fail = false;                   // -f: HTTP status >= 400 exits 22 and writes no body (curl's -f)
  bool fail_with_body = false;         // --fail-with-body: exits 22 and still writes the body
  std::string write_out;               // -w FORMAT, printed on stdout after each transfer (write_out.hpp)
  std::string dump_header;             // -D FILE: every response head received, as received; "-": stdout
  std::vector<PinnedAddress> pinned;   // --resolve HOST:PORT:ADDR
  std::string cookie_in;               // -b FILE or -b 'name=value; …'
  std::string cookie_out;              // -c FILE
  std::string cache_dir;               // --cache DIR
  double connect_timeout = 10;
  double max_time = 0;  // 0: no overall limit
  std::string user_agent = "endhost-fetch/0.1";
  bool insecure = false;  // -k: skip TLS certificate and host name verification
  std::string cacert;     // --cacert FILE: trust these CAs instead of the system store
  // How host names are resolved (--dns-servers: a DNS server at an address); null: the system's resolver.
  std::shared_ptr<const core::NameResolver> resolver;
  // --page
  bool page = false;
  std::string mode = "persistent";  // non-persistent | persistent | parallel=N
  bool json = false;
};

// Exit codes, curl's numbers where curl has one, so scripts can tell failures apart.
namespace fetch_exit {
inline constexpr int ok = 0;
inline constexpr int failed = 1;  // anything else (unreadable file…)
inline constexpr int bad_url = 3;
inline constexpr int dns = 6;       // could not resolve host
inline constexpr int connect = 7;   // could not connect
inline constexpr int protocol = 8;  // the server's reply is not valid HTTP
inline constexpr int partial = 18;  // the body was cut short
inline constexpr int http = 22;     // HTTP status 400 or above, with -f or --fail-with-body
inline constexpr int write = 23;    // could not write the output
inline constexpr int timeout = 28;
inline constexpr int tls = 35;        // the TLS handshake failed
inline constexpr int redirects = 47;  // more than --max-redirs redirects
inline constexpr int empty = 52;      // the server closed without replying
inline constexpr int send = 55;
inline constexpr int certificate = 60;  // the server's certificate does not verify
inline constexpr int cacert = 77;       // the --cacert file cannot be read
}  // namespace fetch_exit

// Runs the fetches (or a --page fetch) to completion. Bodies go to the output files or stdout; reports and
// -v go to `err` (the --page report and -w to `out`). With several URLs the exit status is the last
// failure's, or 0.
int run_fetch(const FetchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace endhost::http
