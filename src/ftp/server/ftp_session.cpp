// One control connection: the loop of server_session.hpp (send replies, feed lines, carry out Actions and
// report their completions) over a core::Connection, with the transfer as a second coroutine on the same
// loop so that ABOR, STAT and QUIT are read while data flows. Only this loop calls the ServerSession; the
// transfer coroutine hands its events (150, done, data connection failed) back through a queue and wakes the
// loop by cancelling its pending control read (a cancelled read loses no bytes: it either completed with
// them or read nothing).
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "auth/user_db.hpp"
#include "auth/verify_login.hpp"
#include "core/clock.hpp"
#include "core/durable_file.hpp"
#include "core/random.hpp"
#include "core/starttls.hpp"
#include "core/system_random.hpp"
#include "ftp/listing.hpp"
#include "ftp/server/ftp_server.hpp"
#include "ftp/server/transfer_io.hpp"
#include "ftp/server_session.hpp"
#include "text/command_reader.hpp"

namespace endhost::ftp::server {

namespace {

using action::FsOp;
using action::TransferKind;

const std::vector<std::string> kAlpn = {"ftp"};
// Directory entries per blocking-pool job. The first job reads up to kListSorted entries and sorts them by
// name (as ls and vsftpd list); a directory larger than that streams the rest in directory order, so memory
// stays bounded whatever its size.
constexpr std::size_t kListBatch = 1024;
constexpr std::size_t kListSorted = 10'000;
// STAT of a directory answers on the control connection, whose reply buffer is bounded: the listing is cut
// there (LIST over a data connection has no such limit).
constexpr std::size_t kStatListMax = 400;
constexpr std::size_t kStatListBytes = 40 * 1024;

FsError fs_error(int err) {
  switch (err) {
    case 0:
      return FsError::None;
    case ENOENT:
      return FsError::NotFound;
    case EACCES:
    case EPERM:
    case EXDEV:  // RESOLVE_BENEATH: the path or a symlink leaves the home
    case ELOOP:
    case EROFS:
      return FsError::PermissionDenied;
    case EEXIST:
      return FsError::Exists;
    case ENOTDIR:
      return FsError::NotDirectory;
    case EISDIR:
      return FsError::IsDirectory;
    case ENOTEMPTY:
      return FsError::NotEmpty;
    case ENOSPC:
    case EDQUOT:
      return FsError::NoSpace;
    case EFBIG:
      return FsError::TooLarge;
    case ENAMETOOLONG:
      return FsError::NotFound;
    default:
      return FsError::Io;
  }
}

TransferOutcome outcome_of(int err) {
  switch (fs_error(err)) {
    case FsError::None:
      return TransferOutcome::Ok;
    case FsError::NotFound:
    case FsError::NotDirectory:
      return TransferOutcome::NotFound;
    case FsError::IsDirectory:
      return TransferOutcome::IsDirectory;
    case FsError::PermissionDenied:
    case FsError::Exists:
      return TransferOutcome::PermissionDenied;
    case FsError::NoSpace:
      return TransferOutcome::NoSpace;
    case FsError::TooLarge:
      return TransferOutcome::TooLarge;
    default:
      return TransferOutcome::LocalError;
  }
}

std::string address_text(const asio::ip::address& a) {
  return unmapped(a).to_string();
}

MlsxSelection selection(const MlstFacts& f) {
  return {f.type, f.size, f.modify, f.perm, f.unix_mode};
}

// What the transfer coroutine tells the control loop, in order.
struct TransferEvent {
  enum class Kind { started, done, data_failed, data_timeout } kind = Kind::done;
  std::optional<std::uint64_t> size;
  std::string stou_name;
  TransferOutcome outcome = TransferOutcome::Ok;
};

class Session {
 public:
  Session(core::Connection& conn, FtpServer& server)
      : conn_(conn),
        srv_(server),
        cfg_(server.config()),
        peer_addr_(unmapped(conn.remote().address())),
        proto_(session_config(conn, server)),
        reader_(reader_config(server.config())),
        data_(conn.stream().get_executor(), conn.remote().address(), server.config().socket_place),
        timer_(conn.stream().get_executor()),
        opening_sent_(conn.stream().get_executor()) {}

  awaitable<void> run();

 private:
  static SessionConfig session_config(core::Connection& conn, FtpServer& server) {
    const FtpConfig& c = server.config();
    SessionConfig s;
    s.anonymous = c.anonymous;
    s.writable = c.writable;
    s.anon_upload_dir = c.anon_upload_vpath;
    s.tls_available = server.tls() != nullptr;
    s.tls_required = c.require_tls;
    s.peer_address = address_text(conn.remote().address());
    s.local_address = c.pasv_address.empty() ? address_text(conn.local().address()) : c.pasv_address;
    s.limits.max_login_failures = c.max_login_failures;
    s.limits.failed_login_delay = c.login_failure_delay;
    s.limits.max_commands_per_second = static_cast<std::uint32_t>(c.max_commands_per_second);
    return s;
  }
  static text::ReaderConfig reader_config(const FtpConfig& c) {
    text::ReaderConfig r;
    r.line_ending = text::LineEnding::Crlf;  // RFC 959's Telnet lines: bare CR or LF refused (text.md)
    r.limits.max_line = c.max_line;
    r.limits.max_buffer = std::max<std::size_t>(16 * 1024, c.max_line + 2);
    return r;
  }

