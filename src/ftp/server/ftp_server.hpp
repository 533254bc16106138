// What every FTP session of one service shares: the checked configuration, the root's file system, the
// users file (re-read on SIGHUP, swapped atomically: a session keeps the copy it logged in with), the
// blocking pool for password checks and slow file-system work, the passive ports, the TLS context, the
// per-address session counts and the counters. Thread-safe where several loops touch it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "auth/user_db.hpp"
#include "core/asio.hpp"
#include "core/blocking_pool.hpp"
#include "core/connection.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/tls_server_context.hpp"
#include "core/transcript.hpp"
#include "ftp/server/confined_fs.hpp"
#include "ftp/server/data_channel.hpp"
#include "ftp/server/ftp_options.hpp"

namespace endhost::ftp::server {

struct FtpCounters {
  core::Counter* commands = nullptr;
  core::Counter* sessions = nullptr;
  core::Counter* logins = nullptr;
  core::Counter* login_failures = nullptr;
  core::Counter* transfers = nullptr;
  core::Counter* bytes_sent = nullptr;
  core::Counter* bytes_received = nullptr;
  core::Counter* hijack_attempts = nullptr;  // data connections from another address, closed
  core::Counter* refused = nullptr;          // sessions refused: per-address or connection limit
};

class FtpServer {
 public:
  FtpServer(FtpConfig config, ConfinedFs root, std::shared_ptr<const auth::UserDb> users,
            core::MetricsRegistry& metrics, core::Logger& log, core::Transcript transcript);

  const FtpConfig& config() const { return config_; }
  const ConfinedFs& root() const { return root_; }
  core::BlockingPool& pool() { return pool_; }
  PassivePorts& ports() { return ports_; }
  const core::Transcript& transcript() const { return transcript_; }
  core::Logger& log() { return log_; }
  const FtpCounters& counters() const { return counters_; }

  void set_tls(std::shared_ptr<core::TlsServerContext> tls) { tls_ = std::move(tls); }
  const std::shared_ptr<core::TlsServerContext>& tls() const { return tls_; }

  std::shared_ptr<const auth::UserDb> users() const;
  // SIGHUP: re-reads --users; on error the previous users stay and the error is returned.
  Expected<void, std::string> reload_users();

  // Counts a control connection from `address`; false (and nothing counted) past --max-sessions-per-ip.
  bool enter(const asio::ip::address& address);
  void leave(const asio::ip::address& address);

 private:
  FtpConfig config_;
  ConfinedFs root_;
  core::BlockingPool pool_;
  PassivePorts ports_;
  core::Logger& log_;
  core::Transcript transcript_;
  std::shared_ptr<core::TlsServerContext> tls_;
  FtpCounters counters_;

  mutable std::mutex users_mutex_;
  std::shared_ptr<const auth::UserDb> users_;

  std::mutex per_ip_mutex_;
  std::map<asio::ip::address, std::size_t> per_ip_;
};

// One control connection, from the greeting to QUIT (or a timeout, a limit, a drain).
awaitable<void> serve_ftp(core::Connection& conn, FtpServer& server);
// Past --max-connections: 421 and close (RFC 959 §4.2: 421 service not available).
awaitable<void> refuse_ftp(core::Connection& conn);

}  // namespace endhost::ftp::server
