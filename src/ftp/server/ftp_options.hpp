// The options of `endhost ftp serve` (and a lab host's `ftp = { … }` table), declared once as a
// core::SettingTable, and FtpConfig: the checked configuration the server runs from. make_ftp_config holds
// every check that needs several options or the file system (the root exists, the users file parses, the
// anonymous upload directory is inside the root), so the lab and the command line say the same sentences.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "core/service_registry.hpp"
#include "core/settings.hpp"
#include "core/socket_place.hpp"

namespace endhost::ftp::server {

inline constexpr std::uint16_t kFtpPort = 21;         // RFC 959 §3.2 (well known; needs privilege)
inline constexpr std::uint16_t kFtpServePort = 2121;  // `endhost ftp serve` without --listen

struct FtpOptions {
  std::string root;             // --root DIR (required)
  std::string users;            // --users FILE: the passwd-style users file (src/auth/user_db.hpp)
  bool anonymous = false;       // `anonymous` and `ftp` log in (any password), read-only
  bool writable = false;        // users may change their homes; anonymous only inside --anon-upload-dir
  std::string anon_home;        // relative to --root: the anonymous tree ("" = the whole root)
  std::string anon_upload_dir;  // relative to the anonymous tree: where anonymous uploads go
  std::string pasv_ports = "50000-50999";
  std::string pasv_address;  // the address PASV announces (behind NAT); "" = the control connection's
  bool require_tls = false;  // USER/PASS only after AUTH TLS, data only with PROT P (RFC 4217 §6, §9)
  std::uint64_t max_file_size = 0;             // bytes; 0 = no limit (552 past it)
  std::uint64_t min_free_space = 64ULL << 20;  // uploads refused (552) when the disk has less left
  double idle_timeout = 300;                   // seconds between commands (421 after), vsftpd's 300
  double data_timeout = 300;                   // seconds a data connection may stall
  double connect_timeout = 60;                 // seconds to wait for the data connection
  std::size_t max_login_failures = 3;          // then 421 and close (vsftpd max_login_fails)
  double login_failure_delay = 1;              // seconds before answering a failed PASS
  std::size_t max_sessions_per_ip = 32;        // 421 to the next one
  std::size_t max_commands_per_second = 1000;  // token bucket, burst twice that; beyond: 421 and close
  std::size_t max_line = 4096;                 // a longer command line gets 500 (vsftpd's 4096)
  std::size_t login_threads = 2;               // password verification threads (argon2 is slow)
};

const core::SettingTable<FtpOptions>& ftp_settings();

struct FtpConfig {
  std::filesystem::path root;
  std::filesystem::path users_file;  // empty: no users file
  bool anonymous = false;
  bool writable = false;
  std::string anon_home;          // "pub" (relative to root) or "" for the root itself
  std::string anon_upload_vpath;  // "/incoming" (a virtual path in the anonymous tree) or ""
  std::uint16_t pasv_low = 50000;
  std::uint16_t pasv_high = 50999;
  std::string pasv_address;
  bool require_tls = false;
  std::uint64_t max_file_size = 0;
  std::uint64_t min_free_space = 0;
  std::chrono::milliseconds idle_timeout{300'000};
  std::chrono::milliseconds data_timeout{300'000};
  std::chrono::milliseconds connect_timeout{60'000};
  std::chrono::milliseconds write_timeout{60'000};
  std::size_t max_login_failures = 3;
  std::chrono::milliseconds login_failure_delay{1000};
  std::size_t max_sessions_per_ip = 32;
  std::size_t max_commands_per_second = 1000;
  std::size_t max_line = 4096;
  std::size_t login_threads = 2;
  // Where data connections' sockets are made, passive and active (core::ServiceEnv::socket_place).
  core::SocketPlace socket_place{};
};

// "LO-HI" → the range; the error names --pasv-ports.
Expected<std::pair<std::uint16_t, std::uint16_t>, std::string> parse_port_range(std::string_view text);

Expected<FtpConfig, core::ServiceError> make_ftp_config(const FtpOptions& options);

}  // namespace endhost::ftp::server
