#include "ftp/server/ftp_options.hpp"

#include <charconv>
#include <system_error>

namespace endhost::ftp::server {

const core::SettingTable<FtpOptions>& ftp_settings() {
  static const auto table = [] {
    core::SettingTable<FtpOptions> t;
    t.text("root", &FtpOptions::root, "DIR",
           "The tree served; each user is confined to their home under it (required)");
    t.text("users", &FtpOptions::users, "FILE",
           "Users file (name:{SCHEME}hash:uid:gid:gecos:home:shell), re-read on SIGHUP; home is relative to "
           "--root (default: the user's name)");
    t.flag(
        "anonymous", &FtpOptions::anonymous,
        "Let 'anonymous' and 'ftp' log in with any password, read-only, to --anon-home (needed with --users; "
        "else the root)");
    t.flag("writable", &FtpOptions::writable,
           "Let users upload, delete, rename and make directories (anonymous only in --anon-upload-dir)");
    t.text("anon-home", &FtpOptions::anon_home, "DIR",
           "The anonymous users' tree, under --root (required with --users, so the users' homes stay out of "
           "sight; default without: the root)");
    t.text("anon-upload-dir", &FtpOptions::anon_upload_dir, "DIR",
           "Directory in the anonymous tree where anonymous users may upload, never replacing a file "
           "(needs --writable and --anonymous)");
    t.text("pasv-ports", &FtpOptions::pasv_ports, "LO-HI", "Ports for passive data connections (PASV, EPSV)");
    t.text("pasv-address", &FtpOptions::pasv_address, "IPV4",
           "Address PASV announces (behind NAT); default: the control connection's local address");
    t.flag("require-tls", &FtpOptions::require_tls,
           "Refuse USER/PASS before AUTH TLS and plain data connections (RFC 4217); needs --tls-cert");
    t.size("max-file-size", &FtpOptions::max_file_size, std::uint64_t{0}, std::uint64_t{1} << 50,
           "Largest upload accepted (552 past it); 0 for no limit");
    t.size("min-free-space", &FtpOptions::min_free_space, std::uint64_t{0}, std::uint64_t{1} << 50,
           "Uploads stop (452) when the disk has less than this free");
    t.seconds("idle-timeout", &FtpOptions::idle_timeout, "Seconds between commands before 421 and close");
    t.seconds("data-timeout", &FtpOptions::data_timeout, "Seconds a data connection may stall");
    t.seconds("connect-timeout", &FtpOptions::connect_timeout,
              "Seconds to wait for a data connection to be made");
    t.integer("max-login-failures", &FtpOptions::max_login_failures, std::size_t{1}, std::size_t{100},
              "Failed logins before the connection is closed");
    t.number("login-failure-delay", &FtpOptions::login_failure_delay, 0, 60,
             "Seconds before a failed login is answered", "SECONDS");
    t.integer("max-sessions-per-ip", &FtpOptions::max_sessions_per_ip, std::size_t{1}, std::size_t{100'000},
              "Control connections from one address at once (421 beyond)");
    t.integer("max-commands-per-second", &FtpOptions::max_commands_per_second, std::size_t{1},
              std::size_t{1'000'000},
              "Commands per second and connection (a burst of twice that); faster clients are closed (421)");
    t.integer("max-line", &FtpOptions::max_line, std::size_t{512}, std::size_t{65'536},
              "Longest command line, in bytes (500 beyond)", "BYTES");
    t.integer("login-threads", &FtpOptions::login_threads, std::size_t{1}, std::size_t{64},
              "Threads that verify passwords (and do slow file-system work)");
    return t;
  }();
  return table;
}

Expected<std::pair<std::uint16_t, std::uint16_t>, std::string> parse_port_range(std::string_view text) {
  const auto bad = [&] {
    return Unexpected("--pasv-ports: '" + std::string(text) +
                      "' is not LO-HI with 1024 <= LO <= HI <= 65535");
  };
  const std::size_t dash = text.find('-');
  if (dash == std::string_view::npos) return bad();
  unsigned lo = 0, hi = 0;
  const auto a = std::from_chars(text.data(), text.data() + dash, lo);
  const auto b = std::from_chars(text.data() + dash + 1, text.data() + text.size(), hi);
  if (a.ec != std::errc() || a.ptr != text.data() + dash || b.ec != std::errc() ||
      b.ptr != text.data() + text.size())
    return bad();
  if (lo < 1024 || hi > 65535 || lo > hi) return bad();
  return std::pair{static_cast<std::uint16_t>(lo), static_cast<std::uint16_t>(hi)};
}

Expected<FtpConfig, core::ServiceError> make_ftp_config(const FtpOptions& o) {
  const auto usage = [](std::string m) { return Unexpected(core::ServiceError{std::move(m), true}); };
  FtpConfig c;
  if (o.root.empty()) return usage("--root DIR is required: the directory to serve");
  std::error_code ec;
  c.root = std::filesystem::absolute(o.root, ec);
  if (ec || !std::filesystem::is_directory(c.root, ec))
    return Unexpected(core::ServiceError{"--root " + o.root + " is not a directory", false});
  if (o.users.empty() && !o.anonymous)
    return usage("nobody can log in: give --users FILE, --anonymous, or both");
  // vsftpd keeps anonymous in the ftp account's home, apart from local users; here the users' homes are
  // under --root, so anonymous with users needs a tree of its own, or it would read every user's files.
  if (!o.users.empty() && o.anonymous && o.anon_home.empty())
    return usage(
        "--anonymous with --users would let anonymous read every user's home: give --anon-home DIR, a "
        "directory under --root for anonymous (e.g. pub), or . to share the whole root");
  c.users_file = o.users;
  c.anonymous = o.anonymous;
  c.writable = o.writable;
  if (!o.anon_home.empty()) {
    if (!o.anonymous) return usage("--anon-home needs --anonymous");
    for (std::string_view rest = o.anon_home; !rest.empty();) {
      const std::size_t slash = rest.find('/');
      if (rest.substr(0, slash) == "..") return usage("--anon-home must stay inside --root");
      rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    }
    std::string h = o.anon_home;
    while (!h.empty() && h.front() == '/') h.erase(0, 1);
    if (h == ".") h.clear();  // `--anon-home .`: the whole root, users' homes included, said on purpose
    if (!std::filesystem::is_directory(c.root / h, ec))
      return Unexpected(
          core::ServiceError{"--anon-home " + o.anon_home + " is not a directory under --root", false});
    c.anon_home = h;
  }
  if (!o.anon_upload_dir.empty()) {
    if (!o.anonymous || !o.writable) return usage("--anon-upload-dir needs --anonymous and --writable");
    std::string v = "/";
    for (std::string_view rest = o.anon_upload_dir; !rest.empty();) {
      const std::size_t slash = rest.find('/');
      const std::string_view seg = rest.substr(0, slash);
      if (seg == "..") return usage("--anon-upload-dir must stay inside --root");
      if (!seg.empty() && seg != ".") v += (v.size() > 1 ? "/" : "") + std::string(seg);
      rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    }
    if (v == "/") return usage("--anon-upload-dir must name a directory under --root, not the root itself");
    if (!std::filesystem::is_directory(c.root / c.anon_home / v.substr(1), ec))
      return Unexpected(core::ServiceError{
          "--anon-upload-dir " + o.anon_upload_dir + " is not a directory in the anonymous tree", false});
    c.anon_upload_vpath = v;
  }
  auto ports = parse_port_range(o.pasv_ports);
  if (!ports) return usage(ports.error());
  c.pasv_low = ports->first;
  c.pasv_high = ports->second;
  if (!o.pasv_address.empty()) {
    boost::system::error_code aec;
    const auto a = asio::ip::make_address_v4(o.pasv_address, aec);
    if (aec) return usage("--pasv-address: '" + o.pasv_address + "' is not an IPv4 address");
    c.pasv_address = a.to_string();
  }
  c.require_tls = o.require_tls;
  c.max_file_size = o.max_file_size;
  c.min_free_space = o.min_free_space;
  c.idle_timeout = core::seconds_as(o.idle_timeout);
  c.data_timeout = core::seconds_as(o.data_timeout);
  c.connect_timeout = core::seconds_as(o.connect_timeout);
  c.max_login_failures = o.max_login_failures;
  c.login_failure_delay = core::seconds_as(o.login_failure_delay);
  c.max_sessions_per_ip = o.max_sessions_per_ip;
  c.max_commands_per_second = o.max_commands_per_second;
  c.max_line = o.max_line;
  c.login_threads = o.login_threads;
  return c;
}

}  // namespace endhost::ftp::server
