// The FTP server's control connection without the sockets (RFC 959 with RFC 1123 §4.1, 2389, 2428, 2577,
// 2640, 3659, 4217): command lines in, replies out through a text::ReplyWriter, and for everything that needs
// the outside world an Action the I/O layer carries out and answers with a completion. The session never
// touches a file, a socket or a clock; it owns the protocol: which command is allowed when, the login and its
// failure count, the current directory, REST, RNFR/RNTO pairing, TYPE/MODE/STRU, PASV/EPSV/EPSV ALL,
// PORT/EPRT checked against the control connection's peer (the bounce attack, RFC 2577 §3), AUTH TLS, PBSZ,
// PROT, and what may be said while a transfer runs.
//
// The I/O's loop (src/ftp/server/):
//   1. send writer().pending() (call writer().consumed(n) with what the socket took) — a completion or
//      on_line() may add replies at any time; after greeting() there is a 220 to send;
//   2. for each line text::CommandReader returns, call on_line(); carry out the Action it returns;
//   3. when the action's work is done, call its completion (login_result, passive_ready, fs_result,
//      transfer_started / transfer_done, tls_ready …), which may return a further Action to carry out.
// One action is outstanding at a time, except during a transfer, when on_line() still answers ABOR
// (returns Action Abort), STAT and QUIT. Lines that arrive while an action is outstanding are kept (at most
// SessionLimits::max_deferred_lines; can_take_line() says when to stop reading) and run in order by poll(),
// so a pipelining client is answered in order: after carrying out each action (and its completion's), call
// poll() until it returns None.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "ftp/command_table.hpp"
#include "ftp/host_port.hpp"
#include "text/read_error.hpp"
#include "text/reply_writer.hpp"

