#include "http/server/static_handler.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "http/server/accept_encoding.hpp"
#include "http/server/conditional.hpp"
#include "http/server/etag.hpp"
#include "http/server/file_cache.hpp"
#include "http/server/mime.hpp"
#include "http/server/replies.hpp"
#include "http/server/response.hpp"

namespace endhost::web {

namespace {

constexpr Coding kPrecompressedOrder[] = {Coding::br, Coding::zstd, Coding::gzip};

bool accepts(const AcceptedCodings& a, Coding c) {
  switch (c) {
    case Coding::br:
      return a.br;
    case Coding::zstd:
      return a.zstd;
    case Coding::gzip:
      return a.gzip;
    case Coding::identity:
      break;
  }
  return true;
}

// Reads exactly `length` bytes at `offset` into `out` (replacing what it held). False if the file shrank
// meanwhile.
bool read_into(int fd, std::uint64_t offset, std::uint64_t length, std::string& out) {
  out.resize(length);
  std::size_t done = 0;
  while (done < length) {
    const ssize_t n = ::pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      out.clear();
      return false;
    }
  }
  return true;
}

// What a path resolved to: the loop's cache entry for it, or (not cached) the descriptor and fstat of the
// handler's own open.
struct Resolved {
  std::shared_ptr<const CachedFile> cached;
  Fd fd;
  struct stat st {};

