// The session's machinery: line intake (Telnet commands, the rate limit, lines kept while busy), the
// completions and their replies, and reply formatting. The command handlers are in server_commands.cpp.
#include <chrono>
#include <string>

#include "ftp/server_session.hpp"
#include "ftp/server_texts.hpp"
#include "text/verb.hpp"

namespace endhost::ftp {
namespace {

// A refused line kept in deferred_ until its turn: a LF cannot be in a line the reader returns, so these
// never collide with a client's command.
constexpr std::string_view kKeptLineTooLong = "\nline too long";
constexpr std::string_view kKeptBadLineEnd = "\nbad line end";

// RFC 959 §4.1.3 (ABOR, STAT): a client sends Telnet IP and Synch (IAC IP IAC DM) before an urgent command,
// and the DM may arrive as urgent data or in line. RFC 854: IAC IAC is a data 0xFF; IAC WILL/WONT/DO/DONT
// take an option byte; other IAC commands are two bytes. All are dropped from the command line.
std::string strip_telnet(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c != 0xff) {
      out += line[i];
      continue;
    }
    if (i + 1 >= line.size()) break;  // a lone IAC at the end
    const auto cmd = static_cast<unsigned char>(line[i + 1]);
    if (cmd == 0xff) {
      out += line[i];
      ++i;
    } else if (cmd >= 251 && cmd <= 254) {  // WILL, WONT, DO, DONT + option
      i += 2;
    } else {
      ++i;
    }
  }
  return out;
}

// vsftpd's str_replace_unprintable: a reply never carries a line break from a file name.
std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\r' || c == '\n' || c == '\0') c = '?';
  }
  return out;
}

}  // namespace

ServerSession::ServerSession(SessionConfig config, text::WriterLimits writer_limits)
    : config_(std::move(config)), writer_(writer_limits), tls_active_(config_.tls_active) {}

void ServerSession::greeting() {
  reply(220, "(" + config_.server_name + " FTP)");
}

Action ServerSession::refuse(std::string_view why) {
  return close_after_reply(421, why);
}

bool ServerSession::can_take_line() const {
  return !closing_ && deferred_.size() < config_.limits.max_deferred_lines;
}

