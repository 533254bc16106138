// The web server's settings as people give them — `endhost web serve`'s options, or a lab host's `web = { …
// }` table — before anything is opened: their SettingTable (each option's name, help, default and range, the
// one declaration both the command line and the lab read), and make_web_config, the one place that checks
// them together and turns them into a WebConfig (roots opened, password file read, visitor store and access
// log opened). The CLI and the lab both go through web_settings() and make_web_config (web_service.cpp), so a
// mistake gets the same sentence from either.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "core/settings.hpp"
#include "http/server/web_config.hpp"

namespace endhost::web {

struct WebOptions {
  std::string root;
  std::vector<std::string> vhosts;  // NAME=DIR
  bool no_listing = false;
  bool follow_symlinks = false;
  bool show_dotfiles = false;
  bool compress = false;
  double header_timeout = 10;
  double body_timeout = 30;
  double keepalive_timeout = 15;
  double send_timeout = 60;
  std::size_t max_requests = 1000;
  std::size_t max_line = 8 * 1024;
  std::size_t max_header_bytes = 32 * 1024;
  std::size_t max_fields = 100;
  std::size_t max_body = 1024 * 1024;
  std::size_t max_ranges = 16;
  bool writable = false;
  std::string auth_file;
  std::uint64_t max_upload = 64 * 1024 * 1024;
  std::size_t max_upload_files = 64;
  bool sessions = false;
  std::string state_dir;
  std::uint64_t max_visitors = 1'000'000;
  std::string access_log;  // FILE, or "-" for standard output; empty: no access log
  // Without --access-log, requests are logged to stderr while it is a terminal (python3 -m http.server's
  // habit); --quiet turns that off (the lab's hosts are quiet).
  bool quiet = false;
  // HTTP/2 (RFC 9113): on unless --no-http2; --push PATH=URL[,URL…] promises those objects with PATH.
  bool no_http2 = false;
  std::vector<std::string> push;
  // --tls-listen ADDR:PORT…: TLS listeners beside the clear --listen ones (needs --tls-cert).
  std::vector<std::string> tls_listen;
  // --limit-rate: bytes per second each connection may write (0: no limit).
  std::uint64_t limit_rate = 0;
  // --add-header PATH=NAME: VALUE, repeatable.
  std::vector<std::string> add_header;
  // --file-cache N: paths each thread keeps open with their metadata, invalidated by inotify; 0: off.
  std::size_t file_cache = 1024;
};

// Why a WebOptions was refused: `usage` when the options contradict each other or are malformed (the CLI
// then points at --help), not when a file or directory could not be opened.
struct WebOptionsError {
  std::string message;
  bool usage = true;
};

// `endhost web serve`'s options (the shared server options aside: service_commands.cpp adds those), with the
// command line's names, help and ranges. apply() checks each value on its own.
const core::SettingTable<WebOptions>& web_settings();

// Checks the options together and opens what they name; the access log gets one buffer per event loop
// (`loops`). Messages name the command-line options.
Expected<WebConfig, WebOptionsError> make_web_config(const WebOptions& options, std::size_t loops);

}  // namespace endhost::web