  awaitable<bool> flush();
  awaitable<void> sleep(std::chrono::milliseconds d);
  // Carries out one action; false ends the session.
  awaitable<bool> perform(Action& action);
  awaitable<Action> login(action::VerifyLogin& v);
  awaitable<Action> filesystem(const action::Fs& f);
  awaitable<void> transfer(action::Transfer t);
  void post(TransferEvent e);
  void take_line(std::string_view line);
  // Feeds the reader from unfed_ and hands its lines to the ServerSession while it takes them; true when
  // anything was handed over.
  bool pump_input();
  void trace_replies(std::string_view bytes);
  void note(std::string_view text) const { srv_.transcript().note(conn_.peer(), text); }

  // The transfer's steps that need the data connection.
  // Connects the data connection, posts `started` (the 150), then, for PROT P, runs the TLS handshake:
  // clients (python's ftplib, vsftpd's order) start TLS on the data connection only after the 150.
  awaitable<std::unique_ptr<core::Stream>> open_data(const action::Transfer& t, TransferEvent& started);
  awaitable<void> finish_data(std::unique_ptr<core::Stream>& data);
  void end_transfer(TransferOutcome outcome, std::uint64_t bytes, bool sent);
  void report_io(const IoResult& r, bool sent);
  awaitable<void> upload(action::Transfer& t, std::unique_ptr<core::Stream>& data);
  awaitable<void> listing(const action::Transfer& t, std::unique_ptr<core::Stream>& data);
  awaitable<void> retrieve(const action::Transfer& t, std::unique_ptr<core::Stream>& data);

  // For the perm fact: a writable login that is not anonymous (anonymous may only add files, in one place).
  bool may_write() const { return cfg_.writable && proto_.logged_in() && !proto_.anonymous(); }
  // A second line of defence behind the codec's rules: an anonymous change outside the upload directory.
  bool anonymous_outside_upload(const std::string& vpath) const {
    if (!proto_.anonymous()) return false;
    const std::string& dir = cfg_.anon_upload_vpath;
    if (dir.empty()) return true;
    return !(vpath.size() > dir.size() && vpath.compare(0, dir.size(), dir) == 0 && vpath[dir.size()] == '/');
  }

  core::Connection& conn_;
  FtpServer& srv_;
  const FtpConfig& cfg_;
  asio::ip::address peer_addr_;
  ServerSession proto_;
  text::CommandReader reader_;
  DataChannel data_;
  asio::steady_timer timer_;
  // The transfer waits on it after posting its 150, until the control loop has sent that reply.
  asio::steady_timer opening_sent_;
  bool opening_written_ = false;  // the 150 is in the writer: the next flush sends it
  std::optional<ConfinedFs> fs_;
  std::deque<Action> actions_;
  std::string unfed_;       // received, not yet given to the reader (it was full, or lines were kept)
  std::size_t traced_ = 0;  // bytes at the front of the writer's pending() already in the transcript

