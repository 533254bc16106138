#include "http/method.hpp"

namespace endhost::http {

Method method_from_token(std::string_view t) noexcept {
  // Dispatch on length first: one compare per candidate instead of a scan over the whole table.
  switch (t.size()) {
    case 3:
      if (t == "GET") return Method::get;
      if (t == "PUT") return Method::put;
      break;
    case 4:
      if (t == "HEAD") return Method::head;
      if (t == "POST") return Method::post;
      break;
    case 5:
      if (t == "TRACE") return Method::trace;
      if (t == "PATCH") return Method::patch;
      break;
    case 6:
      if (t == "DELETE") return Method::delete_;
      break;
    case 7:
      if (t == "CONNECT") return Method::connect;
      if (t == "OPTIONS") return Method::options;
      break;
    default:
      break;
  }
  return Method::unknown;
}

std::string_view to_string(Method m) noexcept {
  switch (m) {
    case Method::get:
      return "GET";
    case Method::head:
      return "HEAD";
    case Method::post:
      return "POST";
    case Method::put:
      return "PUT";
    case Method::delete_:
      return "DELETE";
    case Method::connect:
      return "CONNECT";
    case Method::options:
      return "OPTIONS";
    case Method::trace:
      return "TRACE";
    case Method::patch:
      return "PATCH";
    case Method::unknown:
      break;
  }
  return "";
}

}  // namespace endhost::http
