#include "fake_ftp_io.hpp"

#include <filesystem>

namespace endhost::ftp::test {
namespace {

std::string_view kind_name(action::TransferKind k) {
  switch (k) {
    case action::TransferKind::Retr:
      return "RETR";
    case action::TransferKind::Stor:
      return "STOR";
    case action::TransferKind::Appe:
      return "APPE";
    case action::TransferKind::Stou:
      return "STOU";
    case action::TransferKind::List:
      return "LIST";
    case action::TransferKind::Nlst:
      return "NLST";
    case action::TransferKind::Mlsd:
      return "MLSD";
  }
  return "?";
}

std::string_view op_name(action::FsOp op) {
  switch (op) {
    case action::FsOp::ChangeDir:
      return "chdir";
    case action::FsOp::MakeDir:
      return "mkdir";
    case action::FsOp::RemoveDir:
      return "rmdir";
    case action::FsOp::Delete:
      return "delete";
    case action::FsOp::RenameFrom:
      return "rename-from";
    case action::FsOp::RenameTo:
      return "rename-to";
    case action::FsOp::Size:
      return "size";
    case action::FsOp::ModTime:
      return "mtime";
    case action::FsOp::Facts:
      return "facts";
    case action::FsOp::StatList:
      return "stat-list";
    case action::FsOp::Chmod:
      return "chmod";
  }
  return "?";
}

std::string parent(const std::string& p) {
  const std::size_t slash = p.rfind('/');
  return slash == 0 ? "/" : p.substr(0, slash);
}

}  // namespace

SessionConfig transcript_config(const std::string& file_name) {
  const std::string name = std::filesystem::path(file_name).filename().string();
  const auto has = [&](std::string_view prefix) { return name.rfind(prefix, 0) == 0; };
  SessionConfig c;
  c.server_name = "ftp.someschool.edu";
  c.anonymous = !has("noanon_");
  c.writable = !has("readonly_");
  c.anon_upload_dir = "incoming";
  c.tls_available = true;
  c.tls_required = has("tls_required_");
  c.peer_address = has("v6_") ? "::1" : "127.0.0.1";
  c.local_address = has("v6_") ? "::1" : "127.0.0.1";
  if (has("limited_")) c.limits.max_commands_per_second = 3;
  return c;
}

FakeFtpIo::FakeFtpIo(SessionConfig config, std::size_t max_line)
    : session_(std::move(config)),
      reader_(text::ReaderConfig{text::LineEnding::Crlf, false, {max_line, 4096, 0}}) {
  dirs_ = {"/", "/pub", "/incoming", "/home", "/home/empty"};
  const core::WallTime t(std::chrono::seconds(1704164645));  // 2024-01-02 03:04:05 UTC
  files_ = {{"/pub/a.txt", {1234, t}},
            {"/pub/big.iso", {1073741824, t}},
            {"/pub/slow.bin", {5000, t}},
            {"/readme", {42, t}}};
  session_.greeting();
}

void FakeFtpIo::receive(std::string_view bytes) {
  while (!bytes.empty() && !closed_) {
    const std::size_t taken = reader_.feed(bytes);
    bytes.remove_prefix(taken);
    for (;;) {
      if (closed_) return;
      const text::ReadEvent ev = reader_.next();
      if (ev.kind == text::ReadEvent::Kind::NeedMore) break;
      if (ev.kind == text::ReadEvent::Kind::Line) {
        perform(session_.on_line(ev.text, now_));
      } else if (ev.kind == text::ReadEvent::Kind::Error) {
        perform(session_.on_read_error(ev.error));
      }
      if (tls_) {  // AUTH TLS: what came with it in the clear is dropped (RFC 4217 §4)
        tls_ = false;
        if (reader_.discard_buffered() > 0) note("discarded plaintext after AUTH");
        perform(session_.tls_ready());
      }
    }
    if (taken == 0) break;
  }
}

std::string FakeFtpIo::take_output() {
  std::string out(session_.writer().pending());
  session_.writer().consumed(out.size());
  return out;
}

std::vector<std::string> FakeFtpIo::take_notes() {
  return std::exchange(notes_, {});
}

void FakeFtpIo::perform(Action action) {
  carry_out(action);
  for (;;) {
    Action next = session_.poll();
    if (std::holds_alternative<action::None>(next)) break;
    carry_out(next);
  }
}

void FakeFtpIo::carry_out(Action& first) {
  Action a = std::move(first);
  while (!std::holds_alternative<action::None>(a)) {
    Action next = action::None{};
    if (const auto* v = std::get_if<action::VerifyLogin>(&a)) {
      note("login " + v->user + (v->anonymous ? " (anonymous)" : ""));
      next = session_.login_result(v->anonymous || (v->user == "bob" && v->password == "secret"), "/");
    } else if (const auto* p = std::get_if<action::OpenPassive>(&a)) {
      note(p->extended ? "listen extended" : "listen");
      next = session_.passive_ready(50000);
    } else if (const auto* c = std::get_if<action::ConnectActive>(&a)) {
      note("active " + c->target.address + " " + std::to_string(c->target.port));
    } else if (const auto* f = std::get_if<action::Fs>(&a)) {
      std::string text = std::string(op_name(f->op)) + " " + f->path;
      if (!f->path2.empty()) text += " " + f->path2;
      if (f->op == action::FsOp::Chmod) text += " mode " + std::to_string(f->mode);
      note(text);
      next = session_.fs_result(do_fs(*f));
    } else if (const auto* t = std::get_if<action::Transfer>(&a)) {
      std::string text = std::string(kind_name(t->kind)) + " " + t->path;
      if (t->offset != 0) text += " from " + std::to_string(t->offset);
      if (t->ascii) text += " ascii";
      if (t->protected_data) text += " tls";
      if (t->exclusive) text += " exclusive";
      if (!t->list_options.empty()) text += " " + t->list_options;
      note(text);
      next = do_transfer(*t);
    } else if (std::holds_alternative<action::Abort>(a)) {
      note("abort");
      next = session_.transfer_done(TransferOutcome::Aborted);
    } else if (std::holds_alternative<action::StartTls>(a)) {
      note("tls handshake");
      tls_ = true;  // after this event: the reader's buffered input is dropped first
    } else if (const auto* cl = std::get_if<action::Close>(&a)) {
      note("close" + (cl->delay.count() ? " after " + std::to_string(cl->delay.count()) + " ms" : ""));
      closed_ = true;
    } else if (const auto* pa = std::get_if<action::Pause>(&a)) {
      note("pause " + std::to_string(pa->delay.count()) + " ms");
    }
    a = std::move(next);
  }
}

FsResult FakeFtpIo::do_fs(const action::Fs& fs) {
  using action::FsOp;
  FsResult r;
  const bool is_dir = dirs_.count(fs.path) > 0;
  const auto file = files_.find(fs.path);
  const bool is_file = file != files_.end();
  switch (fs.op) {
    case FsOp::ChangeDir:
      if (!is_dir) r.error = is_file ? FsError::NotDirectory : FsError::NotFound;
      break;
    case FsOp::MakeDir:
      if (is_dir || is_file) {
        r.error = FsError::Exists;
      } else if (!dirs_.count(parent(fs.path))) {
        r.error = FsError::NotFound;
      } else {
        dirs_.insert(fs.path);
      }
      break;
    case FsOp::RemoveDir: {
      if (!is_dir) {
        r.error = FsError::NotFound;
        break;
      }
      for (const auto& [p, f] : files_) {
        if (parent(p) == fs.path) r.error = FsError::NotEmpty;
      }
      for (const auto& d : dirs_) {
        if (d != "/" && parent(d) == fs.path) r.error = FsError::NotEmpty;
      }
      if (r.error == FsError::None) dirs_.erase(fs.path);
      break;
    }
    case FsOp::Delete:
      if (!is_file) {
        r.error = is_dir ? FsError::IsDirectory : FsError::NotFound;
      } else {
        files_.erase(file);
      }
      break;
    case FsOp::RenameFrom:
      if (!is_file && !is_dir) r.error = FsError::NotFound;
      break;
    case FsOp::RenameTo:
      if (is_file) {
        files_[fs.path2] = file->second;
        files_.erase(fs.path);
      } else if (is_dir) {
        dirs_.erase(fs.path);
        dirs_.insert(fs.path2);
      } else {
        r.error = FsError::NotFound;
      }
      break;
    case FsOp::Size:
    case FsOp::ModTime:
      if (!is_file) {
        r.error = is_dir ? FsError::IsDirectory : FsError::NotFound;
      } else {
        r.size = file->second.size;
        r.mtime = file->second.mtime;
      }
      break;
    case FsOp::Facts:
      if (is_file) {
        r.lines.push_back("type=file;size=" + std::to_string(file->second.size) + "; " + fs.path);
      } else if (is_dir) {
        r.lines.push_back("type=dir; " + fs.path);
      } else {
        r.error = FsError::NotFound;
      }
      break;
    case FsOp::StatList:
      if (!is_dir && !is_file) {
        r.error = FsError::NotFound;
        break;
      }
      for (const auto& [p, f] : files_) {
        if (parent(p) == fs.path || p == fs.path) {
          r.lines.push_back("-rw-r--r-- 1 ftp ftp " + std::to_string(f.size) + " Jan 02 2024 " +
                            p.substr(p.rfind('/') + 1));
        }
      }
      break;
    case FsOp::Chmod:
      if (!is_file && !is_dir) r.error = FsError::NotFound;
      break;
  }
  return r;
}

Action FakeFtpIo::do_transfer(const action::Transfer& t) {
  using action::TransferKind;
  switch (t.kind) {
    case TransferKind::Retr: {
      if (dirs_.count(t.path)) return session_.transfer_done(TransferOutcome::IsDirectory);
      const auto f = files_.find(t.path);
      if (f == files_.end()) return session_.transfer_done(TransferOutcome::NotFound);
      session_.transfer_started(f->second.size);
      if (t.path == "/pub/slow.bin") {
        session_.transfer_progress(1000);
        return action::None{};  // runs until ABOR
      }
      note("data: " + std::to_string(f->second.size - std::min(f->second.size, t.offset)) + " bytes");
      return session_.transfer_done(TransferOutcome::Ok);
    }
    case TransferKind::Stor:
    case TransferKind::Appe:
    case TransferKind::Stou: {
      std::string target = t.path;
      if (t.kind == TransferKind::Stou)
        target = (t.path == "/" ? "" : t.path) + "/stou." + std::to_string(++stou_counter_);
      if (!dirs_.count(parent(target)) || dirs_.count(target))
        return session_.transfer_done(TransferOutcome::NotFound);
      if (t.exclusive && files_.count(target))
        return session_.transfer_done(TransferOutcome::PermissionDenied);
      session_.transfer_started(std::nullopt,
                                t.kind == TransferKind::Stou ? target.substr(target.rfind('/') + 1) : "");
      note("data: stored " + target);
      files_[target] = FakeFile{5, {}};
      return session_.transfer_done(TransferOutcome::Ok);
    }
    case TransferKind::List:
    case TransferKind::Nlst:
    case TransferKind::Mlsd:
      if (!dirs_.count(t.path)) return session_.transfer_done(TransferOutcome::NotFound);
      session_.transfer_started();
      note("data: listing of " + t.path);
      return session_.transfer_done(TransferOutcome::Ok);
  }
  return action::None{};
}

}  // namespace endhost::ftp::test
