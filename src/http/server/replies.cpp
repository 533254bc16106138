#include "http/server/replies.hpp"

#include <cerrno>

#include "http/server/response.hpp"

namespace endhost::web {

namespace {

constexpr std::string_view kHtml = "text/html; charset=utf-8";

}  // namespace

void begin_reply(RequestContext& rq, Reply& reply, http::Status status) {
  reply.head.reset(status);
  reply.body = PendingBody{};
  reply.content_bytes = 0;
  if (!rq.set_cookie.empty()) reply.head.add("Set-Cookie", rq.set_cookie);
  if (rq.private_response) reply.head.add("Cache-Control", "private");
}

void set_memory_body(RequestContext& rq, Reply& reply) {
  const std::size_t size = rq.work.body.size();
  reply.head.set_content_length(size);
  if (rq.head.method_id == http::Method::head) return;
  reply.body.kind = PendingBody::Kind::memory;
  reply.content_bytes = size;
}

void reply_error(RequestContext& rq, Reply& reply, http::Status status, std::string_view detail,
                 ExtraField extra) {
  std::string& page = rq.work.body;
  page.clear();
  append_error_page(page, status, detail);
  // 400-class answers to broken requests end the connection when the session says so (reply.keep_alive).
  begin_reply(rq, reply, status);
  if (!extra.name.empty()) reply.head.add(extra.name, extra.value);
  reply.head.add("Content-Type", kHtml);
  set_memory_body(rq, reply);
}

void reply_redirect(RequestContext& rq, Reply& reply, std::string_view location) {
  std::string& page = rq.work.body;
  page.clear();
  append_error_page(page, http::Status::moved_permanently);
  begin_reply(rq, reply, http::Status::moved_permanently);
  reply.head.add("Location", location);
  reply.head.add("Content-Type", kHtml);
  set_memory_body(rq, reply);
}

void reply_options(RequestContext& rq, Reply& reply, std::string_view allow) {
  begin_reply(rq, reply, http::Status::ok);
  reply.head.add("Allow", allow);
  reply.head.set_content_length(0);
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