namespace endhost::ftp {

struct SessionLimits {
  std::size_t max_login_failures = 3;                  // then Close (vsftpd max_login_fails)
  std::chrono::milliseconds failed_login_delay{1000};  // Pause before each 530 (vsftpd delay_failed_login)
  std::size_t max_path = 4096;                         // bytes of a virtual path (PATH_MAX)
  std::size_t max_deferred_lines = 32;                 // lines kept while an action is outstanding
  std::uint32_t max_commands_per_second = 0;           // 0: no limit; else a token bucket, burst twice that
};

struct SessionConfig {
  std::string server_name = "endhost";  // in the 220 greeting: `220 (endhost FTP)`
  bool anonymous = false;               // `anonymous` and `ftp` log in with any password (RFC 1635)
  bool writable = false;                // logged-in users may STOR/APPE/STOU/DELE/RNFR/MKD/RMD/SITE CHMOD
  // Anonymous users may only STOR and STOU, and only below this virtual directory (e.g. "/incoming"), never
  // overwriting (Transfer::exclusive); empty: anonymous is read-only. Needs `writable`.
  std::string anon_upload_dir;
  bool tls_available = false;  // AUTH TLS is offered (a certificate is loaded)
  bool tls_required = false;   // --require-tls: no USER/PASS before AUTH TLS, no data without PROT P
  bool tls_active = false;     // the control connection is already TLS (implicit FTPS): AUTH TLS refused
  std::string peer_address;    // the control connection's peer (any text parse_ip takes)
  std::string local_address;   // the control connection's local address: the 227 reply carries it
  SessionLimits limits;
};

// Which MLST/MLSD facts the client chose with OPTS MLST (RFC 3659 §7.9); all on by default.
struct MlstFacts {
  bool type = true, size = true, modify = true, perm = true, unix_mode = true;
  friend bool operator==(const MlstFacts&, const MlstFacts&) = default;
};

namespace action {
struct None {
  friend bool operator==(const None&, const None&) = default;
};
// PASS (or an anonymous login): check the password off the event loop (auth::verify_password, or
// auth::verify_decoy for an unknown user), then call login_result(). Anonymous logins need no check: the
// I/O sets up the anonymous tree and answers ok (the password is the client's e-mail address, RFC 1635).
struct VerifyLogin {
  std::string user;
  std::string password;
  bool anonymous = false;
  friend bool operator==(const VerifyLogin&, const VerifyLogin&) = default;
};
// PASV/EPSV: drop any earlier data-connection setup, listen on a port from --pasv-ports, call
// passive_ready(port) (or data_failed()). Accept only a connection from the control peer's address.
struct OpenPassive {
  bool extended = false;  // EPSV (229) rather than PASV (227)
  friend bool operator==(const OpenPassive&, const OpenPassive&) = default;
};
// PORT/EPRT, already checked (the peer's address, port >= 1024) and answered 200: drop any passive listener
// and connect to `target` when the next Transfer needs the data connection (as vsftpd does). No completion.
struct ConnectActive {
  HostPort target;
  friend bool operator==(const ConnectActive&, const ConnectActive&) = default;
};

enum class FsOp {
  ChangeDir,   // CWD, CDUP: `path` must be a directory the user may enter
  MakeDir,     // MKD
  RemoveDir,   // RMD
  Delete,      // DELE
  RenameFrom,  // RNFR: `path` must exist (nothing moves yet)
  RenameTo,    // RNTO: rename `path` (the RNFR one) to `path2`
  Size,        // SIZE: facts.size of a regular file
  ModTime,     // MDTM: facts.mtime of a regular file
  Facts,       // MLST: the result's lines hold the one facts line (RFC 3659 §7.2), made with `facts`
  StatList,    // STAT path: the result's lines are the LIST lines of `path` (RFC 959 §4.1.3 STAT)
  Chmod,       // SITE CHMOD: `mode` (0–07777) on `path`
};
struct Fs {
  FsOp op = FsOp::ChangeDir;
  std::string path;   // normalized absolute virtual path (resolve_path)
  std::string path2;  // RenameTo: the new name
  std::uint32_t mode = 0;
  MlstFacts facts;  // Facts
  friend bool operator==(const Fs&, const Fs&) = default;
};

enum class TransferKind { Retr, Stor, Appe, Stou, List, Nlst, Mlsd };
// A transfer over the data connection prepared by the last OpenPassive/ConnectActive (the session checked
// that there is one). Open the file (or directory), then connect/accept, then call transfer_started() (150);
// send or receive; call transfer_done(). A failure before 150 (no such file) is transfer_done() alone.
struct Transfer {
  TransferKind kind = TransferKind::Retr;
  std::string path;             // normalized absolute virtual path; Stou: the directory to create a file in
  std::uint64_t offset = 0;     // REST (RFC 3659 §5): Retr starts there, Stor writes from there (keeping the
                                // first `offset` bytes); 0 otherwise
  bool ascii = false;           // TYPE A: convert line endings (RETR, STOR, APPE; listings are always CRLF)
  bool protected_data = false;  // PROT P: TLS on the data connection (RFC 4217 §9)
  bool exclusive = false;       // anonymous upload: refuse to replace an existing file
  std::string list_options;     // LIST/NLST: the `-la` style options the client sent (may be empty)
  MlstFacts facts;              // Mlsd
  friend bool operator==(const Transfer&, const Transfer&) = default;
};
// ABOR during a transfer: stop it, close the data connection, call transfer_done(Aborted) (RFC 959 §4.1.3).
struct Abort {
  friend bool operator==(const Abort&, const Abort&) = default;
};
// AUTH TLS was answered 234: send it, drop buffered input (text::CommandReader::discard_buffered, RFC 4217
// §4 / CVE-2011-0411), run the TLS handshake, then call tls_ready() (or close on failure).
struct StartTls {
  friend bool operator==(const StartTls&, const StartTls&) = default;
};
// Wait `delay` (failed logins), send what is pending, then close both connections.
struct Close {
  std::chrono::milliseconds delay{0};
  friend bool operator==(const Close&, const Close&) = default;
};
// Wait `delay` before sending what is pending and reading on (a failed login's 530: slows down guessing).
struct Pause {
  std::chrono::milliseconds delay{0};
  friend bool operator==(const Pause&, const Pause&) = default;
};
}  // namespace action

using Action =
    std::variant<action::None, action::VerifyLogin, action::OpenPassive, action::ConnectActive, action::Fs,
                 action::Transfer, action::Abort, action::StartTls, action::Close, action::Pause>;

// How a filesystem operation or a transfer ended, errno-like; the session picks the reply (vsftpd's texts).
enum class FsError {
  None,
  NotFound,          // ENOENT, or outside the user's tree: 550
  PermissionDenied,  // EACCES, EPERM, a symlink out of the tree: 550
  Exists,            // EEXIST: 550
  NotDirectory,      // ENOTDIR: 550
  IsDirectory,       // EISDIR (RETR/SIZE of a directory): 550
  NotEmpty,          // ENOTEMPTY (RMD): 550
  NoSpace,           // ENOSPC or the disk-space floor: 452 (RFC 959: insufficient storage)
  TooLarge,          // --max-file-size: 552 (exceeded storage allocation)
  Io,                // EIO and anything else: 451 (local error in processing)
};

struct FsResult {
  FsError error = FsError::None;
  std::uint64_t size = 0;          // Size
  core::WallTime mtime{};          // ModTime (UTC)
  std::vector<std::string> lines;  // Facts: one facts line; StatList: listing lines (no CRLF)
};

enum class TransferOutcome {
  Ok,                // 226 Transfer complete.
  Aborted,           // ABOR stopped it: 426, then 226 for the ABOR
  DataLost,          // the data connection broke or timed out: 426
  LocalError,        // read/write error on the file: 451
  NotFound,          // before 150: 550 Failed to open file.
  PermissionDenied,  // 550 Permission denied.
  IsDirectory,       // RETR of a directory: 550 Failed to open file.
  NoSpace,           // 452
  TooLarge,          // 552
  TlsFailed,         // the data connection's TLS handshake failed (RFC 4217 §10): 522
};

class ServerSession {
 public:
  // FTP's replies carry paths, so lines may be long (PATH_MAX and more); STAT listings make big replies.
  static constexpr text::WriterLimits kWriterLimits{4 * 1024 * 1024, 16 * 1024};
  explicit ServerSession(SessionConfig config, text::WriterLimits writer_limits = kWriterLimits);

