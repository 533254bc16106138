#include "mail/webmail/replies.hpp"

#include "mail/webmail/json_text.hpp"

namespace endhost::mail::webmail {

Response json_error(http::Status status, std::string_view message) {
  Response r;
  r.status = status;
  JsonWriter j;
  j.begin_object().key("error").value(message).end_object();
  r.body = j.take();
  return r;
}

Response json_ok(std::string body) {
  Response r;
  r.body = std::move(body);
  return r;
}

Response store_error(const store::StoreError& e) {
  using K = store::StoreError::Kind;
  switch (e.kind) {
    case K::NoSuchMailbox:
      return json_error(http::Status::not_found, "no such folder");
    case K::NoSuchMessage:
      return json_error(http::Status::not_found, "no such message");
    case K::Invalid:
    case K::Exists:
    case K::TooManyKeywords:
      return json_error(http::Status::bad_request, e.message);
    case K::TooBig:
      return json_error(http::Status::content_too_large, "the message is too large");
    case K::Io:
      break;
  }
  return json_error(http::Status::internal_server_error, "the mail store failed");
}

Form parameters(const Request& request) {
  if (request.method == "POST") return Form::parse(request.body);
  return Form::parse(request.query);
}

std::string cookie_value(const http::Fields& fields, std::string_view name) {
  for (const http::Field& f : fields) {
    if (!http::iequals(f.name, "Cookie")) continue;
    std::string_view v = f.value;
    while (!v.empty()) {
      const std::size_t semi = v.find(';');
      std::string_view pair = v.substr(0, semi);
      v = semi == std::string_view::npos ? std::string_view() : v.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      const std::size_t eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
    }
  }
  return {};
}

}  // namespace endhost::mail::webmail
