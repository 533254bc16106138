#include "http/server/response.hpp"

#include "http/serializer.hpp"

namespace endhost::web {

void append_decimal(std::string& out, std::uint64_t v) {
  char buf[20];
  char* p = buf + sizeof buf;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out.append(p, static_cast<std::size_t>(buf + sizeof buf - p));
}

void begin_response(std::string& out, http::Status status, std::string_view date) {
  http::append_status_line(out, http::http11, status);
  out += "Server: ";
  out += kServerName;
  out += "\r\nDate: ";
  out += date;
  out += "\r\n";
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  http::append_field(out, name, value);
}

void append_content_length(std::string& out, std::uint64_t length) {
  out += "Content-Length: ";
  append_decimal(out, length);
  out += "\r\n";
}

void end_response(std::string& out, bool keep_alive, http::Version request_version) {
  // RFC 9112 §9.3: 1.1 persists unless told otherwise; 1.0 closes unless it asked for keep-alive, so a 1.0
  // client that asked needs to hear that it got it.
  if (!keep_alive)
    out += "Connection: close\r\n";
  else if (request_version < http::http11)
    out += "Connection: keep-alive\r\n";
  out += "\r\n";
}

void append_html_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
}

void append_error_page(std::string& out, http::Status status, std::string_view detail) {
  const std::string_view reason = http::reason_phrase(status);
  char code[4] = {static_cast<char>('0' + http::to_int(status) / 100 % 10),
                  static_cast<char>('0' + http::to_int(status) / 10 % 10),
                  static_cast<char>('0' + http::to_int(status) % 10), 0};
  out += "<!DOCTYPE html>\n<html><head><title>";
  out.append(code, 3);
  out += ' ';
  out += reason;
  out += "</title></head>\n<body><h1>";
  out.append(code, 3);
  out += ' ';
  out += reason;
  out += "</h1>";
  if (!detail.empty()) {
    out += "<p>";
    append_html_escaped(out, detail);
    out += "</p>";
  }
  out += "</body></html>\n";
}

}  // namespace endhost::web
