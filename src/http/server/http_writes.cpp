// PUT, DELETE and multipart POST (the section 3): authenticated with HTTP Basic against the
// htpasswd file, refused before the body is read when they cannot succeed, and durable when they answer
// (core::DurableFileWriter). No partial file is ever visible: a failed or abandoned upload leaves nothing
// behind.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "core/durable_file.hpp"
#include "core/log.hpp"
#include "http/server/conditional.hpp"
#include "http/server/etag.hpp"
#include "http/server/http1_response.hpp"
#include "http/server/http_session_impl.hpp"
#include "http/server/multipart.hpp"
#include "http/server/password.hpp"
#include "http/server/replies.hpp"
#include "http/server/response.hpp"

namespace endhost::web::detail {

namespace {

// RFC 7617 §2: the realm, and the charset the server expects user names and passwords in.
constexpr ExtraField kChallenge{"WWW-Authenticate", "Basic realm=\"endhost\", charset=\"UTF-8\""};
constexpr auto kInsufficientStorage = static_cast<http::Status>(507);  // RFC 4918 §11.5

http::Status status_for_write_errno(int err) {
  if (err == EAGAIN) return http::Status::service_unavailable;  // the blocking pool is full
  if (err == ENOSPC || err == EDQUOT) return kInsufficientStorage;
  if (err == EROFS) return http::Status::forbidden;
  return status_for_errno(err);
}

// The validators of what is at `name` in `dir` now (for If-Match and friends on writes).
struct Current {
  bool exists = false;
  bool is_dir = false;
  ETag etag;
  std::time_t mtime = 0;
  Validators validators() const {
    return Validators{exists, exists && !is_dir ? etag.view() : std::string_view(), mtime};
  }
};

// fsync(2) of one descriptor, for the blocking pool (which wants a named job object).
struct FsyncJob {
  int fd;
  int operator()() const { return ::fsync(fd) == 0 ? 0 : errno; }
};

// One step of a DurableFileWriter as a job for the blocking pool: 0 or the errno.
struct SyncJob {
  core::DurableFileWriter* file;
  bool dir;
  int operator()() const {
    auto ok = dir ? file->sync_dir() : file->sync();
    return ok ? 0 : ok.error().code;
  }
};

// The errno a blocking job returned, or EAGAIN (answered 503) when the pool refused it.
int job_errno(const Expected<int, std::string>& result) {
  return result ? *result : EAGAIN;
}

// Uploads are written to an unnamed temporary (O_TMPFILE) in the target's directory: nothing partial is
// ever visible, and a kill -9 leaves nothing to clean up.
core::DurableFileOptions upload_options() {
  core::DurableFileOptions options;
  options.unnamed_temp = true;
  return options;
}

Current stat_target(int dir, const std::string& name) {
  Current c;
  struct stat st {};
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return c;
  c.exists = true;
  c.is_dir = S_ISDIR(st.st_mode);
  c.mtime = st.st_mtim.tv_sec;
  c.etag = ETag(st.st_ino, static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
                static_cast<std::uint64_t>(st.st_size));
  return c;
}

}  // namespace

void HttpSession::prepare_write(RequestContext& rq) {
  WriteRequest& wr = w_->write;
  const http::RequestHead& head = rq.head;
  wr.method = head.method_id;
  wr.version = head.version;
  wr.expect_continue = head.expect_continue;
  wr.framing = head.framing;
  wr.authorization.assign(head.fields.get("authorization").value_or(""));
  wr.user.clear();
  wr.content_type.assign(head.fields.get("content-type").value_or(""));
  wr.conditionals.clear();
  for (const http::FieldView& f : head.fields) {
    if (http::iequals(f.name, "if-match") || http::iequals(f.name, "if-none-match") ||
        http::iequals(f.name, "if-unmodified-since"))
      wr.conditionals.add(f.name, f.value);
  }
  wr.path.assign(rq.path);
  wr.hidden = rq.path_info.hidden;
  wr.trailing_slash = rq.path_info.trailing_slash;
  wr.site = rq.site;
  write_pending_ = true;
}

Next HttpSession::reply_written(http::Status status, std::string_view content_type) {
  WriteRequest& wr = w_->write;
  http::RequestHead head;
  head.version = wr.version;
  head.method_id = wr.method;
  RequestContext rq(srv_, loop_, *w_, head, std::time(nullptr));
  Reply& reply = w_->reply;
  const std::size_t mark = w_->out.size();
  begin_reply(rq, reply, status);
  if (!content_type.empty()) reply.head.add("Content-Type", content_type);
  // RFC 9110 §8.6: a server MUST NOT send Content-Length in a 204 (it has no content to measure).
  if (status != http::Status::no_content) set_memory_body(rq, reply);
  write_response(rq);
  trace_response(mark);
  write_pending_ = false;
  return finish_request();
}

awaitable<Next> HttpSession::reject_write(http::Status status, std::string_view detail, ExtraField extra) {
  WriteRequest& wr = w_->write;
  Reply& reply = w_->reply;
  // The body was not read. Drain it if that is safe and cheap; otherwise close after answering.
  http::RequestHead head;
  head.version = wr.version;
  head.method_id = wr.method;
  head.expect_continue = wr.expect_continue;
  head.framing = wr.framing;
  const bool body_left = !w_->parser.done();
  if (body_left && body_must_close(head, cfg_.max_drain_body)) reply.keep_alive = false;
  RequestContext rq(srv_, loop_, *w_, head, std::time(nullptr));
  const std::size_t mark = w_->out.size();
  mark_reply_start();
  reply_error(rq, reply, status, detail, extra);
  write_response(rq);
  trace_response(mark);
  write_pending_ = false;
  if (body_left && reply.keep_alive) {
    const BodyEnd end = co_await drain_body();
    if (end != BodyEnd::done) co_return body_failed(end);
  }
  co_return finish_request();
}

awaitable<bool> HttpSession::authorize() {
  auto credentials = parse_basic_authorization(w_->write.authorization);
  if (!credentials) co_return false;
  const PasswordEntry* entry = nullptr;
  for (const PasswordEntry& e : cfg_.users)
    if (e.user == credentials->user) entry = &e;
  // Unknown users are checked against a decoy hash, so the time taken does not reveal which names exist.
  PasswordEntry check = entry != nullptr ? *entry : decoy_password_entry();
  auto job = [&check, &credentials] { return verify_password(check, credentials->password); };
  const auto verified = co_await srv_.blocking.run(job);
  const bool known = verified && *verified && entry != nullptr;
  if (known) w_->write.user = entry->user;
  co_return known;
}

awaitable<bool> HttpSession::send_continue() {
  // RFC 9110 §10.1.1: the client waits for this before sending the body.
  if (!w_->write.expect_continue || w_->parser.done()) co_return true;
  append_http1_interim(w_->out, http::Status::continue_);
  if (cfg_.transcript.enabled()) cfg_.transcript.server(conn_.peer(), "HTTP/1.1 100 Continue");
  const bool sent = co_await send_out();
  co_return sent;
}

awaitable<HttpSession::BodyPiece> HttpSession::next_body_piece() {
  for (;;) {
    auto step = w_->parser.parse_body(buffered());
    if (!step) {
      body_error_ = step.error();
      co_return BodyPiece{BodyEnd::malformed, {}};
    }
    consume(step->consumed);  // the data stays in the buffer until the next read
    if (step->done || !step->data.empty())
      co_return BodyPiece{step->done ? BodyEnd::done : BodyEnd::more, step->data};
    if (step->consumed > 0) continue;
    if (eof_) co_return BodyPiece{BodyEnd::closed, {}};
    conn_.expires_after(cfg_.body_timeout);
    const Input in = co_await read_more();
    if (in == Input::error && conn_.timed_out()) co_return BodyPiece{BodyEnd::timed_out, {}};
    if (in != Input::data) co_return BodyPiece{BodyEnd::closed, {}};
  }
}

Next HttpSession::upload_failed(BodyEnd end) {
  // Nothing of a response has been built yet (a 100 Continue is not one): the fault is answered, unless the
  // client went away.
  mark_reply_start();
  return body_failed(end);
}

awaitable<Next> HttpSession::serve_write() {
  WriteRequest& wr = w_->write;
  const bool authorized = co_await authorize();
  if (!authorized) {
    const Next next = co_await reject_write(http::Status::unauthorized,
                                            "Writing needs a user name and password.", kChallenge);
    co_return next;
  }
  const auto* site = static_cast<const Site*>(wr.site);
  Next next = Next::close;
  if (site == nullptr) {
    next = co_await reject_write(http::Status::not_found, "No site is configured for this host.");
  } else if (wr.hidden && !cfg_.show_dotfiles) {
    next = co_await reject_write(http::Status::forbidden, "Names starting with '.' cannot be written.");
  } else if (wr.method == http::Method::put) {
    next = co_await serve_put(site->dir.get());
  } else if (wr.method == http::Method::delete_) {
    next = co_await serve_delete(site->dir.get());
  } else {
    next = co_await serve_post(site->dir.get());
  }
  // Whatever this wrote is in the inotify queue now; a GET pipelined behind it, read before the change,
  // must still see it: the next lookup reads the queue as after new input (file_cache.hpp).
  loop_.files.note_input();
  co_return next;
}

awaitable<Next> HttpSession::serve_put(int root) {
  WriteRequest& wr = w_->write;
  const std::string& local = w_->local;
  if (local.empty() || wr.trailing_slash) {
    const Next n = co_await reject_write(http::Status::conflict, "PUT needs a file name, not a directory.");
    co_return n;
  }
  Fd dir;
  std::string name;
  if (int err = open_parent_beneath(root, local, cfg_.follow_symlinks, dir, name); err != 0) {
    // RFC 9110 §9.3.4 leaves it to the server; like WebDAV (RFC 4918 §9.7.1) a missing parent is a conflict.
    const http::Status status =
        err == ENOENT || err == ENOTDIR ? http::Status::conflict : status_for_errno(err);
    const Next n = co_await reject_write(status, "The parent directory does not exist.");
    co_return n;
  }
  const Current current = stat_target(dir.get(), name);
  if (current.is_dir) {
    const Next n = co_await reject_write(http::Status::conflict, "A directory has that name.");
    co_return n;
  }
  // The conditionals were copied into an owned Fields; evaluate them through a view of it.
  std::vector<http::FieldView> views;
  for (const http::Field& f : wr.conditionals) views.push_back({f.name, f.value});
  if (evaluate_conditionals(http::Method::put, http::FieldsView(views), current.validators(),
                            std::time(nullptr))
          .outcome != Precondition::proceed) {
    const Next n = co_await reject_write(http::Status::precondition_failed, {});
    co_return n;
  }
  if (wr.framing.kind == http::BodyKind::length && wr.framing.length > cfg_.max_upload) {
    const Next n =
        co_await reject_write(http::Status::content_too_large, "The upload is larger than the limit.");
    co_return n;
  }
  auto created = core::DurableFileWriter::create_at(dir.get(), name, upload_options());
  if (!created) {
    const Next n =
        co_await reject_write(status_for_write_errno(created.error().code), "Cannot create the file.");
    co_return n;
  }
  core::DurableFileWriter file = std::move(*created);
  const bool continued = co_await send_continue();
  if (!continued) co_return Next::abort;
  for (;;) {
    const BodyPiece piece = co_await next_body_piece();
    // A broken or abandoned body: the temporary file vanishes with `file`, nothing was published.
    if (piece.end != BodyEnd::more && piece.end != BodyEnd::done) co_return upload_failed(piece.end);
    if (file.size() + piece.data.size() > cfg_.max_upload) {
      w_->reply.keep_alive = false;
      const Next n =
          co_await reject_write(http::Status::content_too_large, "The upload is larger than the limit.");
      co_return n;
    }
    if (auto wrote = file.write(piece.data); !wrote) {
      w_->reply.keep_alive = false;
      const Next n =
          co_await reject_write(status_for_write_errno(wrote.error().code), "Cannot write the file.");
      co_return n;
    }
    if (piece.end == BodyEnd::done) break;
  }
  SyncJob sync_file{&file, false};
  const auto synced = co_await srv_.blocking.run(sync_file);
  int err = job_errno(synced);
  bool replaced = false;
  if (err == 0) {
    auto published = file.publish();
    if (published)
      replaced = *published;
    else
      err = published.error().code;
  }
  SyncJob sync_dir{&file, true};
  if (err == 0) {
    const auto dir_synced = co_await srv_.blocking.run(sync_dir);
    err = job_errno(dir_synced);
  }
  if (err != 0) {
    const http::Status status = err == EISDIR ? http::Status::conflict : status_for_write_errno(err);
    const Next n = co_await reject_write(status, "Cannot store the file.");
    co_return n;
  }
  // RFC 9110 §9.3.4: 201 when the PUT created the resource, 204 when it replaced it; either with no content.
  w_->body.clear();
  co_return reply_written(replaced ? http::Status::no_content : http::Status::created);
}

awaitable<Next> HttpSession::serve_delete(int root) {
  WriteRequest& wr = w_->write;
  const std::string& local = w_->local;
  if (local.empty()) {
    const Next n = co_await reject_write(http::Status::forbidden, "The root cannot be deleted.");
    co_return n;
  }
  Fd dir;
  std::string name;
  if (int err = open_parent_beneath(root, local, cfg_.follow_symlinks, dir, name); err != 0) {
    const Next n = co_await reject_write(status_for_errno(err), {});
    co_return n;
  }
  const Current current = stat_target(dir.get(), name);
  if (!current.exists) {
    const Next n = co_await reject_write(http::Status::not_found, {});
    co_return n;
  }
  std::vector<http::FieldView> views;
  for (const http::Field& f : wr.conditionals) views.push_back({f.name, f.value});
  if (evaluate_conditionals(http::Method::delete_, http::FieldsView(views), current.validators(),
                            std::time(nullptr))
          .outcome != Precondition::proceed) {
    const Next n = co_await reject_write(http::Status::precondition_failed, {});
    co_return n;
  }
  if (::unlinkat(dir.get(), name.c_str(), current.is_dir ? AT_REMOVEDIR : 0) != 0) {
    const int err = errno;
    const http::Status status =
        err == ENOTEMPTY || err == EEXIST ? http::Status::conflict : status_for_write_errno(err);
    const Next n = co_await reject_write(status, err == ENOTEMPTY ? "The directory is not empty." : "");
    co_return n;
  }
  FsyncJob sync_dir{dir.get()};
  const auto synced = co_await srv_.blocking.run(sync_dir);
  const int err = job_errno(synced);
  if (err != 0) {
    const Next n = co_await reject_write(status_for_write_errno(err), "The deletion may not be durable.");
    co_return n;
  }
  co_return reply_written(http::Status::no_content);
}

awaitable<Next> HttpSession::serve_post(int root) {
  WriteRequest& wr = w_->write;
  Fd dir;
  struct stat st {};
  if (int err = open_beneath(root, w_->local, cfg_.follow_symlinks, dir, st); err != 0) {
    const Next n = co_await reject_write(status_for_errno(err), {});
    co_return n;
  }
  if (!S_ISDIR(st.st_mode)) {
    // A form is posted to a directory; a file accepts only PUT and DELETE.
    const Next n = co_await reject_write(http::Status::method_not_allowed, "Post forms to a directory.",
                                         {"Allow", "GET, HEAD, OPTIONS, PUT, DELETE"});
    co_return n;
  }
  const auto boundary = form_data_boundary(wr.content_type);
  if (!boundary) {
    const Next n = co_await reject_write(http::Status::unsupported_media_type,
                                         "Expected multipart/form-data with a boundary.");
    co_return n;
  }
  if (wr.framing.kind == http::BodyKind::length && wr.framing.length > cfg_.max_upload) {
    const Next n =
        co_await reject_write(http::Status::content_too_large, "The upload is larger than the limit.");
    co_return n;
  }
  const bool continued = co_await send_continue();
  if (!continued) co_return Next::abort;

  MultipartParser form(*boundary, MultipartLimits{cfg_.max_upload_files, 8 * 1024});
  // Every file of the form is published only once the whole form has arrived: all or nothing.
  std::vector<core::DurableFileWriter> files;
  files.reserve(cfg_.max_upload_files);  // no reallocation: `current` points into it
  core::DurableFileWriter* current = nullptr;
  std::string& pending = w_->body;  // body bytes the form parser has not consumed yet (bounded: see below)
  pending.clear();
  std::uint64_t total = 0;
  http::Status failure{};
  std::string_view failure_detail;
  bool body_done = false;
  while (failure == http::Status{} && !body_done) {
    const BodyPiece piece = co_await next_body_piece();
    if (piece.end != BodyEnd::more && piece.end != BodyEnd::done) co_return upload_failed(piece.end);
    body_done = piece.end == BodyEnd::done;
    total += piece.data.size();
    if (total > cfg_.max_upload) {
      failure = http::Status::content_too_large;
      failure_detail = "The upload is larger than the limit.";
      break;
    }
    pending += piece.data;
    // Run the form parser over what we have; it leaves at most a part header or a delimiter's worth.
    std::size_t offset = 0;
    for (;;) {
      auto step = form.next(std::string_view(pending).substr(offset));
      if (!step) {
        failure = http::Status::bad_request;
        failure_detail = describe(step.error());
        break;
      }
      offset += step->consumed;
      using Kind = MultipartStep::Kind;
      if (step->kind == Kind::part_begin) {
        current = nullptr;
        if (!form.part().has_filename) continue;     // a plain form field: not stored
        if (form.part().filename.empty()) continue;  // a file input left empty by the browser
        auto name = safe_upload_name(form.part().filename);
        if (!name) {
          failure = http::Status::bad_request;
          failure_detail = "An uploaded file has a name that cannot be stored.";
          break;
        }
        auto created = core::DurableFileWriter::create_at(dir.get(), *name, upload_options());
        if (!created) {
          failure = status_for_write_errno(created.error().code);
          failure_detail = "Cannot create the file.";
          break;
        }
        files.push_back(std::move(*created));
        current = &files.back();
      } else if (step->kind == Kind::data) {
        if (current != nullptr) {
          if (auto wrote = current->write(step->data); !wrote) {
            failure = status_for_write_errno(wrote.error().code);
            failure_detail = "Cannot write the file.";
            break;
          }
        }
      } else if (step->kind == Kind::part_end) {
        current = nullptr;
      } else if (step->kind == Kind::need_more && step->consumed == 0) {
        break;
      } else if (step->kind == Kind::done && offset == pending.size()) {
        break;
      }
    }
    pending.erase(0, offset);
  }
  if (failure == http::Status{} && !form.done()) {
    failure = http::Status::bad_request;
    failure_detail = describe(MultipartError::truncated);
  }
  if (failure == http::Status{} && files.empty()) {
    failure = http::Status::bad_request;
    failure_detail = "The form has no file in it.";
  }
  if (failure != http::Status{}) {
    // Nothing was published; the temporaries vanish with `files`. The rest of the body is not worth reading.
    if (!body_done) w_->reply.keep_alive = false;
    const Next n = co_await reject_write(failure, failure_detail);
    co_return n;
  }
  auto sync_files = [&files] {
    for (core::DurableFileWriter& f : files) {
      if (auto ok = f.sync(); !ok) return ok.error().code;
    }
    return 0;
  };
  const auto synced = co_await srv_.blocking.run(sync_files);
  int err = job_errno(synced);
  for (core::DurableFileWriter& f : files) {
    if (err != 0) break;
    if (auto published = f.publish(); !published) err = published.error().code;
  }
  // Every file is in the one directory: one fsync of it makes all the new names durable.
  FsyncJob sync_dir{dir.get()};
  if (err == 0) {
    const auto dir_synced = co_await srv_.blocking.run(sync_dir);
    err = job_errno(dir_synced);
  }
  if (err != 0) {
    const Next n = co_await reject_write(status_for_write_errno(err), "Cannot store the files.");
    co_return n;
  }
  std::string& json = w_->body;  // the form's bytes are all consumed: the reply's content takes their place
  json = "{\"stored\":[";
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (i > 0) json += ',';
    json += '"';
    core::append_json_escaped(json, files[i].name());
    json += '"';
  }
  json += "]}\n";
  co_return reply_written(http::Status::created, "application/json");
}

}  // namespace endhost::web::detail