  // The running transfer.
  bool transferring_ = false;
  bool reading_ = false;
  std::deque<TransferEvent> events_;
  TransferControl control_;
  core::Stream* data_stream_ = nullptr;
  std::uint64_t hijacks_seen_ = 0;
};

void Session::trace_replies(std::string_view bytes) {
  if (!srv_.transcript().enabled()) return;
  srv_.transcript().server(conn_.peer(), bytes);
}

awaitable<bool> Session::flush() {
  while (!proto_.writer().empty()) {
    const std::string_view out = proto_.writer().pending();
    if (out.size() > traced_) trace_replies(out.substr(traced_));
    traced_ = out.size();
    conn_.expires_after(cfg_.write_timeout);
    auto [ec, n] =
        co_await asio::async_write(conn_.stream(), asio::buffer(out.data(), out.size()), use_nothrow);
    if (ec) co_return false;
    proto_.writer().consumed(n);
    traced_ -= std::min(traced_, n);
  }
  co_return true;
}

awaitable<void> Session::sleep(std::chrono::milliseconds d) {
  if (d.count() <= 0) co_return;
  timer_.expires_after(d);
  co_await timer_.async_wait(use_nothrow);
}

void Session::post(TransferEvent e) {
  events_.push_back(std::move(e));
  // Wake the control loop out of its read (see the file comment).
  if (reading_) {
    boost::system::error_code ignored;
    conn_.stream().lowest_layer().cancel(ignored);
    timer_.cancel();
  }
}

void Session::take_line(std::string_view line) {
  if (srv_.counters().commands) srv_.counters().commands->inc(1, conn_.loop().index());
  if (srv_.transcript().enabled()) srv_.transcript().client(conn_.peer(), ServerSession::traceable(line));
  if (transferring_) proto_.transfer_progress(control_.bytes);
  const core::Instant now = core::SystemClock().now();
  actions_.push_back(proto_.on_line(line, now));
}

bool Session::pump_input() {
  bool any = false;
  while (proto_.can_take_line() && !proto_.closing()) {
    const text::ReadEvent e = reader_.next();
    if (e.kind == text::ReadEvent::Kind::Line) {
      take_line(e.text);
      any = true;
      continue;
    }
    if (e.kind == text::ReadEvent::Kind::Error) {
      if (srv_.transcript().enabled()) note("refused line: " + std::string(text::describe(e.error)));
      actions_.push_back(proto_.on_read_error(e.error));
      any = true;
      continue;
    }
    if (unfed_.empty()) break;
    const std::size_t taken = reader_.feed(unfed_);
    unfed_.erase(0, taken);
    if (taken == 0) break;
  }
  return any;
}

awaitable<void> Session::run() {
  const std::size_t shard = conn_.loop().index();
  if (!srv_.enter(peer_addr_)) {
    if (srv_.counters().refused) srv_.counters().refused->inc(1, shard);
    actions_.push_back(proto_.refuse("Too many connections from your internet address."));
    while (!actions_.empty()) {
      Action a = std::move(actions_.front());
      actions_.pop_front();
      if (std::holds_alternative<action::Close>(a)) break;
    }
    co_await flush();
    conn_.stream().shutdown();
    co_return;
  }
  if (srv_.counters().sessions) srv_.counters().sessions->inc(1, shard);
  note("connection opened");
  {
    // RFC 959 §4.1.3: clients may send ABOR's Telnet Synch as urgent data (python's ftplib sends the whole
    // line with MSG_OOB); inline, its last byte stays in the line instead of vanishing from the stream.
    boost::system::error_code ignored;
    conn_.stream().lowest_layer().set_option(asio::socket_base::out_of_band_inline(true), ignored);
  }
  proto_.greeting();
  std::vector<char> buf(reader_.config().limits.max_buffer);
  bool alive = true;
  while (alive) {
    // 1. Completions the transfer reported, then the actions they and the lines returned.
    while (!events_.empty()) {
      TransferEvent e = std::move(events_.front());
      events_.pop_front();
      switch (e.kind) {
        case TransferEvent::Kind::started:
          proto_.transfer_started(e.size, e.stou_name);
          opening_written_ = true;
          break;
        case TransferEvent::Kind::done:
          transferring_ = false;
          actions_.push_back(proto_.transfer_done(e.outcome));
          break;
        case TransferEvent::Kind::data_failed:
          transferring_ = false;
          actions_.push_back(proto_.data_failed());
          break;
        case TransferEvent::Kind::data_timeout:
          transferring_ = false;
          actions_.push_back(proto_.data_timeout());
          break;
      }
    }
    // Then the lines the session kept while an action was outstanding, in order (poll()).
    for (;;) {
      while (alive && !actions_.empty()) {
        Action a = std::move(actions_.front());
        actions_.pop_front();
        alive = co_await perform(a);
      }
      if (!alive || transferring_) break;
      Action kept = proto_.poll();
      if (std::holds_alternative<action::None>(kept)) break;
      actions_.push_back(std::move(kept));
    }
    if (!alive) break;
    // 2. Replies.
    const bool sent = co_await flush();
    if (opening_written_) {
      opening_written_ = false;
      opening_sent_.cancel();  // the 150 is out: the transfer may send its first byte
    }
    if (!sent || proto_.closing()) break;
    if (!events_.empty()) continue;
    if (!transferring_ && conn_.draining()) break;
    // 3. The next command (or, during a transfer, ABOR/STAT/QUIT or the transfer's end).
    if (!proto_.can_take_line()) {
      // Lines are kept while an action is outstanding; only a transfer can be outstanding here.
      if (!transferring_) break;
    }
    if (proto_.can_take_line() && pump_input()) continue;  // lines already received come first
    bool idle = false;
    if (transferring_) {
      conn_.expires_never();  // the data connection's deadline bounds the transfer; its end wakes us
    } else {
      if (!conn_.begin_idle()) break;
      idle = true;
      // The idle time runs from the end of the last command: a command that arrives a byte at a time
      // keeps the deadline it started with, so dripping bytes cannot hold a session past --idle-timeout.
      if (reader_.buffered() == 0 && unfed_.empty()) conn_.expires_after(cfg_.idle_timeout);
    }
    std::size_t n = 0;
    boost::system::error_code ec;
    if (proto_.can_take_line()) {
      const std::size_t want = std::min(buf.size(), reader_.room());
      reading_ = true;
      auto [rec, rn] = co_await conn_.stream().async_read_some(asio::buffer(buf.data(), want), use_nothrow);
      reading_ = false;
      ec = rec;
      n = rn;
    } else {
      // Too many lines kept: wait for the transfer's end without reading.
      reading_ = true;
      timer_.expires_after(cfg_.data_timeout + cfg_.connect_timeout);
      co_await timer_.async_wait(use_nothrow);
      reading_ = false;
    }
    if (idle) conn_.end_idle();
    if (n > 0) {
      unfed_.append(buf.data(), n);
      pump_input();
      continue;
    }
    if (ec == asio::error::operation_aborted && !conn_.timed_out()) continue;  // woken by the transfer
    if (ec == asio::error::eof || (ec && !conn_.timed_out())) break;
    if (conn_.timed_out()) {
      conn_.clear_timed_out();
      if (transferring_) continue;
      note("idle timeout");
      actions_.push_back(proto_.idle_timeout());
    }
  }
  // A transfer still running is stopped and waited for: it refers to this session.
  opening_sent_.cancel();
  if (transferring_) {
    control_.abort = true;
    if (data_stream_) data_stream_->cancel();
    data_.reset();
    while (transferring_) {
      reading_ = true;
      conn_.expires_after(std::chrono::seconds(5));
      timer_.expires_after(std::chrono::milliseconds(20));
      co_await timer_.async_wait(use_nothrow);
      reading_ = false;
      for (auto& e : events_) {
        if (e.kind != TransferEvent::Kind::started) transferring_ = false;
      }
    }
  }
  data_.reset();
  conn_.stream().shutdown();
  note("connection closed");
  srv_.leave(peer_addr_);
}

awaitable<bool> Session::perform(Action& action) {
  if (std::holds_alternative<action::None>(action)) co_return true;
  if (auto* v = std::get_if<action::VerifyLogin>(&action)) {
    Action next = co_await login(*v);
    actions_.push_front(std::move(next));
    co_return true;
  }
  if (auto* p = std::get_if<action::OpenPassive>(&action)) {
    (void)p;
    auto port = data_.open_passive(conn_.local().address(), srv_.ports());
    if (!port) {
      srv_.log().warn("passive listener", {{"service", "ftp"}, {"error", port.error()}});
      actions_.push_front(proto_.data_failed());
    } else {
      actions_.push_front(proto_.passive_ready(*port));
    }
    co_return true;
  }
  if (auto* c = std::get_if<action::ConnectActive>(&action)) {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(c->target.address, ec);
    if (!ec) data_.set_active(asio::ip::tcp::endpoint(address, c->target.port), conn_.local().address());
    co_return true;
  }
  if (auto* f = std::get_if<action::Fs>(&action)) {
    Action next = co_await filesystem(*f);
    actions_.push_front(std::move(next));
    co_return true;
  }
  if (auto* t = std::get_if<action::Transfer>(&action)) {
    transferring_ = true;
    control_ = TransferControl{};
    // The session waits for the transfer's `done`; an exception out of it (memory) must still say so.
    auto ended = [this](std::exception_ptr e) {
      if (e) post({TransferEvent::Kind::done, {}, {}, TransferOutcome::LocalError});
    };
    asio::co_spawn(conn_.stream().get_executor(), transfer(std::move(*t)), ended);
    co_return true;
  }
  if (std::holds_alternative<action::Abort>(action)) {
    control_.abort = true;
    if (data_stream_) data_stream_->cancel();
    data_.reset();  // a transfer still waiting for its data connection stops waiting
    co_return true;
  }
  if (std::holds_alternative<action::StartTls>(action)) {
    const bool sent = co_await flush();  // the 234 goes out in the clear
    if (!sent || !srv_.tls()) co_return false;
    conn_.expires_after(std::chrono::seconds(10));
    // Whatever followed AUTH TLS in the clear is dropped, in the reader and here (RFC 4217 §4,
    // CVE-2011-0411): it must never run as if it had come over TLS.
    const std::size_t unfed = unfed_.size();
    unfed_.clear();
    auto up = co_await core::starttls_server(conn_.stream(), *srv_.tls(), reader_, &kAlpn);
    if (!up) {
      note(up.error());
      co_return false;
    }
    up->discarded += unfed;
    if (up->discarded > 0)
      note("dropped " + std::to_string(up->discarded) + " bytes sent before the handshake");
    actions_.push_front(proto_.tls_ready());
    co_return true;
  }
  if (auto* pause = std::get_if<action::Pause>(&action)) {
    co_await sleep(pause->delay);
    co_return true;
  }
  if (auto* close = std::get_if<action::Close>(&action)) {
    co_await sleep(close->delay);
    co_await flush();
    co_return false;
  }
  co_return true;
}

awaitable<Action> Session::login(action::VerifyLogin& v) {
  const std::size_t shard = conn_.loop().index();
  if (v.anonymous) {
    auto tree = srv_.root().with_home(cfg_.anon_home);
    if (!tree) {
      srv_.log().warn("anonymous login refused", {{"service", "ftp"}, {"error", tree.error()}});
      co_return proto_.login_result(false, "/");
    }
    fs_.emplace(std::move(*tree));
    if (srv_.counters().logins) srv_.counters().logins->inc(1, shard);
    co_return proto_.login_result(true, "/");
  }
  const std::shared_ptr<const auth::UserDb> db = srv_.users();  // held while the pool checks
  const std::optional<auth::User> copy =
      co_await auth::verify_login(srv_.pool(), db.get(), v.user, v.password);
  bool ok = copy.has_value();
  if (ok) {
    std::string home = copy->home.empty() ? copy->name : copy->home;
    auto confined = srv_.root().with_home(home);
    if (!confined) {
      srv_.log().warn("ftp login refused", {{"user", copy->name}, {"error", confined.error()}});
      ok = false;
    } else {
      fs_.emplace(std::move(*confined));
    }
  }
  if (srv_.counters().logins && ok) srv_.counters().logins->inc(1, shard);
  if (srv_.counters().login_failures && !ok) srv_.counters().login_failures->inc(1, shard);
  co_return proto_.login_result(ok, "/");
}

awaitable<Action> Session::filesystem(const action::Fs& f) {
  FsResult r;
  if (!fs_) {
    r.error = FsError::PermissionDenied;
    co_return proto_.fs_result(r);
  }
  const ConfinedFs& fs = *fs_;
  const bool changes = f.op == FsOp::MakeDir || f.op == FsOp::RemoveDir || f.op == FsOp::Delete ||
                       f.op == FsOp::RenameFrom || f.op == FsOp::RenameTo || f.op == FsOp::Chmod;
  if (changes && (!cfg_.writable || proto_.anonymous())) {
    r.error = FsError::PermissionDenied;
    co_return proto_.fs_result(r);
  }
  // Metadata operations are one or two system calls on cached inodes: done here. STAT of a path may list
  // a large directory: on the pool.
  switch (f.op) {
    case FsOp::ChangeDir: {
      auto ok = fs.check_dir(f.path);
      if (!ok) r.error = fs_error(ok.error());
      break;
    }
    case FsOp::MakeDir: {
      auto ok = fs.mkdir(f.path);
      if (!ok) r.error = fs_error(ok.error());
      break;
    }
    case FsOp::RemoveDir: {
      auto ok = fs.rmdir(f.path);
      if (!ok) r.error = fs_error(ok.error());
      break;
    }
    case FsOp::Delete: {
      auto ok = fs.unlink(f.path);
      if (!ok) r.error = fs_error(ok.error());
      break;
    }
    case FsOp::RenameFrom: {
      auto st = fs.stat(f.path);
      if (!st) r.error = fs_error(st.error());
      break;
    }
    case FsOp::RenameTo: {
      auto ok = fs.rename(f.path, f.path2);
      if (!ok) r.error = fs_error(ok.error());
      break;
    }
    case FsOp::Size:
    case FsOp::ModTime: {
      auto st = fs.stat_follow(f.path);
      if (!st) {
        r.error = fs_error(st.error());
      } else if (st->type == EntryType::dir) {
        r.error = FsError::IsDirectory;
      } else if (st->type != EntryType::file) {
        r.error = FsError::NotFound;
      } else {
        r.size = st->size;
        r.mtime = core::WallTime(std::chrono::seconds(st->mtime));
      }
      break;
    }
    case FsOp::Facts: {
      auto st = fs.stat_follow(f.path);
      if (!st) {
        r.error = fs_error(st.error());
      } else {
        r.lines.push_back(mlsx_facts(*st, MlsxRole::entry, {may_write()}, selection(f.facts)) + " " + f.path);
      }
      break;
    }
    case FsOp::StatList: {
      auto st = fs.stat(f.path);
      if (!st) {
        r.error = fs_error(st.error());
        break;
      }
      const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
      if (st->type != EntryType::dir) {
        std::string line;
        append_list_line(line, *st, now);
        line.resize(line.size() - 2);
        r.lines.push_back(std::move(line));
        break;
      }
      auto dir = fs.open_dir(f.path);
      if (!dir) {
        r.error = fs_error(dir.error());
        break;
      }
      auto job = [&dir]() { return dir->next(kStatListMax, false); };
      const auto batch = co_await srv_.pool().run(job);
      if (!batch || !*batch) {
        r.error = FsError::Io;
        break;
      }
      std::size_t bytes = 0;
      for (const auto& e : **batch) {
        std::string line;
        append_list_line(line, e, now);
        line.resize(line.size() - 2);
        bytes += line.size() + 3;
        if (bytes > kStatListBytes) break;
        r.lines.push_back(std::move(line));
      }
      break;
    }
    case FsOp::Chmod: {
      auto ok = fs.chmod(f.path, f.mode);
      if (!ok) r.error = fs_error(ok.error());
      break;
    }
  }
  co_return proto_.fs_result(r);
}

// The transfer coroutine. Everything it touches lives in the Session, which waits for it to end (run()).
awaitable<void> Session::transfer(action::Transfer t) {
  std::unique_ptr<core::Stream> data;
  const bool upload_kind =
      t.kind == TransferKind::Stor || t.kind == TransferKind::Appe || t.kind == TransferKind::Stou;
  if (t.kind == TransferKind::Retr) {
    co_await retrieve(t, data);
  } else if (upload_kind) {
    co_await upload(t, data);
  } else {
    co_await listing(t, data);
  }
  co_await finish_data(data);
}

awaitable<std::unique_ptr<core::Stream>> Session::open_data(const action::Transfer& t,
                                                            TransferEvent& started) {
  auto made = co_await data_.connect(DataTimeouts{cfg_.connect_timeout});
  const std::uint64_t hijacks = data_.hijack_attempts();
  if (hijacks > hijacks_seen_) {
    if (srv_.counters().hijack_attempts)
      srv_.counters().hijack_attempts->inc(hijacks - hijacks_seen_, conn_.loop().index());
    note("closed " + std::to_string(hijacks - hijacks_seen_) + " data connection(s) from another address");
    hijacks_seen_ = hijacks;
  }
  if (!made) {
    note("data connection: " + made.error());
    if (control_.abort) {
      post({TransferEvent::Kind::done, {}, {}, TransferOutcome::Aborted});
    } else {
      post({TransferEvent::Kind::data_failed, {}, {}, TransferOutcome::Ok});
    }
    co_return nullptr;
  }
  std::unique_ptr<core::Stream> stream = std::move(*made);
  post(std::move(started));
  // RFC 959 §5.4: the 150 comes before the data, on the wire and in --trace (`S: 150` then `data:`), so the
  // first byte waits until the control loop has sent the reply (bounded: a stuck control write ends the
  // session anyway). The wait starts before the loop can run, so its cancel() cannot come first.
  opening_sent_.expires_after(cfg_.write_timeout);
  co_await opening_sent_.async_wait(use_nothrow);
  if (control_.abort) {
    post({TransferEvent::Kind::done, {}, {}, TransferOutcome::Aborted});
    co_return nullptr;
  }
  if (t.protected_data) {
    if (!srv_.tls()) {
      post({TransferEvent::Kind::done, {}, {}, TransferOutcome::TlsFailed});
      co_return nullptr;
    }
    data_stream_ = stream.get();
    auto secured = co_await secure_data(*stream, *srv_.tls(), cfg_.connect_timeout);
    data_stream_ = nullptr;
    if (!secured) {
      note(secured.error());
      post({TransferEvent::Kind::done,
            {},
            {},
            control_.abort ? TransferOutcome::Aborted : TransferOutcome::TlsFailed});
      co_return nullptr;
    }
  }
  co_return stream;
}

awaitable<void> Session::finish_data(std::unique_ptr<core::Stream>& data) {
  if (!data) co_return;
  // TLS: close_notify first (RFC 4217 §12.6: the end of a protected transfer must not look like a cut).
  data->shutdown();
  data->close();
  data.reset();
  co_return;
}

void Session::report_io(const IoResult& r, bool sent) {
  const std::size_t shard = conn_.loop().index();
  auto* counter = sent ? srv_.counters().bytes_sent : srv_.counters().bytes_received;
  if (counter) counter->inc(r.bytes, shard);
  if (srv_.transcript().enabled()) note("data: " + std::to_string(r.bytes) + " bytes");
}

void Session::end_transfer(TransferOutcome outcome, std::uint64_t, bool) {
  if (outcome == TransferOutcome::Ok && srv_.counters().transfers)
    srv_.counters().transfers->inc(1, conn_.loop().index());
  post({TransferEvent::Kind::done, {}, {}, outcome});
}

TransferOutcome io_outcome(IoEnd end) {
  switch (end) {
    case IoEnd::done:
      return TransferOutcome::Ok;
    case IoEnd::aborted:
      return TransferOutcome::Aborted;
    case IoEnd::timed_out:
    case IoEnd::lost:
      return TransferOutcome::DataLost;
    case IoEnd::file_error:
      return TransferOutcome::LocalError;
    case IoEnd::too_large:
      return TransferOutcome::TooLarge;
    case IoEnd::no_space:
      return TransferOutcome::NoSpace;
  }
  return TransferOutcome::LocalError;
}

awaitable<void> Session::retrieve(const action::Transfer& t, std::unique_ptr<core::Stream>& data) {
  if (!fs_) {
    post({TransferEvent::Kind::done, {}, {}, TransferOutcome::PermissionDenied});
    co_return;
  }
  auto file = fs_->open_read(t.path);
  if (!file) {
    post({TransferEvent::Kind::done, {}, {}, outcome_of(file.error())});
    co_return;
  }
  const auto size = static_cast<std::uint64_t>(file->st.st_size);
  TransferEvent started{TransferEvent::Kind::started, size, {}, TransferOutcome::Ok};
  data = co_await open_data(t, started);
  if (!data) co_return;
  core::Deadline deadline(data->get_executor(), data->lowest_layer());
  data_stream_ = data.get();
  const std::uint64_t offset = std::min(t.offset, size);
  const IoResult r =
      co_await send_file(*data, deadline, file->fd.get(), offset, size, t.ascii, cfg_.data_timeout, control_);
  data_stream_ = nullptr;
  report_io(r, true);
  if (r.end == IoEnd::timed_out) {
    post({TransferEvent::Kind::data_timeout, {}, {}, TransferOutcome::DataLost});
    co_return;
  }
  end_transfer(io_outcome(r.end), r.bytes, true);
}

awaitable<void> Session::listing(const action::Transfer& t, std::unique_ptr<core::Stream>& data) {
  if (!fs_) {
    post({TransferEvent::Kind::done, {}, {}, TransferOutcome::PermissionDenied});
    co_return;
  }
  const bool dot_files = t.list_options.find('a') != std::string::npos ||
                         t.list_options.find('A') != std::string::npos || t.kind == TransferKind::Mlsd;
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  auto st = fs_->stat_follow(t.path);
  // LIST/NLST `*.txt`: a glob in the last name lists the matching entries of its directory, as vsftpd and
  // the BSD ftp client's mget expect (a name that exists is taken as it is, globbing or not).
  std::string pattern;
  std::string dir_path = t.path;
  if (!st && t.kind != TransferKind::Mlsd) {
    const std::size_t slash = t.path.rfind('/');
    const std::string last = t.path.substr(slash + 1);
    if (last.find_first_of("*?[") != std::string::npos) {
      pattern = last;
      dir_path = slash == 0 ? "/" : t.path.substr(0, slash);
      st = fs_->stat_follow(dir_path);
      if (st && st->type != EntryType::dir) st = Unexpected(FsErr{ENOTDIR});
    }
  }
  if (!st) {
    post({TransferEvent::Kind::done, {}, {}, outcome_of(st.error())});
    co_return;
  }
  std::optional<DirReader> dir;
  std::string text;
  const MlsxPermissions perms{may_write()};
  if (st->type != EntryType::dir) {
    if (t.kind == TransferKind::Mlsd) {  // RFC 3659 §7.2: MLSD names a directory
      post({TransferEvent::Kind::done, {}, {}, TransferOutcome::NotFound});
      co_return;
    }
    auto self = fs_->stat(t.path);
    if (self) {
      if (t.kind == TransferKind::List) {
        append_list_line(text, *self, now);
      } else {
        append_nlst_line(text, t.path);
      }
    }
  } else {
    auto opened = fs_->open_dir(dir_path);
    if (!opened) {
      post({TransferEvent::Kind::done, {}, {}, outcome_of(opened.error())});
      co_return;
    }
    dir.emplace(std::move(*opened));
    if (t.kind == TransferKind::Mlsd) {
      EntryFacts self = *st;
      self.name = ".";
      append_mlsd_line(text, self, MlsxRole::cdir, perms, selection(t.facts));
    }
  }
  TransferEvent started{TransferEvent::Kind::started, {}, {}, TransferOutcome::Ok};
  data = co_await open_data(t, started);
  if (!data) co_return;
  core::Deadline deadline(data->get_executor(), data->lowest_layer());
  data_stream_ = data.get();
  IoResult total;
  bool first_batch = true;
  const bool with_dots = dot_files || (!pattern.empty() && pattern.front() == '.');
  for (;;) {
    if (dir && !dir->done()) {
      const std::size_t want = first_batch ? kListSorted : kListBatch;
      auto job = [&dir, with_dots, want, first_batch]() {
        auto got = dir->next(want, with_dots);
        if (got && first_batch) {
          std::sort(got->begin(), got->end(),
                    [](const EntryFacts& a, const EntryFacts& b) { return a.name < b.name; });
        }
        return got;
      };
      first_batch = false;
      const auto batch = co_await srv_.pool().run(job);
      if (!batch || !*batch) {
        total.end = IoEnd::file_error;
        break;
      }
      for (const auto& e : **batch) {
        // FNM_PERIOD: `*` does not match a leading dot, as in the shell.
        if (!pattern.empty() && ::fnmatch(pattern.c_str(), e.name.c_str(), FNM_PERIOD) != 0) continue;
        switch (t.kind) {
          case TransferKind::List:
            append_list_line(text, e, now);
            break;
          case TransferKind::Nlst:
            append_nlst_line(text, e.name);
            break;
          default:
            append_mlsd_line(text, e, MlsxRole::entry, perms, selection(t.facts));
            break;
        }
      }
    }
    if (!text.empty()) {
      const IoResult r = co_await send_text(*data, deadline, text, cfg_.data_timeout, control_);
      total.bytes += r.bytes;
      total.end = r.end;
      text.clear();
      if (r.end != IoEnd::done) break;
    }
    if (!dir || dir->done()) break;
  }
  data_stream_ = nullptr;
  report_io(total, true);
  if (total.end == IoEnd::timed_out) {
    post({TransferEvent::Kind::data_timeout, {}, {}, TransferOutcome::DataLost});
    co_return;
  }
  end_transfer(io_outcome(total.end), total.bytes, true);
}

awaitable<void> Session::upload(action::Transfer& t, std::unique_ptr<core::Stream>& data) {
  if (!fs_ || !cfg_.writable ||
      (proto_.anonymous() && (anonymous_outside_upload(t.path + "/x") || t.kind == TransferKind::Appe))) {
    post({TransferEvent::Kind::done, {}, {}, TransferOutcome::PermissionDenied});
    co_return;
  }
  const ConfinedFs& fs = *fs_;
  if (cfg_.min_free_space != 0) {
    auto free = fs.free_bytes();
    if (free && *free < cfg_.min_free_space) {
      post({TransferEvent::Kind::done, {}, {}, TransferOutcome::NoSpace});
      co_return;
    }
  }
  std::string target = t.path;
  std::string stou_name;
  if (t.kind == TransferKind::Stou) {
    // RFC 959 §4.1.3 STOU: a name unique in the directory, told in the 150 (RFC 1123 §4.1.2.9).
    core::SystemRandom random;
    for (int attempt = 0; attempt < 8; ++attempt) {
      stou_name = "ftp-upload-" + random.hex(8);
      target = (t.path == "/" ? std::string("/") : t.path + "/") + stou_name;
      if (!fs.stat(target)) break;
    }
  }
  if (t.kind != TransferKind::Stou && anonymous_outside_upload(target)) {
    post({TransferEvent::Kind::done, {}, {}, TransferOutcome::PermissionDenied});
    co_return;
  }
  if (proto_.anonymous()) t.exclusive = true;  // anonymous never replaces a file
  auto parent = fs.open_parent(target);
  if (!parent) {
    post({TransferEvent::Kind::done, {}, {}, outcome_of(parent.error())});
    co_return;
  }
  struct stat existing {};
  const bool exists = ::fstatat(parent->dir.get(), parent->name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0;
  if (exists && (t.exclusive || t.kind == TransferKind::Stou || !S_ISREG(existing.st_mode))) {
    post({TransferEvent::Kind::done,
          {},
          {},
          S_ISDIR(existing.st_mode) ? TransferOutcome::IsDirectory : TransferOutcome::PermissionDenied});
    co_return;
  }
  core::DurableFileOptions options;
  options.unnamed_temp = true;  // O_TMPFILE: a cut or killed upload leaves nothing behind
  auto made = core::DurableFileWriter::create_at(parent->dir.get(), parent->name, options);
  if (!made) {
    post({TransferEvent::Kind::done, {}, {}, outcome_of(made.error().code)});
    co_return;
  }
  core::DurableFileWriter writer = std::move(*made);
  // APPE and REST+STOR: the kept part of the old file is copied into the new one first, so the old file
  // stays whole until the new one replaces it (nothing of an aborted upload is ever visible).
  std::uint64_t keep = 0;
  if (exists && t.kind == TransferKind::Appe) keep = static_cast<std::uint64_t>(existing.st_size);
  if (exists && t.kind == TransferKind::Stor && t.offset > 0)
    keep = std::min<std::uint64_t>(t.offset, static_cast<std::uint64_t>(existing.st_size));
  if (t.kind == TransferKind::Stor && t.offset > keep) {
    post({TransferEvent::Kind::done, {}, {}, TransferOutcome::LocalError});  // REST past the end
    co_return;
  }
  if (cfg_.max_file_size != 0 && keep > cfg_.max_file_size) {
    post({TransferEvent::Kind::done, {}, {}, TransferOutcome::TooLarge});
    co_return;
  }
  if (keep > 0) {
    const int src = ::openat(parent->dir.get(), parent->name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (src < 0) {
      post({TransferEvent::Kind::done, {}, {}, outcome_of(errno)});
      co_return;
    }
    const UniqueFd source(src);
    const int dst = writer.fd();
    auto copy = [src, dst, keep]() -> int {
      loff_t in = 0;
      std::uint64_t left = keep;
      while (left > 0) {
        const ssize_t n = ::copy_file_range(src, &in, dst, nullptr, left, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n < 0 ? errno : EIO;
        left -= static_cast<std::uint64_t>(n);
      }
      return 0;
    };
    const auto copied = co_await srv_.pool().run(copy);
    if (!copied || *copied != 0) {
      post({TransferEvent::Kind::done, {}, {}, copied ? outcome_of(*copied) : TransferOutcome::LocalError});
      co_return;
    }
    // The writer counts what it wrote; the copied prefix was written beside it.
    if (::lseek(dst, static_cast<off_t>(keep), SEEK_SET) < 0) {
      post({TransferEvent::Kind::done, {}, {}, TransferOutcome::LocalError});
      co_return;
    }
  }
  TransferEvent started{TransferEvent::Kind::started, {}, stou_name, TransferOutcome::Ok};
  data = co_await open_data(t, started);
  if (!data) co_return;
  core::Deadline deadline(data->get_executor(), data->lowest_layer());
  data_stream_ = data.get();
  UploadLimits limits{cfg_.max_file_size == 0 ? 0 : cfg_.max_file_size - keep, cfg_.min_free_space};
  const IoResult r =
      co_await receive_file(*data, deadline, writer, t.ascii, limits, cfg_.data_timeout, control_);
  data_stream_ = nullptr;
  report_io(r, false);
  if (r.end != IoEnd::done) {
    writer.abort();  // nothing of it appears
    if (r.end == IoEnd::timed_out) {
      post({TransferEvent::Kind::data_timeout, {}, {}, TransferOutcome::DataLost});
      co_return;
    }
    end_transfer(io_outcome(r.end), r.bytes, false);
    co_return;
  }
  // Durable before 226: fsync the file, rename it into place, fsync the directory (on the pool). An
  // exclusive upload (anonymous, STOU) is published with RENAME_NOREPLACE: of two uploads racing to the same
  // new name, the second is refused (EEXIST: 550), never replacing the first.
  const auto mode = t.exclusive || t.kind == TransferKind::Stou
                        ? core::DurableFileWriter::Publish::keep_existing
                        : core::DurableFileWriter::Publish::replace;
  auto commit = [&writer, mode]() -> int {
    auto done = writer.commit(mode);
    return done ? 0 : done.error().code;
  };
  const auto committed = co_await srv_.pool().run(commit);
  if (!committed || *committed != 0) {
    writer.abort();
    end_transfer(committed ? outcome_of(*committed) : TransferOutcome::LocalError, r.bytes, false);
    co_return;
  }
  end_transfer(TransferOutcome::Ok, r.bytes, false);
}

}  // namespace

awaitable<void> serve_ftp(core::Connection& conn, FtpServer& server) {
  Session session(conn, server);
  co_await session.run();
}

awaitable<void> refuse_ftp(core::Connection& conn) {
  static constexpr std::string_view kBusy = "421 Too many connections, try again later.\r\n";
  conn.expires_after(std::chrono::seconds(5));
  co_await asio::async_write(conn.stream(), asio::buffer(kBusy.data(), kBusy.size()), use_nothrow);
  conn.stream().shutdown();
}

}  // namespace endhost::ftp::server
