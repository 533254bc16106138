// Serializer: writes HTTP/1.1 heads and bodies by appending to a caller-owned std::string (reserve it once
// per connection and reuse it: appending to a warm buffer does not allocate). Two layers:
//  * append_*: the server's hot path. Unchecked: the caller guarantees tokens and values are valid (no CR,
//    LF or NUL in a value), e.g. because they are literals or came out of our parser.
//  * serialize(): whole Request/Response values, checked first, so a value with CRLF from an application
//    cannot split a message (response splitting). Writes exactly the fields the message has: the caller sets
//    Content-Length or Transfer-Encoding; a body whose fields say chunked is written chunked.
// Property, tested: parse(serialize(m)) == m for every valid m.
#pragma once

#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "http/error.hpp"
#include "http/fields.hpp"
#include "http/message.hpp"

namespace endhost::http {

// "HTTP/1.1 200 OK\r\n"; an empty reason writes the registered phrase (RFC 9112 §4).
void append_status_line(std::string& out, Version version, Status status, std::string_view reason = {});
// "GET /path HTTP/1.1\r\n"
void append_request_line(std::string& out, std::string_view method, std::string_view target, Version version);
// "Name: value\r\n"
void append_field(std::string& out, std::string_view name, std::string_view value);
void append_fields(std::string& out, const Fields& fields);
// The empty line that ends a head.
inline void append_end_of_head(std::string& out) {
  out += "\r\n";
}

// Chunked encoder (RFC 9112 §7.1): one chunk per call. Empty data writes nothing (an empty chunk would end
// the body). append_last_chunk() ends the body, with optional trailer fields.
void append_chunk(std::string& out, std::string_view data);
void append_last_chunk(std::string& out, const Fields& trailers = {});

// Validity as the serializer sees it: a field name is a token; a value has no CTL but HTAB and no leading or
// trailing whitespace (which a parser would strip, breaking the round trip).
bool valid_field_name(std::string_view name) noexcept;
bool valid_field_value(std::string_view value) noexcept;

// Whole messages. On error nothing is appended.
Expected<void, Errc> serialize_head(std::string& out, const Request& request);
Expected<void, Errc> serialize_head(std::string& out, const Response& response);
Expected<void, Errc> serialize(std::string& out, const Request& request);
Expected<void, Errc> serialize(std::string& out, const Response& response);

}  // namespace endhost::http
