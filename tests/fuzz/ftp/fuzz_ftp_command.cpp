// Feeds arbitrary control-connection bytes to the command reader and ServerSession under a configuration the
// first byte picks, and answers every action with an outcome the input's tail picks (login ok or not, a
// passive port or a failure, each FsError, each TransferOutcome, ABOR mid-transfer). Checks the session's
// promises: every reply is well-formed (`ddd ` / `ddd-` … / ` middle`, CRLF, no bare CR or LF), output stays
// within the writer's maximum, every path handed to the I/O is normalized and absolute, every active target
// is the peer on a port >= 1024, nothing moves after Close, and poll() terminates.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ftp/host_port.hpp"
#include "ftp/server_session.hpp"
#include "text/command_reader.hpp"

namespace {

using namespace endhost::ftp;
using endhost::text::CommandReader;
using endhost::text::ReadEvent;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool normalized(const std::string& p) {
  if (p.empty() || p.front() != '/') return false;
  if (p == "/") return true;
  if (p.back() == '/') return false;
  if (p.find('\0') != std::string::npos || p.find("//") != std::string::npos) return false;
  std::size_t i = 0;
  while (i < p.size()) {
    const std::size_t next = p.find('/', i + 1);
    const std::string part = p.substr(i + 1, next == std::string::npos ? std::string::npos : next - i - 1);
    if (part == "." || part == ".." || part.empty()) return false;
    if (next == std::string::npos) break;
    i = next;
  }
  return true;
}

// Every byte the session wrote: lines of `ddd `, `ddd-` or ` text`, each ending in CRLF, no other CR or LF.
void check_replies(std::string_view out, bool& in_multiline, int& code) {
  while (!out.empty()) {
    const std::size_t crlf = out.find("\r\n");
    check(crlf != std::string_view::npos);
    const std::string_view line = out.substr(0, crlf);
    check(line.find_first_of("\r\n") == std::string_view::npos);
    out.remove_prefix(crlf + 2);
    if (in_multiline && !line.empty() && line.front() == ' ') continue;
    check(line.size() >= 4);
    for (int i = 0; i < 3; ++i)
      check(line[static_cast<std::size_t>(i)] >= '0' && line[static_cast<std::size_t>(i)] <= '9');
    const int this_code = std::stoi(std::string(line.substr(0, 3)));
    check(this_code >= 100 && this_code <= 599);
    check(line[3] == ' ' || line[3] == '-');
    if (in_multiline) check(this_code == code);
    code = this_code;
    in_multiline = line[3] == '-';
  }
}

class Driver {
 public:
  Driver(SessionConfig config, std::string_view choices)
      : peer_(config.peer_address), session_(std::move(config)), choices_(choices) {}

  void run(std::string_view bytes) {
    session_.greeting();
    drain_output();
    while (!bytes.empty() && !closed_) {
      const std::size_t n = reader_.feed(bytes.substr(0, 1 + pick(64)));
      bytes.remove_prefix(n);
      for (;;) {
        if (closed_) break;
        const ReadEvent e = reader_.next();
        if (e.kind == ReadEvent::Kind::NeedMore) break;
        if (e.kind == ReadEvent::Kind::Line) {
          // (A real I/O stops reading while !can_take_line(); the fuzzer goes on, to test the bound.)
          perform(session_.on_line(e.text, now_));
        } else if (e.kind == ReadEvent::Kind::Error) {
          perform(session_.on_read_error(e.error));
        }
        if (tls_) {
          tls_ = false;
          reader_.discard_buffered();
          if (pick(8) == 0) {
            closed_ = true;  // the handshake failed: the I/O closes
          } else {
            perform(session_.tls_ready());
          }
        }
        now_ += std::chrono::milliseconds(pick(400));
      }
      if (!closed_ && pick(16) == 0) perform(session_.idle_timeout());
    }
    // A transfer still running at the end: finish it.
    if (!closed_ && session_.state() == State::Transferring)
      perform(session_.transfer_done(TransferOutcome::DataLost));
  }

 private:
  unsigned pick(unsigned n) {
    if (choices_.empty() || n == 0) return 0;
    const auto c = static_cast<unsigned char>(choices_[cursor_++ % choices_.size()]);
    return c % n;
  }

  void drain_output() {
    const std::string_view out = session_.writer().pending();
    check(out.size() <= ServerSession::kWriterLimits.max_buffer);
    check_replies(out, in_multiline_, code_);
    session_.writer().consumed(out.size());
  }

