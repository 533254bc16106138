#include "http/server/replies.hpp"

#include <cerrno>

#include "http/server/response.hpp"

namespace endhost::web {

void start_head(RequestContext& rq, http::Status status) {
  begin_response(rq.work.out, status, rq.date);
  rq.work.out += rq.extra_head;
  if (rq.private_response) rq.work.out += "Cache-Control: private\r\n";
}

void finish_head(RequestContext& rq, const Reply& reply) {
  end_response(rq.work.out, reply.keep_alive, rq.head.version);
}

void reply_error(RequestContext& rq, Reply& reply, http::Status status, std::string_view detail,
                 std::string_view extra) {
  std::string& out = rq.work.out;
  std::string& page = rq.work.body;
  page.clear();
  append_error_page(page, status, detail);
  reply.status = status;
  start_head(rq, status);
  out += extra;
  out += "Content-Type: text/html; charset=utf-8\r\n";
  append_content_length(out, page.size());
  // 400-class answers to broken requests end the connection when the session says so (reply.keep_alive).
  finish_head(rq, reply);
  if (rq.head.method_id != http::Method::head) {
    out += page;
    reply.content_bytes = page.size();
  }
}

void reply_redirect(RequestContext& rq, Reply& reply, std::string_view location) {
  std::string& out = rq.work.out;
  std::string& page = rq.work.body;
  page.clear();
  append_error_page(page, http::Status::moved_permanently);
  reply.status = http::Status::moved_permanently;
  start_head(rq, reply.status);
  append_field(out, "Location", location);
  out += "Content-Type: text/html; charset=utf-8\r\n";
  append_content_length(out, page.size());
  finish_head(rq, reply);
  if (rq.head.method_id != http::Method::head) {
    out += page;
    reply.content_bytes = page.size();
  }
}

void reply_options(RequestContext& rq, Reply& reply, std::string_view allow) {
  std::string& out = rq.work.out;
  reply.status = http::Status::ok;
  start_head(rq, reply.status);
  append_field(out, "Allow", allow);
  append_content_length(out, 0);
  finish_head(rq, reply);
}

http::Status status_for_errno(int err) noexcept {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
    case ENAMETOOLONG:
      return http::Status::not_found;
    case EACCES:
    case EPERM:
    case EXDEV:  // openat2 RESOLVE_BENEATH: the path or a symlink leaves the root
    case ELOOP:
      return http::Status::forbidden;
    case EMFILE:
    case ENFILE:
    case ENOMEM:
      return http::Status::service_unavailable;
    default:
      return http::Status::internal_server_error;
  }
}

}  // namespace endhost::web
