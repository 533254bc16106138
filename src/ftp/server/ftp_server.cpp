#include "ftp/server/ftp_server.hpp"

namespace endhost::ftp::server {

FtpServer::FtpServer(FtpConfig config, ConfinedFs root, std::shared_ptr<const auth::UserDb> users,
                     core::MetricsRegistry& metrics, core::Logger& log, core::Transcript transcript)
    : config_(std::move(config)),
      root_(std::move(root)),
      pool_("ftp-blocking", config_.login_threads),
      ports_(config_.pasv_low, config_.pasv_high),
      log_(log),
      transcript_(std::move(transcript)),
      users_(std::move(users)) {
  counters_.commands = &metrics.counter("endhost_ftp_commands_total", "FTP commands received");
  counters_.sessions = &metrics.counter("endhost_ftp_sessions_total", "FTP control connections served");
  counters_.logins = &metrics.counter("endhost_ftp_logins_total", "Successful FTP logins");
  counters_.login_failures = &metrics.counter("endhost_ftp_login_failures_total", "Failed FTP logins");
  counters_.transfers = &metrics.counter("endhost_ftp_transfers_total", "Data transfers completed (226)");
  counters_.bytes_sent = &metrics.counter("endhost_ftp_sent_bytes_total", "Bytes sent on data connections");
  counters_.bytes_received =
      &metrics.counter("endhost_ftp_received_bytes_total", "Bytes received on data connections");
  counters_.hijack_attempts = &metrics.counter("endhost_ftp_data_hijack_attempts_total",
                                               "Passive data connections from another address, closed");
  counters_.refused = &metrics.counter("endhost_ftp_refused_sessions_total",
                                       "Control connections refused by a session or connection limit");
}

std::shared_ptr<const auth::UserDb> FtpServer::users() const {
  std::lock_guard lock(users_mutex_);
  return users_;
}

Expected<void, std::string> FtpServer::reload_users() {
  if (config_.users_file.empty()) return {};
  auto db = auth::UserDb::load(config_.users_file);
  if (!db) return Unexpected(db.error());
  auto fresh = std::make_shared<const auth::UserDb>(std::move(*db));
  std::lock_guard lock(users_mutex_);
  users_ = std::move(fresh);
  return {};
}

bool FtpServer::enter(const asio::ip::address& address) {
  std::lock_guard lock(per_ip_mutex_);
  std::size_t& n = per_ip_[address];
  if (n >= config_.max_sessions_per_ip) {
    if (n == 0) per_ip_.erase(address);
    return false;
  }
  ++n;
  return true;
}

void FtpServer::leave(const asio::ip::address& address) {
  std::lock_guard lock(per_ip_mutex_);
  auto it = per_ip_.find(address);
  if (it == per_ip_.end()) return;
  if (--it->second == 0) per_ip_.erase(it);
}

}  // namespace endhost::ftp::server
