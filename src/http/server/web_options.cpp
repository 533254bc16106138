#include "http/server/web_options.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>

#include "http/server/basic_auth.hpp"
#include "http/server/file_access.hpp"
#include "http/server/visitor_store.hpp"

namespace endhost::web {

namespace {

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
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
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

// One option of the table set_web_option reads: where it goes and the command line's range.
struct OptionSpec {
  std::string name;
  enum class Kind { flag, size, u64, seconds } kind;
  void* (*field)(WebOptions&);
  std::uint64_t low = 0;
  std::uint64_t high = 0;
};

template <auto Member>
void* field_of(WebOptions& o) {
  return &(o.*Member);
}

const std::vector<OptionSpec>& specs() {
  using K = OptionSpec::Kind;
  static const std::vector<OptionSpec> table = {
      {"no-listing", K::flag, field_of<&WebOptions::no_listing>},
      {"follow-symlinks", K::flag, field_of<&WebOptions::follow_symlinks>},
      {"show-dotfiles", K::flag, field_of<&WebOptions::show_dotfiles>},
      {"compress", K::flag, field_of<&WebOptions::compress>},
      {"header-timeout", K::seconds, field_of<&WebOptions::header_timeout>},
      {"body-timeout", K::seconds, field_of<&WebOptions::body_timeout>},
      {"keepalive-timeout", K::seconds, field_of<&WebOptions::keepalive_timeout>},
      {"send-timeout", K::seconds, field_of<&WebOptions::send_timeout>},
      {"max-requests", K::size, field_of<&WebOptions::max_requests>, 1, 100'000'000},
      {"max-line", K::size, field_of<&WebOptions::max_line>, 64, 1u << 20},
      {"max-header-bytes", K::size, field_of<&WebOptions::max_header_bytes>, 256, 1u << 20},
      {"max-fields", K::size, field_of<&WebOptions::max_fields>, 4, 10'000},
      {"max-body", K::size, field_of<&WebOptions::max_body>, 0, 1u << 30},
      {"max-ranges", K::size, field_of<&WebOptions::max_ranges>, 1, 1000},
      {"max-upload", K::u64, field_of<&WebOptions::max_upload>, 0, std::uint64_t{1} << 40},
      {"max-upload-files", K::size, field_of<&WebOptions::max_upload_files>, 1, 10'000},
      {"max-visitors", K::u64, field_of<&WebOptions::max_visitors>, 1, std::uint64_t{1} << 40},
  };
  return table;
}

}  // namespace

const std::vector<std::string>& web_option_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& s : specs()) out.push_back(s.name);
    return out;
  }();
  return names;
}

Expected<void, std::string> set_web_option(WebOptions& o, std::string_view given, std::string_view value) {
  std::string name(given);
  std::replace(name.begin(), name.end(), '_', '-');
  const auto it =
      std::find_if(specs().begin(), specs().end(), [&](const OptionSpec& s) { return s.name == name; });
  if (it == specs().end()) return Unexpected("--" + name + ": not an option of the web server");
  void* field = it->field(o);
  const std::string option = "--" + name;
  switch (it->kind) {
    case OptionSpec::Kind::flag:
      if (value != "true" && value != "false") return Unexpected(option + ": expected true or false");
      *static_cast<bool*>(field) = value == "true";
      return {};
    case OptionSpec::Kind::seconds: {
      double v = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || p != value.data() + value.size() || !(v > 0) || v > 1e6)
        return Unexpected(option + " must be a positive number of seconds");
      *static_cast<double*>(field) = v;
      return {};
    }
    case OptionSpec::Kind::size:
    case OptionSpec::Kind::u64: {
      std::uint64_t v = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || p != value.data() + value.size() || v < it->low || v > it->high)
        return Unexpected(option + ": " + std::string(value) + " not in [" + std::to_string(it->low) + " - " +
                          std::to_string(it->high) + "]");
      if (it->kind == OptionSpec::Kind::size)
        *static_cast<std::size_t*>(field) = static_cast<std::size_t>(v);
      else
        *static_cast<std::uint64_t*>(field) = v;
      return {};
    }
  }
  return Unexpected(option + ": cannot be set here");
}

Expected<WebConfig, WebOptionsError> make_web_config(const WebOptions& o) {
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
  if (o.sessions) {
    auto store = VisitorStore::open(o.state_dir, o.max_visitors);
    if (!store) return failure(store.error());
    c.visitors = std::shared_ptr<VisitorStore>(std::move(*store));
  }
  return c;
}

}  // namespace endhost::web