  const struct stat& stat() const { return cached ? cached->st : st; }
  int file() const { return cached ? cached->fd.get() : fd.get(); }
};

// open_beneath() of `relative` (the same checks, the same errno), through the loop's file cache when it is
// on: a hit opens nothing; a miss opens as before, then lets the cache remember the result. `absent_ok`: an
// ENOENT is remembered too, for names asked on every request that seldom exist (precompressed siblings,
// index.html); a missing main path is not, so requests for random names cannot flush the cache.
int resolve(RequestContext& rq, const std::string& relative, bool absent_ok, Resolved& out) {
  FileCache& cache = rq.loop.files;
  const int root = rq.site->dir.get();
  if (!cache.enabled()) return open_beneath(root, relative, rq.server.config.follow_symlinks, out.fd, out.st);
  if (auto hit = cache.find(rq.site, relative)) {
    if (hit->kind == CachedFile::Kind::absent) return ENOENT;
    out.cached = std::move(hit);
    return 0;
  }
  const int err = open_beneath(root, relative, rq.server.config.follow_symlinks, out.fd, out.st);
  if (err == 0 && (S_ISREG(out.st.st_mode) || S_ISDIR(out.st.st_mode))) {
    // The entry's own open and fstat (taken once the watches were in place) replace ours.
    if (auto made = cache.insert(rq.site, root, relative, &out.st)) {
      out.cached = std::move(made);
      out.fd.reset();
    }
  } else if (err == ENOENT && absent_ok) {
    cache.insert(rq.site, root, relative, nullptr);
  }
  return err;
}

// A descriptor of the resolved file for a body sent after the handler returns (sendfile, multipart ranges,
// gzip): the cache's own is shared by a duplicate (their offsets are never used: every read names its own),
// so eviction cannot close it under the response.
int take_file(Resolved& f, Fd& out) {
  if (!f.cached) {
    out = std::move(f.fd);
    return 0;
  }
  const int fd = ::fcntl(f.cached->fd.get(), F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return errno;
  out = Fd(fd);
  return 0;
}

// The fields that describe the selected representation, shared by 200, 206 and 304 (RFC 9110 §15.4.5: a
// 304 carries the ETag and Vary the 200 would have had).
struct Representation {
  MimeType mime;
  Coding coding = Coding::identity;
  bool vary = false;  // the type is compressible, so the answer depends on Accept-Encoding
  ETag etag;
  std::time_t last_modified = 0;
  std::string_view last_modified_text;  // already formatted (a cache entry's), else ""
  std::uint64_t size = 0;
};

void add_validators(ResponseHead& head, LoopState& loop, const Representation& r) {
  head.add("Last-Modified",
           r.last_modified_text.empty() ? loop.last_modified.get(r.last_modified) : r.last_modified_text);
  head.add("ETag", r.etag.view());
  if (r.vary) head.add("Vary", "Accept-Encoding");
}

// A symlink in a listing shows what a click on it would get: its target's type, size and time. Without
// --follow-symlinks it is resolved as a request would be (beneath the root), and one whose target is out of
// reach (outside the root, or a loop) is left out of the listing altogether, as Apache's mod_autoindex leaves
// out what it would refuse: its target's metadata would tell what the server refuses to serve, and a link
// that can only answer 403 is no use to a reader. A dangling symlink is listed as an empty file. False: leave
// the entry out.
bool describe_link(RequestContext& rq, DIR* dir, const char* name, struct stat& st) {
  const WebConfig& cfg = rq.server.config;
  if (cfg.follow_symlinks) {
    if (::fstatat(::dirfd(dir), name, &st, 0) != 0) std::memset(&st, 0, sizeof st);
    return true;
  }
  std::string& path = rq.work.scratch;
  path = rq.work.local;
  if (!path.empty()) path += '/';
  path += name;
  const int err = stat_beneath(rq.site->dir.get(), path, false, st);
  // Without openat2 no symlink is followed at all (file_access.hpp), so a link stays a link: out of reach.
  if (err == EXDEV || err == ELOOP || (err == 0 && S_ISLNK(st.st_mode))) return false;
  if (err != 0) std::memset(&st, 0, sizeof st);
  return true;
}

void reply_listing(RequestContext& rq, Reply& reply, Fd dir_fd) {
  const WebConfig& cfg = rq.server.config;
  auto& entries = rq.loop.listing;
  entries.clear();
  bool truncated = false;
  // fdopendir takes the descriptor; the DIR's buffer is the only allocation of a listing besides the names.
  DIR* dir = ::fdopendir(dir_fd.release());
  if (dir == nullptr) return reply_error(rq, reply, status_for_errno(errno));
  while (dirent* de = ::readdir(dir)) {
    const std::string_view name = de->d_name;
    if (name == "." || name == "..") continue;
    if (name.front() == '.' && !cfg.show_dotfiles) continue;
    if (entries.size() >= cfg.max_listing_entries) {
      truncated = true;
      break;
    }
    struct stat st {};
    if (::fstatat(::dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) std::memset(&st, 0, sizeof st);
    if (S_ISLNK(st.st_mode) && !describe_link(rq, dir, de->d_name, st)) continue;
    entries.push_back(ListingEntry{std::string(name), S_ISDIR(st.st_mode),
                                   static_cast<std::uint64_t>(st.st_size), st.st_mtim.tv_sec});
  }
  ::closedir(dir);

  std::string& page = rq.work.body;
  page.clear();
  std::string& url = rq.work.scratch;
  url = "/";
  url += rq.work.local;
  if (!rq.work.local.empty()) url += '/';
  append_listing(page, url, entries, truncated);

  begin_reply(rq, reply, http::Status::ok);
  reply.head.add("Content-Type", "text/html; charset=utf-8");
  set_memory_body(rq, reply);
}

void reply_range_not_satisfiable(RequestContext& rq, Reply& reply, const Representation& r) {
  std::string& range = rq.work.scratch;
  range.clear();
  append_unsatisfied_range(range, r.size);
  reply_error(rq, reply, http::Status::range_not_satisfiable, {}, {"Content-Range", range});
}

void reply_file(RequestContext& rq, Reply& reply, Resolved& file, const Representation& r,
                bool range_allowed) {
  const WebConfig& cfg = rq.server.config;
  ResponseHead& head = reply.head;
  const bool head_only = rq.head.method_id == http::Method::head;

  // Range (RFC 9110 §14.2): GET only, and only when If-Range (if any) allowed it.
  std::vector<ByteRange>& ranges = rq.work.ranges;
  ranges.clear();
  RangeOutcome range = RangeOutcome::ignore;
  if (rq.head.method_id == http::Method::get && range_allowed) {
    if (auto value = rq.head.fields.get("range")) range = parse_range(*value, r.size, cfg.max_ranges, ranges);
  }
  if (range == RangeOutcome::unsatisfiable) return reply_range_not_satisfiable(rq, reply, r);

  if (range == RangeOutcome::partial && ranges.size() > 1) {
    Fd fd;
    if (int err = take_file(file, fd); err != 0) return reply_error(rq, reply, status_for_errno(err));
    auto parts = std::make_unique<ByterangesBody>();
    std::string& boundary = rq.work.scratch;
    boundary = rq.server.boundary_prefix;
    append_decimal(boundary, ++rq.loop.boundary_counter);
    build_byteranges(ranges, r.size, r.mime.type, boundary, *parts);
    begin_reply(rq, reply, http::Status::partial_content);
    head.add("Content-Type", "multipart/byteranges; boundary=", boundary);
    head.set_content_length(parts->total_length);
    add_validators(head, rq.loop, r);
    if (r.coding != Coding::identity) head.add("Content-Encoding", coding_token(r.coding));
    head.add("Accept-Ranges", "bytes");
    reply.content_bytes = parts->total_length;
    reply.body.kind = PendingBody::Kind::byteranges;
    reply.body.file = std::move(fd);
    reply.body.parts = std::move(parts);
    return;
  }

  std::uint64_t offset = 0, length = r.size;
  http::Status status = http::Status::ok;
  if (range == RangeOutcome::partial) {
    offset = ranges[0].first;
    length = ranges[0].length();
    status = http::Status::partial_content;
  }
  // A small body is read into memory before its head is described, so a file that shrank meanwhile is
  // still caught in time (the answer is a 500, not a Content-Length the body cannot keep), and head and
  // body leave together.
  const bool inline_body = !head_only && length <= cfg.inline_file_limit;
  if (inline_body && file.cached && file.cached->has_contents) {
    rq.work.body.assign(file.cached->contents, offset, length);
  } else if (inline_body && !read_into(file.file(), offset, length, rq.work.body)) {
    return reply_error(rq, reply, http::Status::internal_server_error, "the file changed while being read");
  }
  Fd fd;
  if (!head_only && !inline_body) {
    if (int err = take_file(file, fd); err != 0) return reply_error(rq, reply, status_for_errno(err));
  }
  begin_reply(rq, reply, status);
  head.add("Content-Type", r.mime.type);
  head.set_content_length(length);
  if (status == http::Status::partial_content) {
    std::string& range_value = rq.work.scratch;  // free again: the sibling's name is not needed any more
    range_value.clear();
    append_content_range(range_value, ByteRange{offset, offset + length - 1}, r.size);
    head.add("Content-Range", range_value);
  }
  add_validators(head, rq.loop, r);
  if (r.coding != Coding::identity) head.add("Content-Encoding", coding_token(r.coding));
  head.add("Accept-Ranges", "bytes");
  if (head_only) return;
  reply.content_bytes = length;
  if (inline_body) {
    reply.body.kind = PendingBody::Kind::memory;
    return;
  }
  reply.body.kind = PendingBody::Kind::file;
  reply.body.file = std::move(fd);
  reply.body.offset = offset;
  reply.body.length = length;
}

void serve_file(RequestContext& rq, Reply& reply, Resolved file, std::string_view name) {
  const WebConfig& cfg = rq.server.config;
  Representation r;
  r.mime = file.cached ? file.cached->mime : mime_type_for(name);
  r.vary = r.mime.compressible;

  // Content coding (RFC 9110 §8.4, §12.5.3): a precompressed sibling the client accepts, best first; else
  // maybe gzip on the fly. Only for compressible types, so images cost no extra lookups.
  bool gzip_on_the_fly = false;
  if (r.mime.compressible) {
    const AcceptedCodings accepted = accepted_codings(rq.head.fields);
    if (accepted.any()) {
      std::string& sibling = rq.work.scratch;
      for (Coding c : kPrecompressedOrder) {
        if (!accepts(accepted, c)) continue;
        sibling.assign(name);
        sibling += coding_suffix(c);
        Resolved s;
        if (resolve(rq, sibling, true, s) == 0 && S_ISREG(s.stat().st_mode)) {
          file = std::move(s);
          r.coding = c;
          break;
        }
      }
      gzip_on_the_fly = r.coding == Coding::identity && cfg.compress && accepted.gzip &&
                        static_cast<std::uint64_t>(file.stat().st_size) >= cfg.compress_min_size &&
                        rq.head.version >= http::http11;
    }
  }

  const struct stat& st = file.stat();
  r.size = static_cast<std::uint64_t>(st.st_size);
  r.last_modified = st.st_mtim.tv_sec;
  if (file.cached) {
    r.etag = file.cached->etag;
    r.last_modified_text = file.cached->last_modified_text();
  } else {
    r.etag = ETag(st.st_ino,
                  static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec, r.size);
  }
  if (gzip_on_the_fly) r.etag = derived_weak_etag(r.etag.view(), "-gzip");

  const Validators v{true, r.etag.view(), r.last_modified};
  const ConditionalResult cond = evaluate_conditionals(rq.head.method_id, rq.head.fields, v, rq.now);
  if (cond.outcome == Precondition::precondition_failed)
    return reply_error(rq, reply, http::Status::precondition_failed);
  if (cond.outcome == Precondition::not_modified) {
    begin_reply(rq, reply, http::Status::not_modified);
    add_validators(reply.head, rq.loop, r);
    return;
  }

  if (gzip_on_the_fly) {
    // Chunked, length unknown: Range does not apply to it (§14.2 lets a server ignore Range).
    ResponseHead& head = reply.head;
    begin_reply(rq, reply, http::Status::ok);
    head.add("Content-Type", r.mime.type);
    head.add("Content-Encoding", "gzip");
    head.set_streamed();
    add_validators(head, rq.loop, r);
    if (rq.head.method_id == http::Method::head) return;
    Fd fd;
    if (int err = take_file(file, fd); err != 0) return reply_error(rq, reply, status_for_errno(err));
    reply.body.kind = PendingBody::Kind::gzip;
    reply.body.file = std::move(fd);
    reply.body.length = r.size;
    return;
  }
  // If-Range that did not match: the whole representation, as if there were no Range field.
  reply_file(rq, reply, file, r, cond.range_allowed);
}

}  // namespace

void serve_static(RequestContext& rq, Reply& reply) {
  const WebConfig& cfg = rq.server.config;
  Work& w = rq.work;
  if (rq.site == nullptr)
    return reply_error(rq, reply, http::Status::not_found, "No site is configured for this host.");
  if (rq.path_info.hidden && !cfg.show_dotfiles) return reply_error(rq, reply, http::Status::not_found);

  rq.loop.files.sync();  // every change reported before this request was read
  Resolved found;
  if (int err = resolve(rq, w.local, false, found); err != 0)
    return reply_error(rq, reply, status_for_errno(err));
  const mode_t mode = found.stat().st_mode;

  // A file asked for as a directory ("/a.txt/") is not there (as with nginx, and as open(2) says ENOTDIR).
  if (rq.path_info.trailing_slash && !S_ISDIR(mode)) return reply_error(rq, reply, http::Status::not_found);

  std::string_view name = w.local;
  if (S_ISDIR(mode)) {
    if (!rq.path_info.trailing_slash) {
      // RFC 9110 §15.4.2: the directory's URL ends with '/', so relative links inside it resolve.
      std::string& location = w.scratch;
      location.assign(rq.path);
      location += '/';
      if (rq.has_query) {
        location += '?';
        location += rq.query;
      }
      return reply_redirect(rq, reply, location);
    }
    std::string& index = w.scratch;
    index = w.local;
    if (!index.empty()) index += '/';
    index += "index.html";
    Resolved ifound;
    if (resolve(rq, index, true, ifound) == 0 && S_ISREG(ifound.stat().st_mode)) {
      found = std::move(ifound);
      w.local.swap(index);  // `name` must outlive the scratch reuse below (w.local is not needed again)
      name = w.local;
    } else {
      if (!cfg.listing) return reply_error(rq, reply, http::Status::forbidden, "Directory listing is off.");
      Fd dir = std::move(found.fd);
      if (found.cached) {
        // The cache keeps no descriptor for a directory: open it again, under the same rules.
        struct stat st {};
        if (int err = open_beneath(rq.site->dir.get(), w.local, cfg.follow_symlinks, dir, st); err != 0)
          return reply_error(rq, reply, status_for_errno(err));
      }
      return reply_listing(rq, reply, std::move(dir));
    }
  }
  if (!S_ISREG(found.stat().st_mode)) return reply_error(rq, reply, http::Status::forbidden);
  serve_file(rq, reply, std::move(found), name);
}

void serve_options(RequestContext& rq, Reply& reply, std::string_view allow) {
  const WebConfig& cfg = rq.server.config;
  if (rq.site == nullptr)
    return reply_error(rq, reply, http::Status::not_found, "No site is configured for this host.");
  if (rq.path_info.hidden && !cfg.show_dotfiles) return reply_error(rq, reply, http::Status::not_found);
  struct stat st {};
  if (int err = stat_beneath(rq.site->dir.get(), rq.work.local, cfg.follow_symlinks, st); err != 0)
    return reply_error(rq, reply, status_for_errno(err));
  // As for GET: a symlink left unresolved (no openat2) is refused, a file named with a trailing '/' absent.
  if (S_ISLNK(st.st_mode)) return reply_error(rq, reply, http::Status::forbidden);
  if (rq.path_info.trailing_slash && !S_ISDIR(st.st_mode))
    return reply_error(rq, reply, http::Status::not_found);
  reply_options(rq, reply, allow);
}

}  // namespace endhost::web
