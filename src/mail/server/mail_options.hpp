// The options of `endhost mail serve` (and a lab host's `mail = { … }` table), declared once as a
// core::SettingTable, and MailConfig: the checked configuration the server runs from. make_mail_config holds
// every check that needs several options or the file system (a domain is given, the mail directory can be
// made, the users file parses and its names fit the domains, --submission-listen, --pop3, --imap and
// --webmail have --users), so the lab and the command line say the same sentences.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/address_acl.hpp"
#include "core/asio.hpp"
#include "core/expected.hpp"
#include "core/host_port.hpp"
#include "core/service_registry.hpp"
#include "core/settings.hpp"

namespace endhost::mail::server {

inline constexpr std::uint16_t kSmtpPort = 25;  // RFC 5321 §4.5.4.2 (well known; needs privilege)
inline constexpr std::uint16_t kMailServePort =
    2525;  // `mail serve` without --listen, when 25 is not allowed
inline constexpr std::uint16_t kSubmissionPort = 587;        // RFC 6409 §3.1
inline constexpr std::uint16_t kSubmissionServePort = 2587;  // submission's default when 587 needs privilege
inline constexpr std::uint16_t kPop3Port = 110;              // RFC 1939 §3
inline constexpr std::uint16_t kPop3ServePort = 1110;        // POP3's default when 110 needs privilege
inline constexpr std::uint16_t kImapPort = 143;              // RFC 9051 §1 (and RFC 3501)
inline constexpr std::uint16_t kImapServePort = 1143;        // IMAP's default when 143 needs privilege
inline constexpr std::uint16_t kWebmailPort = 8080;          // --webmail PORT or ADDR without one

struct MailOptions {
  std::vector<std::string> domains;       // --domain D (repeatable, at least one)
  std::string hostname;                   // greeting and Received: (default: the first domain)
  std::string mail_dir;                   // --mail-dir DIR (required): users/, queue/, dkim/
  std::string users;                      // --users FILE: Dovecot passwd-file (src/auth/user_db.hpp)
  std::string submission_listen;          // --submission-listen ADDR:PORT|off (RFC 6409; needs --users)
  std::string pop3;                       // --pop3 ADDR:PORT|off (RFC 1939; needs --users)
  std::string imap;                       // --imap ADDR:PORT|off (RFC 3501; needs --users)
  double webmail_idle_timeout = 30 * 60;  // --webmail-idle-timeout: a session unused this long is logged out
  std::string webmail;                    // --webmail ADDR:PORT|PORT|off (off unless given; needs --users)
  std::vector<std::string> relay_from;    // --relay-from CIDR: peers whose mail for any domain is relayed
  std::vector<std::string> trusted_networks;  // --trusted-networks CIDR[,CIDR…]: plain-text logins allowed
  std::string postmaster;                     // --postmaster NAME: who gets postmaster@ each domain
  std::uint64_t max_message_size = 10'240'000;  // Postfix message_size_limit
  std::size_t max_recipients = 100;             // RFC 5321 §4.5.3.1.8's minimum; Postfix 1000
  std::size_t max_errors = 10;                  // then 421 and close (Postfix smtpd_soft_error_limit)
  std::size_t max_commands_before_mail = 50;
  std::string resolver;                   // --resolver ADDR:PORT: MX lookups and SPF
  std::uint16_t relay_port = 25;          // the next hop's SMTP port
  std::string relay_host;                 // --relay-host HOST[:PORT]: a smarthost for every message
  double retry_min = 300;                 // Postfix minimal_backoff_time
  double retry_max = 4000;                // Postfix maximal_backoff_time
  double queue_lifetime = 5 * 24 * 3600;  // Postfix maximal_queue_lifetime (5d)
  double queue_run_interval = 300;        // Postfix queue_run_delay
  std::string dkim_selector = "endhost";
  std::string dkim_algorithm = "rsa";  // rsa-sha256 (every verifier has it) or ed25519-sha256
  bool dkim_reject = false;            // 550 for a message whose DKIM signature fails
  bool spf_reject = false;             // 550 at the end of DATA when SPF says fail
  bool require_tls = false;            // MAIL only after STARTTLS (Postfix smtpd_tls_security_level=encrypt)
  double command_timeout = 300;        // RFC 5321 §4.5.3.2.7: server timeout 5 min
  double data_timeout = 180;           // RFC 5321 §4.5.3.2.5: 3 min per data block
  std::size_t delivery_threads = 8;    // fsync, rename, password checks (argon2)
};

const core::SettingTable<MailOptions>& mail_settings();

enum class DkimAlgorithm { Rsa, Ed25519 };

struct MailConfig {
  std::vector<std::string> domains;  // lower case, in the order given
  std::string hostname;
  std::filesystem::path mail_dir;    // absolute
  std::filesystem::path users_file;  // empty: none (no AUTH, no local users)
  std::optional<asio::ip::tcp::endpoint> submission_listen;
  std::optional<asio::ip::tcp::endpoint> pop3_listen;
  std::optional<asio::ip::tcp::endpoint> imap_listen;
  std::optional<asio::ip::tcp::endpoint> webmail_listen;
  std::chrono::milliseconds webmail_idle_timeout{30 * 60 * 1000};
  core::AddressAcl relay_from;        // empty: nobody
  core::AddressAcl trusted_networks;  // --trusted-networks: plain-text logins as from loopback; empty: none

  // Loopback peers and those in --trusted-networks may log in without TLS (Dovecot's
  // login_trusted_networks, Postfix's mynetworks). `peer` is unmapped (v4-mapped IPv6 as IPv4).
  bool trusts(const asio::ip::address& peer) const;
  std::string postmaster;
  std::uint64_t max_message_size = 0;
  std::size_t max_recipients = 100;
  std::size_t max_errors = 10;
  std::size_t max_commands_before_mail = 50;
  std::optional<asio::ip::udp::endpoint> resolver;
  std::uint16_t relay_port = 25;
  std::optional<core::HostPort> relay_host;
  std::chrono::seconds retry_min{300}, retry_max{4000}, queue_lifetime{5 * 24 * 3600},
      queue_run_interval{300};
  std::string dkim_selector;
  DkimAlgorithm dkim_algorithm = DkimAlgorithm::Rsa;
  bool dkim_reject = false;
  bool spf_reject = false;
  bool require_tls = false;
  std::chrono::milliseconds command_timeout{300'000};
  std::chrono::milliseconds data_timeout{180'000};
  std::chrono::milliseconds data_end_timeout{600'000};  // RFC 5321 §4.5.3.2.6: 10 min after <CRLF>.<CRLF>
  std::chrono::milliseconds write_timeout{300'000};
  std::size_t delivery_threads = 8;

  std::filesystem::path users_dir() const { return mail_dir / "users"; }
  std::filesystem::path queue_dir() const { return mail_dir / "queue"; }
  std::filesystem::path dkim_dir() const { return mail_dir / "dkim"; }
};

// Checks the options and makes DIR, DIR/users and DIR/queue where missing.
Expected<MailConfig, core::ServiceError> make_mail_config(const MailOptions& options);

// A domain name as --domain takes it: letters, digits, '-' and '.', labels of 1..63, at most 253.
bool valid_domain(std::string_view domain);

}  // namespace endhost::mail::server
