// The HTTP/1.1 framing of a ResponseHead: the one place where the web server turns a described response
// into head bytes. The server always answers with HTTP/1.1 (RFC 9110 §6.2: the highest minor version it
// speaks), also to HTTP/1.0 clients. What the description leaves to the framing is added here: Server and
// Date, the length as Content-Length or chunked, and the Connection field where the default for the
// request's version is not what will happen (RFC 9112 §9.3).
#pragma once

#include <string>
#include <string_view>

#include "http/message.hpp"
#include "http/server/response_head.hpp"
#include "http/status.hpp"

namespace endhost::web {

// Appends the whole head to `out` (which may already hold earlier pipelined responses): status line,
// Server, Date (`date`, an IMF-fixdate), the fields in order with the length at its place, Connection if
// needed, and the empty line. The content, if any, is the caller's to append after it.
void append_http1_head(std::string& out, const ResponseHead& head, std::string_view date, bool keep_alive,
                       http::Version request_version);

// An interim response (RFC 9110 §15.2: 1xx, e.g. 100 Continue): status line and the empty line.
void append_http1_interim(std::string& out, http::Status status);

}  // namespace endhost::web
