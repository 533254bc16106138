// ServerResponse: what a handler of the small HTTP servers (the admin listeners, the lab's dashboard, the
// webmail) answers, independent of the framing that carries it: a status, the handler's fields, the content
// and whether the connection ends. The handler never writes HTTP/1 bytes; serialize_response() is the one
// place that frames a ServerResponse as HTTP/1.1 (ServerDriver calls it), so every such server gets the same
// rules: Date (RFC 9110 §6.6.1), Content-Length, or chunked for a stream (RFC 9112 §6.1, §7.1), no content
// for HEAD, 1xx, 204 and 304 (RFC 9110 §6.4.1, §9.3.2), and the Connection field where the default of the
// request's version is not what will happen (RFC 9112 §9.3). Sans-I/O: no socket, no clock (the caller gives
// the date).
#pragma once

#include <string>
#include <string_view>

#include "http/fields.hpp"
#include "http/message.hpp"
#include "http/status.hpp"

namespace endhost::http {

struct ServerResponse {
  Status status = Status::ok;
  std::string reason;  // "" : the registered phrase (RFC 9112 §4)
  // The handler's fields, written in this order. Content-Length, Transfer-Encoding and Connection are the
  // framing's, never the handler's; Date is added unless the handler gave one.
  Fields fields;
  std::string body;    // the whole content (sent for GET, counted for HEAD); empty when `streams`
  bool close = false;  // the response ends the connection
  // Set: the content follows the head, written by ServerHandler::stream() (server_driver.hpp) through a
  // BodyStream, and the connection closes after it.
  bool streams = false;
};

// What the request and the connection decide about the framing of its answer.
struct ResponseFraming {
  Version version = http11;   // the request's (HTTP/1.1 when the request was too broken to tell)
  bool head_request = false;  // HEAD: the head only, with the Content-Length a GET would get
  bool keep_alive = false;    // the connection carries another request after this answer
  std::string_view date;      // an IMF-fixdate (http::DateCache), "" for none
};

// Whether `status` forbids content (and so Content-Length and chunked): 1xx, 204, 304.
constexpr bool status_has_no_content(Status status) noexcept {
  return status_class(status) == 1 || status == Status::no_content || status == Status::not_modified;
}

// Whether a streamed answer to a request of `version` is chunked (HTTP/1.1) or ends with the connection
// (HTTP/1.0 knows no chunked coding: RFC 9112 §6.1, §7).
constexpr bool streams_chunked(Version version) noexcept {
  return version >= http11;
}

// Appends `response` as HTTP/1.1: the head, then the body unless the request was HEAD, the status has no
// content or the response streams. A streamed response or `!framing.keep_alive` says Connection: close.
// The caller guarantees valid field names and values (its own literals, or values it checked).
void serialize_response(std::string& out, const ServerResponse& response, const ResponseFraming& framing);

}  // namespace endhost::http