bool ServerSession::take_token(core::Instant now) {
  const std::uint32_t rate = config_.limits.max_commands_per_second;
  if (rate == 0) return true;
  const double burst = 2.0 * rate;
  if (!bucket_started_) {
    bucket_started_ = true;
    tokens_ = burst;
    last_refill_ = now;
  } else if (now > last_refill_) {
    const double seconds = std::chrono::duration<double>(now - last_refill_).count();
    tokens_ = std::min(burst, tokens_ + seconds * rate);
    last_refill_ = now;
  }
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

Action ServerSession::checked(Action a) {
  if (std::holds_alternative<action::Close>(a)) close_returned_ = true;
  if (overflowed_ && !close_returned_) {
    close_returned_ = true;
    return action::Close{};
  }
  return a;
}

Action ServerSession::on_line(std::string_view raw, core::Instant now) {
  return checked(take_line(raw, now));
}

Action ServerSession::fs_result(const FsResult& result) {
  return checked(finish_fs(result));
}

Action ServerSession::transfer_done(TransferOutcome outcome) {
  return checked(finish_transfer(outcome));
}

Action ServerSession::on_read_error(text::ReadError error) {
  return checked(read_error_impl(error));
}

Action ServerSession::login_result(bool ok, std::string home) {
  return checked(login_impl(ok, std::move(home)));
}

Action ServerSession::passive_ready(std::uint16_t port) {
  return checked(passive_impl(port));
}

Action ServerSession::data_failed() {
  return checked(data_failed_impl());
}

Action ServerSession::tls_ready() {
  return checked(tls_impl());
}

Action ServerSession::take_line(std::string_view raw, core::Instant now) {
  if (closing_) return action::None{};
  // RFC 4217 §4 (and CVE-2011-0411): nothing sent in the clear after AUTH TLS is acted on.
  if (pending_ == Pending::Tls) return action::None{};
  if (!take_token(now)) return close_after_reply(421, texts::kTooFast);
  std::string line = strip_telnet(raw);
  if (pending_ != Pending::None) {
    if (pending_ == Pending::Transfer) {
      const auto look =
          command_table().lookup(line, {state_, logged_in(), tls_active_, config_.tls_required});
      if (look.verdict == text::Verdict::Allowed) return dispatch(line);  // ABOR, STAT, QUIT
    }
    if (deferred_.size() >= config_.limits.max_deferred_lines) return close_after_reply(421, texts::kTooMany);
    deferred_.push_back(std::move(line));
    return action::None{};
  }
  if (!deferred_.empty()) {  // keep the order: older kept lines first
    if (deferred_.size() >= config_.limits.max_deferred_lines) return close_after_reply(421, texts::kTooMany);
    deferred_.push_back(std::move(line));
    return poll();
  }
  return dispatch(line);
}

Action ServerSession::poll() {
  if (overflowed_) return checked(action::None{});
  while (!closing_ && pending_ == Pending::None && !deferred_.empty()) {
    const std::string line = std::move(deferred_.front());
    deferred_.pop_front();
    if (line == kKeptLineTooLong || line == kKeptBadLineEnd) {
      reply(500, line == kKeptLineTooLong ? texts::kLineTooLong : texts::kBadLineEnd);
      continue;
    }
    Action next = dispatch(line);
    if (!std::holds_alternative<action::None>(next)) return checked(std::move(next));
  }
  return checked(action::None{});
}

Action ServerSession::read_error_impl(text::ReadError error) {
  if (closing_) return action::None{};
  if (pending_ == Pending::Tls) return action::None{};  // nothing in the clear after AUTH TLS (RFC 4217 §4)
  const bool too_long = error == text::ReadError::LineTooLong;
  // RFC 959 §4.2: replies come in the order of the commands, so a refused line behind an outstanding or
  // kept command waits for its turn like any other line.
  if (pending_ != Pending::None || !deferred_.empty()) {
    if (deferred_.size() >= config_.limits.max_deferred_lines) return close_after_reply(421, texts::kTooMany);
    deferred_.emplace_back(too_long ? kKeptLineTooLong : kKeptBadLineEnd);
    return pending_ == Pending::None ? poll() : action::None{};
  }
  reply(500, too_long ? texts::kLineTooLong : texts::kBadLineEnd);
  return action::None{};
}

Action ServerSession::login_impl(bool ok, std::string home) {
  if (pending_ != Pending::Login) return action::None{};
  pending_ = Pending::None;
  if (ok) {
    state_ = State::LoggedIn;
    cwd_ = home.empty() ? "/" : std::move(home);
    reply(230, texts::kLoginOk);
    return action::None{};
  }
  // vsftpd: delay_failed_login before the 530, max_login_fails then disconnect.
  state_ = State::NeedUser;
  anonymous_ = false;
  user_.clear();
  ++login_failures_;
  reply(530, texts::kLoginIncorrect);
  const auto delay = config_.limits.failed_login_delay;
  if (config_.limits.max_login_failures > 0 && login_failures_ >= config_.limits.max_login_failures) {
    closing_ = true;
    deferred_.clear();
    return action::Close{delay};
  }
  if (delay.count() > 0) return action::Pause{delay};
  return action::None{};
}

Action ServerSession::passive_impl(std::uint16_t port) {
  if (pending_ != Pending::Passive) return action::None{};
  pending_ = Pending::None;
  if (passive_extended_) {
    data_ = DataSetup::Passive;
    reply(229, format_229_text(port));
    return action::None{};
  }
  // RFC 959 §4.1.2: 227 carries the server's address; an IPv4-mapped local address is shown as IPv4.
  const auto local = canonical_ip(config_.local_address);
  if (!local || local->find(':') != std::string::npos || port == 0) {
    reply(425, texts::kPasvNeedsIpv4);
    return action::None{};
  }
  data_ = DataSetup::Passive;
  reply(227, format_227_text(HostPort{*local, port, false}));
  return action::None{};
}

Action ServerSession::data_failed_impl() {
  if (pending_ == Pending::Passive) {
    pending_ = Pending::None;
    data_ = DataSetup::None;
    reply(425, texts::kCannotListen);
    return action::None{};
  }
  if (pending_ == Pending::Transfer) {
    reply(425, texts::kNoDataConnection);
    end_transfer();
    if (quit_after_transfer_) return close_after_reply(221, texts::kGoodbye);
    return action::None{};
  }
  return action::None{};
}

void ServerSession::transfer_started(std::optional<std::uint64_t> size, std::string_view stou_name) {
  if (pending_ != Pending::Transfer || transfer_started_) return;
  transfer_started_ = true;
  const std::string mode = ascii_ ? "ASCII" : "BINARY";
  switch (transfer_.kind) {
    case action::TransferKind::Retr: {
      std::string text = "Opening " + mode + " mode data connection for " + transfer_arg_;
      if (size) text += " (" + std::to_string(*size) + " bytes)";
      reply(150, text + ".");
      break;
    }
    case action::TransferKind::Stor:
    case action::TransferKind::Appe:
      reply(150, texts::kOkToSend);
      break;
    case action::TransferKind::Stou:
      reply(150, "FILE: " + std::string(stou_name));  // RFC 1123 §4.1.2.9
      break;
    case action::TransferKind::List:
    case action::TransferKind::Nlst:
    case action::TransferKind::Mlsd:
      reply(150, texts::kListing);
      break;
  }
}

void ServerSession::transfer_progress(std::uint64_t bytes) {
  transferred_ = bytes;
}

void ServerSession::end_transfer() {
  pending_ = Pending::None;
  state_ = State::LoggedIn;
  data_ = DataSetup::None;  // one data connection per transfer (RFC 959 §3.2 in stream mode)
  transfer_started_ = false;
  abort_requested_ = false;
  transferred_ = 0;
}

Action ServerSession::finish_transfer(TransferOutcome outcome) {
  if (pending_ != Pending::Transfer) return action::None{};
  const bool listing = transfer_.kind == action::TransferKind::List ||
                       transfer_.kind == action::TransferKind::Nlst ||
                       transfer_.kind == action::TransferKind::Mlsd;
  const bool upload = transfer_.kind == action::TransferKind::Stor ||
                      transfer_.kind == action::TransferKind::Appe ||
                      transfer_.kind == action::TransferKind::Stou;
  const bool aborted = abort_requested_;
  switch (outcome) {
    case TransferOutcome::Ok:
      reply(226, listing ? texts::kListingDone : texts::kTransferDone);
      if (aborted) reply(225, texts::kNoTransferToAbort);  // RFC 959 §4.1.3: it had completed already
      break;
    case TransferOutcome::Aborted:
    case TransferOutcome::DataLost:
      // RFC 959 §4.1.3 ABOR: 426 for the transfer, then 226 for the ABOR.
      reply(426, aborted ? texts::kAborted : (upload ? texts::kNetReadFailed : texts::kNetWriteFailed));
      if (aborted) reply(226, texts::kAbortOk);
      break;
    case TransferOutcome::LocalError:
      reply(451, upload ? texts::kLocalWriteFailed : texts::kLocalReadFailed);
      if (aborted) reply(226, texts::kAbortOk);
      break;
    case TransferOutcome::NotFound:
    case TransferOutcome::IsDirectory:
      reply(550, listing ? texts::kOpenDirFailed : texts::kOpenFailed);
      if (aborted) reply(226, texts::kAbortOk);
      break;
    case TransferOutcome::PermissionDenied:
      reply(550, texts::kPermissionDenied);
      if (aborted) reply(226, texts::kAbortOk);
      break;
    case TransferOutcome::NoSpace:
      reply(452, texts::kNoSpace);
      if (aborted) reply(226, texts::kAbortOk);
      break;
    case TransferOutcome::TooLarge:
      reply(552, texts::kTooLarge);
      if (aborted) reply(226, texts::kAbortOk);
      break;
    case TransferOutcome::TlsFailed:
      reply(522, texts::kDataTlsFailed);  // RFC 4217 §10
      if (aborted) reply(226, texts::kAbortOk);
      break;
  }
  end_transfer();
  if (quit_after_transfer_) return close_after_reply(221, texts::kGoodbye);  // RFC 959 §4.1.1 QUIT
  return action::None{};
}

Action ServerSession::tls_impl() {
  if (pending_ != Pending::Tls) return action::None{};
  pending_ = Pending::None;
  tls_active_ = true;
  // A USER sent in the clear before AUTH does not carry over (RFC 4217 §4: the session starts afresh).
  if (state_ == State::NeedPassword) {
    state_ = State::NeedUser;
    user_.clear();
    anonymous_ = false;
  }
  pbsz_ = false;
  prot_private_ = false;
  return action::None{};
}

Action ServerSession::idle_timeout() {
  if (closing_) return action::None{};
  return close_after_reply(421, texts::kTimeout);
}

Action ServerSession::data_timeout() {
  if (closing_) return action::None{};
  return close_after_reply(421, texts::kDataTimeout);
}

std::string ServerSession::traceable(std::string_view line) {
  const std::string clean = strip_telnet(line);
  const text::Verb verb = text::split_verb(clean);
  if (text::iequals(verb.verb, "PASS")) return std::string(verb.verb) + " ****";
  return printable(clean);
}

void ServerSession::reply(int code, std::string_view text) {
  std::string line = std::to_string(code);
  line += ' ';
  line += printable(text);
  line += "\r\n";
  if (!writer_.raw(line)) {  // the I/O let the output pass its maximum: give up on the peer
    closing_ = true;
    overflowed_ = true;
  }
}

void ServerSession::reply_lines(int code, std::string_view first, const std::vector<std::string>& middle,
                                std::string_view last) {
  std::string out = std::to_string(code) + '-' + printable(first) + "\r\n";
  for (const std::string& m : middle) {
    // RFC 959 §4.2: a middle line must not look like the last one; the leading space makes sure.
    out += ' ';
    out += printable(m);
    out += "\r\n";
  }
  out += std::to_string(code) + ' ' + printable(last) + "\r\n";
  if (out.size() > writer_.room()) {
    reply(451, texts::kReplyTooLong);
    return;
  }
  if (!writer_.raw(out)) {
    closing_ = true;
    overflowed_ = true;
  }
}

Action ServerSession::close_after_reply(int code, std::string_view text, std::chrono::milliseconds delay) {
  reply(code, text);
  closing_ = true;
  close_returned_ = true;
  deferred_.clear();
  return action::Close{delay};
}

}  // namespace endhost::ftp