  void perform(Action a) {
    int guard = 0;
    for (;;) {
      carry_out(a);
      drain_output();
      if (closed_) return;
      a = session_.poll();
      if (std::holds_alternative<action::None>(a)) return;
      check(++guard < 10000);
    }
  }

  void carry_out(Action& first) {
    Action a = std::move(first);
    int guard = 0;
    while (!std::holds_alternative<action::None>(a)) {
      check(!closed_);
      check(++guard < 1000);
      Action next = action::None{};
      if (std::holds_alternative<action::VerifyLogin>(a)) {
        next = session_.login_result(pick(2) == 0, pick(2) == 0 ? "/" : "/home/u");
      } else if (std::holds_alternative<action::OpenPassive>(a)) {
        next = pick(5) == 0 ? session_.data_failed()
                            : session_.passive_ready(static_cast<std::uint16_t>(1024 + pick(60000)));
      } else if (const auto* c = std::get_if<action::ConnectActive>(&a)) {
        check(same_host(c->target.address, peer_));
        check(c->target.port >= 1024);
      } else if (const auto* f = std::get_if<action::Fs>(&a)) {
        check(normalized(f->path));
        if (f->op == action::FsOp::RenameTo) check(normalized(f->path2));
        check(f->mode <= 07777);
        FsResult r;
        r.error = static_cast<FsError>(pick(10));
        r.size = pick(256);
        r.mtime = endhost::core::WallTime(std::chrono::seconds(pick(200) * 10000000LL));
        for (unsigned i = pick(4); i > 0; --i)
          r.lines.push_back(std::string(pick(80), static_cast<char>(pick(256))));
        next = session_.fs_result(r);
      } else if (const auto* t = std::get_if<action::Transfer>(&a)) {
        check(normalized(t->path));
        check(session_.state() == State::Transferring);
        const unsigned how = pick(4);
        if (how == 0) {
          next = session_.data_failed();
        } else if (how == 1) {
          next = session_.transfer_done(static_cast<TransferOutcome>(pick(10)));
        } else if (how == 2) {
          session_.transfer_started(pick(2) ? std::optional<std::uint64_t>(pick(1000)) : std::nullopt, "u.1");
          session_.transfer_progress(pick(1000));
          next = session_.transfer_done(static_cast<TransferOutcome>(pick(10)));
        } else {
          session_.transfer_started();  // stays running: the next lines may ABOR, STAT, QUIT
        }
      } else if (std::holds_alternative<action::Abort>(a)) {
        check(session_.state() == State::Transferring);
        next = session_.transfer_done(TransferOutcome::Aborted);
      } else if (std::holds_alternative<action::StartTls>(a)) {
        tls_ = true;
      } else if (std::holds_alternative<action::Close>(a)) {
        check(session_.closing());
        closed_ = true;
      }
      a = std::move(next);
    }
  }

  std::string peer_;
  ServerSession session_;
  CommandReader reader_;
  std::string_view choices_;
  std::size_t cursor_ = 0;
  endhost::core::Instant now_{std::chrono::milliseconds(1000)};
  bool closed_ = false;
  bool tls_ = false;
  bool in_multiline_ = false;
  int code_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto flags = static_cast<unsigned char>(input[0]);
  SessionConfig c;
  c.anonymous = (flags & 1) != 0;
  c.writable = (flags & 2) != 0;
  c.anon_upload_dir = (flags & 4) != 0 ? "incoming" : "";
  c.tls_available = (flags & 8) != 0;
  c.tls_required = (flags & 16) != 0;
  c.peer_address = (flags & 32) != 0 ? "::1" : "127.0.0.1";
  c.local_address = (flags & 32) != 0 ? "::1" : "127.0.0.1";
  c.limits.max_commands_per_second = (flags & 64) != 0 ? 5 : 0;
  c.limits.max_deferred_lines = 8;
  c.limits.max_path = 256;
  // The control bytes and, from the last `\0\0`, the choices that answer the actions.
  std::string_view control = input.substr(1);
  std::string_view choices;
  const std::size_t split = control.rfind(std::string_view("\0\0", 2));
  if (split != std::string_view::npos) {
    choices = control.substr(split + 2);
    control = control.substr(0, split);
  }
  Driver driver(c, choices);
  driver.run(control);
  return 0;
}
