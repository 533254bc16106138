// The HTTP/1.1 head pieces (status line with Server and Date, a field, Content-Length, the Connection field
// and the empty line) appended to a reused output buffer, and the short HTML pages that go with error
// statuses. The web server's handlers do not call the head pieces: they describe a ResponseHead, and
// http1_response.cpp, the web connection's one HTTP/1 serializer, is built on these (as is the small admin
// listener). The server always answers with HTTP/1.1 (RFC 9110 §6.2: the highest minor version it speaks),
// also to HTTP/1.0 clients, and says Connection: close or keep-alive only where the default for the
// request's version is not what will happen (RFC 9112 §9.3).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http/message.hpp"
#include "http/status.hpp"

namespace endhost::web {

inline constexpr std::string_view kServerName = "endhost";

// "HTTP/1.1 200 OK", Server and Date. `date` is an IMF-fixdate (http::DateCache).
void begin_response(std::string& out, http::Status status, std::string_view date);
void append_field(std::string& out, std::string_view name, std::string_view value);
void append_content_length(std::string& out, std::uint64_t length);
// The Connection field if needed, then the empty line.
void end_response(std::string& out, bool keep_alive, http::Version request_version);

// A small HTML page for `status`: "<!DOCTYPE html>…<h1>404 Not Found</h1>…". `detail` (plain text, escaped
// here) adds one sentence.
void append_error_page(std::string& out, http::Status status, std::string_view detail = {});

// HTML-escapes `&<>"'` (for names in listings and error details).
void append_html_escaped(std::string& out, std::string_view text);

// Decimal digits of `v`.
void append_decimal(std::string& out, std::uint64_t v);

}  // namespace endhost::web