  // Writes the 220 greeting (RFC 959 §5.4: 220 on connection). Call once, first.
  void greeting();
  // Or, when the I/O refuses the connection (too many sessions per IP): 421 and Close.
  Action refuse(std::string_view why);

  // A whole line from text::CommandReader (without CRLF); `now` feeds the commands-per-second limit.
  Action on_line(std::string_view line, core::Instant now = {});
  // The reader refused a line (too long, bare CR/LF): 500 and go on.
  Action on_read_error(text::ReadError error);
  // Whether on_line() may be fed now (false while max_deferred_lines are kept: stop reading).
  bool can_take_line() const;
  // After carrying out an action with no completion (None, ConnectActive, Pause) and after each completion's
  // action: runs the next line kept while the session was busy. Call until it returns None.
  Action poll();

  // Completions, one per outstanding action.
  Action login_result(bool ok, std::string home = "/");  // VerifyLogin: 230 (cwd := home) or 530
  Action passive_ready(std::uint16_t port);              // OpenPassive: 227 / 229
  Action data_failed();                                  // OpenPassive failed, or the Transfer's data
                                                         // connection could not be made: 425
  Action fs_result(const FsResult& result);              // Fs
  // Transfer: the data connection is open and data flows: 150 (Retr: `size` if known; Stou: the file name
  // chosen, RFC 1123 §4.1.2.9 `150 FILE: name`).
  void transfer_started(std::optional<std::uint64_t> size = std::nullopt, std::string_view stou_name = {});
  void transfer_progress(std::uint64_t bytes);  // for STAT during the transfer
  Action transfer_done(TransferOutcome outcome);
  Action tls_ready();  // StartTls: the control connection is now TLS

