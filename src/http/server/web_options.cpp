#include "http/server/web_options.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "http/chars.hpp"
#include "http/fields.hpp"
#include "http/server/access_log.hpp"
#include "http/server/basic_auth.hpp"
#include "http/server/file_access.hpp"
#include "http/server/visitor_store.hpp"

namespace endhost::web {

namespace {

constexpr const char* kTerminalLog = "/dev/stderr";

Unexpected<WebOptionsError> usage(std::string message) {
  return Unexpected(WebOptionsError{std::move(message), true});
}
Unexpected<WebOptionsError> failure(std::string message) {
  return Unexpected(WebOptionsError{std::move(message), false});
}

Expected<std::vector<PasswordEntry>, WebOptionsError> load_users(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return failure("--auth " + path + ": cannot read the file: " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  auto users = parse_htpasswd(text.str());
  if (!users)
    return failure("--auth " + path + ":" + std::to_string(users.error().line) + ": " +
                   users.error().message);
  if (users->empty())
    return failure("--auth " + path + ": no users in the file (add one with: htpasswd -B " + path + " USER)");
  return std::move(*users);
}

Expected<std::chrono::milliseconds, WebOptionsError> millis(double seconds, const std::string& name) {
  if (!(seconds > 0) || seconds > 1e6) return usage(name + " must be a positive number of seconds");
  return core::seconds_as(seconds);
}

Expected<Site, WebOptionsError> open_site(std::string host, const std::string& dir,
                                          const std::string& option) {
  Site site;
  site.host = std::move(host);
  site.path = dir;
  if (int err = open_root(dir, site.dir); err != 0)
    return failure(option + " '" + dir + "': cannot open the directory: " + std::strerror(err));
  return site;
}

}  // namespace

const core::SettingTable<WebOptions>& web_settings() {
  using O = WebOptions;
  static const auto table = [] {
    core::SettingTable<O> t;
    t.text("root", &O::root, "DIR", "Directory to serve (for any Host without its own --vhost)").alias("-r");
    t.texts("vhost", &O::vhosts, "NAME=DIR", "Serve DIR for requests whose Host is NAME; repeatable");
    t.flag("no-listing", &O::no_listing, "Answer 403 for directories without index.html");
    t.flag("follow-symlinks", &O::follow_symlinks, "Follow symlinks that lead outside the root");
    t.flag("show-dotfiles", &O::show_dotfiles, "Serve and list names that start with '.'");
    t.flag("compress", &O::compress, "Gzip compressible files on the fly when the client accepts it");
    t.seconds("header-timeout", &O::header_timeout, "Seconds a client has to send a whole request head");
    t.seconds("body-timeout", &O::body_timeout, "Seconds of silence allowed inside a request body");
    t.seconds("keepalive-timeout", &O::keepalive_timeout, "Seconds an idle connection is kept open");
    t.seconds("send-timeout", &O::send_timeout, "Seconds a client may stall reading a response");
    t.integer("max-requests", &O::max_requests, std::size_t{1}, std::size_t{100'000'000},
              "Requests per connection before it is closed");
    t.integer("max-line", &O::max_line, std::size_t{64}, std::size_t{1} << 20,
              "Longest request line, in bytes (longer: 414)", "BYTES");
    t.integer("max-header-bytes", &O::max_header_bytes, std::size_t{256}, std::size_t{1} << 20,
              "Largest request head, in bytes (larger: 431)", "BYTES");
    t.integer("max-fields", &O::max_fields, std::size_t{4}, std::size_t{10'000},
              "Most header fields in a request (more: 431)");
    t.integer("max-body", &O::max_body, std::size_t{0}, std::size_t{1} << 30,
              "Largest request body read for methods that do not use one, in bytes (larger: 413)", "BYTES");
    t.integer("max-ranges", &O::max_ranges, std::size_t{1}, std::size_t{1000},
              "Most ranges honoured in one Range field (more: ignored)");
    t.flag("writable", &O::writable, "Accept PUT, DELETE and multipart POST from users of --auth");
    t.text("auth", &O::auth_file, "FILE", "htpasswd file (bcrypt or argon2 hashes) of who may write");
    t.integer("max-upload", &O::max_upload, std::uint64_t{0}, std::uint64_t{1} << 40,
              "Largest PUT body or form, in bytes (larger: 413)", "BYTES");
    t.text("access-log", &O::access_log, "FILE",
           "Log each request in Combined Log Format to FILE ('-': standard output); SIGHUP re-opens it. "
           "Without it, requests are logged to stderr when that is a terminal");
    t.flag("quiet", &O::quiet, "No request log on the terminal (when --access-log is not given)");
    t.flag("sessions", &O::sessions,
           "Give each visitor a cookie and count visits in --state DIR; GET /_session shows them");
    t.text("state", &O::state_dir, "DIR", "Directory for the server's state (the visitor database)");
    t.integer("max-visitors", &O::max_visitors, std::uint64_t{1}, std::uint64_t{1} << 40,
              "Visitors remembered; the least recent are forgotten");
    t.integer("max-upload-files", &O::max_upload_files, std::size_t{1}, std::size_t{10'000},
              "Most parts in one multipart form");
    t.flag("no-http2", &O::no_http2, "Speak HTTP/1.1 only: no h2 in ALPN, no h2c by prior knowledge");
    t.texts("push", &O::push, "PATH=URL[,URL...]",
            "Over HTTP/2, push these same-site objects (PUSH_PROMISE) with every GET of PATH; repeatable");
    t.texts("tls-listen", &O::tls_listen, "ADDR:PORT",
            "With --tls-cert: TLS (h2 and http/1.1 by ALPN) here, and clear text on --listen; repeatable");
    t.size("limit-rate", &O::limit_rate, std::uint64_t{0}, std::uint64_t{1} << 40,
           "Bytes per second each connection may send (K, M, G: binary multiples, as nginx's limit_rate); "
           "0: no limit");
    t.texts("add-header", &O::add_header, "PATH=FIELD",
            "Add FIELD ('Name: value') to the successful responses for PATH; over HTTP/2 a "
            "'Link: </x>; rel=preload' among them pushes /x; repeatable");
    t.integer("file-cache", &O::file_cache, std::size_t{0}, std::size_t{1'000'000},
              "Files each thread keeps open, with their metadata and (up to 16 KiB) their bytes; changes on "
              "disk are seen at once (inotify). 0: open every file for every request",
              "N");
    return t;
  }();
  return table;
}

Expected<WebConfig, WebOptionsError> make_web_config(const WebOptions& o, std::size_t loops) {
  if (o.root.empty() && o.vhosts.empty())
    return usage("nothing to serve: give --root DIR, or --vhost NAME=DIR for each host name");
  WebConfig c;
  for (const std::string& spec : o.vhosts) {
    const std::size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      return usage("--vhost " + spec + ": expected NAME=DIR, e.g. --vhost example.test=/srv/example");
    std::string name = spec.substr(0, eq);
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (!name.empty() && name.back() == '.') name.pop_back();
    for (const auto& existing : c.sites)
      if (existing.host == name) return usage("--vhost " + name + " is given twice");
    auto site = open_site(name, spec.substr(eq + 1), "--vhost " + name);
    if (!site) return Unexpected(site.error());
    c.sites.push_back(std::move(*site));
  }
  if (!o.root.empty()) {
    auto site = open_site("", o.root, "--root");
    if (!site) return Unexpected(site.error());
    c.sites.push_back(std::move(*site));
  }
  c.listing = !o.no_listing;
  c.follow_symlinks = o.follow_symlinks;
  c.show_dotfiles = o.show_dotfiles;
  c.compress = o.compress;
  c.file_cache_entries = o.file_cache;
  struct Timeout {
    double seconds;
    const char* name;
    std::chrono::milliseconds* out;
  };
  for (const Timeout& t : {Timeout{o.header_timeout, "--header-timeout", &c.header_timeout},
                           Timeout{o.body_timeout, "--body-timeout", &c.body_timeout},
                           Timeout{o.keepalive_timeout, "--keepalive-timeout", &c.keepalive_timeout},
                           Timeout{o.send_timeout, "--send-timeout", &c.send_timeout}}) {
    auto ms = millis(t.seconds, t.name);
    if (!ms) return Unexpected(ms.error());
    *t.out = *ms;
  }
  c.max_requests_per_connection = o.max_requests;
  if (o.max_line > o.max_header_bytes)
    return usage("--max-line (" + std::to_string(o.max_line) + ") cannot exceed --max-header-bytes (" +
                 std::to_string(o.max_header_bytes) + ")");
  c.limits.max_start_line = o.max_line;
  c.limits.max_head_bytes = o.max_header_bytes;
  c.limits.max_fields = o.max_fields;
  c.max_drain_body = o.max_body;
  c.limits.max_body_size = o.max_body;
  c.max_ranges = o.max_ranges;
  if (o.writable && o.auth_file.empty())
    return usage(
        "--writable needs --auth FILE: an htpasswd file of who may write (htpasswd -B -c FILE USER)");
  if (!o.writable && !o.auth_file.empty()) return usage("--auth only matters with --writable");
  if (o.writable) {
    c.writable = true;
    auto users = load_users(o.auth_file);
    if (!users) return Unexpected(users.error());
    c.users = std::move(*users);
    c.max_upload = o.max_upload;
    c.max_upload_files = o.max_upload_files;
    // The parser bounds every body; uploads may be larger than what is drained for nothing.
    c.limits.max_body_size = std::max<std::uint64_t>(o.max_body, o.max_upload);
  }
  if (o.sessions && o.state_dir.empty())
    return usage("--sessions needs --state DIR: the directory for the visitor database");
  if (!o.sessions && !o.state_dir.empty()) return usage("--state is only used with --sessions");
  c.http2 = !o.no_http2;
  c.limit_rate = o.limit_rate;
  for (const std::string& spec : o.push) {
    // RFC 9113 §8.4: what the server promises must be a safe request it could answer itself; here a path
    // of this server, given as it would be requested.
    const std::size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || spec[0] != '/')
      return usage("--push " + spec +
                   ": expected PATH=URL[,URL...], e.g. --push /index.html=/style.css,/logo.png");
    std::vector<std::string> urls;
    std::string_view rest = std::string_view(spec).substr(eq + 1);
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      const std::string_view url = rest.substr(0, comma);
      if (url.empty() || url.front() != '/' || url.find_first_of(" \t\r\n") != std::string_view::npos)
        return usage("--push " + spec + ": each pushed object is a path on this server, starting with '/'");
      urls.emplace_back(url);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    if (urls.empty()) return usage("--push " + spec + ": no object to push");
    c.push.emplace_back(spec.substr(0, eq), std::move(urls));
  }
  for (const std::string& spec : o.add_header) {
    const std::size_t eq = spec.find('=');
    const std::size_t colon = eq == std::string::npos ? std::string::npos : spec.find(':', eq + 1);
    auto bad = [&spec](std::string_view why) {
      return usage("--add-header " + spec + ": " + std::string(why) +
                   ", e.g. --add-header '/index.html=Link: </style.css>; rel=preload'");
    };
    if (eq == std::string::npos || eq == 0 || spec[0] != '/' || colon == std::string::npos)
      return bad("expected PATH=NAME: VALUE");
    const std::string_view name = std::string_view(spec).substr(eq + 1, colon - eq - 1);
    std::string_view value = std::string_view(spec).substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (!http::chars::is_token(name)) return bad("the field name is not a token");
    for (const char ch : value) {
      const auto u = static_cast<unsigned char>(ch);
      if ((u < 0x20 && ch != '\t') || u == 0x7f) return bad("the value has a control character");
    }
    // The fields that frame the message are the server's own (RFC 9110 §6.4, §8.6; RFC 9113 §8.2.2).
    for (std::string_view own : {"content-length", "transfer-encoding", "connection", "keep-alive", "upgrade",
                                 "te", "proxy-connection", "content-range", "trailer"}) {
      if (http::iequals(name, own)) return bad("the server sets that field itself");
    }
    c.add_header.push_back({spec.substr(0, eq), std::string(name), std::string(value)});
  }
  if (o.sessions) {
    auto store = VisitorStore::open(o.state_dir, o.max_visitors);
    if (!store) return failure(store.error());
    c.visitors = std::shared_ptr<VisitorStore>(std::move(*store));
  }
  // A terminal gets each request as it is served, like `python3 -m http.server`; a pipe or file does not
  // (a service's stderr is its log, and a request line per hit would drown it).
  const std::string log_path = !o.access_log.empty()          ? o.access_log
                               : !o.quiet && ::isatty(2) == 1 ? std::string(kTerminalLog)
                                                              : std::string();
  if (!log_path.empty()) {
    c.access_log = std::make_shared<AccessLog>(log_path, loops);
    if (auto ok = c.access_log->open(); !ok) return failure(ok.error());
  }
  return c;
}

}  // namespace endhost::web