  // The I/O's idle timer expired (no command for --idle-timeout): 421 and Close (vsftpd `421 Timeout.`).
  Action idle_timeout();
  // The data connection's idle timer expired during a transfer: 421 and Close (vsftpd
  // data_connection_timeout).
  Action data_timeout();

  text::ReplyWriter& writer() { return writer_; }
  const text::ReplyWriter& writer() const { return writer_; }

  State state() const { return state_; }
  bool closing() const { return closing_; }  // Close was returned (or is): read nothing more
  bool logged_in() const { return state_ == State::LoggedIn || state_ == State::Transferring; }
  bool anonymous() const { return anonymous_; }
  bool tls_active() const { return tls_active_; }
  const std::string& user() const { return user_; }
  const std::string& cwd() const { return cwd_; }
  std::size_t login_failures() const { return login_failures_; }
  // For --trace: the line as it may be printed (PASS's argument replaced by ****).
  static std::string traceable(std::string_view line);

 private:
  struct Impl;  // the command handlers (server_commands.cpp)
  friend struct Impl;

  enum class Pending { None, Login, Passive, Fs, Transfer, Tls };
  enum class DataSetup { None, Passive, Active };

  Action dispatch(std::string_view line);
  Action take_line(std::string_view raw, core::Instant now);
  Action finish_fs(const FsResult& result);
  Action read_error_impl(text::ReadError error);
  Action login_impl(bool ok, std::string home);
  Action passive_impl(std::uint16_t port);
  Action data_failed_impl();
  Action tls_impl();
  Action finish_transfer(TransferOutcome outcome);
  // A reply that did not fit the output buffer (the I/O did not drain it) ends the session: Close, once.
  Action checked(Action a);
  void reply(int code, std::string_view text);
  // `code-first`, then each middle line with a leading space (RFC 959 §4.2, RFC 2389 §3.2), `code last`.
  void reply_lines(int code, std::string_view first, const std::vector<std::string>& middle,
                   std::string_view last);
  Action close_after_reply(int code, std::string_view text, std::chrono::milliseconds delay = {});
  bool take_token(core::Instant now);
  void end_transfer();

  SessionConfig config_;
  text::ReplyWriter writer_;
  State state_ = State::NeedUser;
  Pending pending_ = Pending::None;
  std::deque<std::string> deferred_;
  bool closing_ = false;
  bool overflowed_ = false;
  bool close_returned_ = false;

  // Login.
  std::string user_;
  bool anonymous_ = false;
  std::size_t login_failures_ = 0;

  // Session state (RFC 959 §5.2 defaults: TYPE A N, MODE S, STRU F).
  std::string cwd_ = "/";
  bool ascii_ = true;
  std::optional<std::string> rename_from_;
  std::uint64_t rest_ = 0;
  DataSetup data_ = DataSetup::None;
  bool epsv_all_ = false;
  MlstFacts facts_;

  // TLS (RFC 4217).
  bool tls_active_ = false;
  bool pbsz_ = false;
  bool prot_private_ = false;

  // The outstanding action, for its reply.
  action::Fs fs_{};
  std::string fs_arg_;  // the argument as sent, for texts
  action::Transfer transfer_{};
  std::string transfer_arg_;
  bool transfer_started_ = false;
  bool abort_requested_ = false;
  bool quit_after_transfer_ = false;
  std::uint64_t transferred_ = 0;
  bool passive_extended_ = false;

  // Commands per second: a token bucket of 2 × max_commands_per_second.
  double tokens_ = 0;
  core::Instant last_refill_{};
  bool bucket_started_ = false;
};

}  // namespace endhost::ftp
