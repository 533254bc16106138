#include "http/server_response.hpp"

#include "http/serializer.hpp"

namespace endhost::http {

void serialize_response(std::string& out, const ServerResponse& r, const ResponseFraming& framing) {
  const bool no_content = status_has_no_content(r.status);
  const bool keep_alive = framing.keep_alive && !r.close && !r.streams;
  append_status_line(out, http11, r.status, r.reason);
  // RFC 9110 §6.6.1: an origin server with a clock sends Date (optional for 1xx and 5xx; we always do).
  if (!framing.date.empty() && !r.fields.contains("Date")) append_field(out, "Date", framing.date);
  for (const Field& f : r.fields) {
    // The framing's own fields: a handler's copy would contradict what is written below.
    if (iequals(f.name, "Content-Length") || iequals(f.name, "Transfer-Encoding") ||
        iequals(f.name, "Connection")) {
      continue;
    }
    append_field(out, f.name, f.value);
  }
  if (!no_content) {
    if (r.streams) {
      if (streams_chunked(framing.version)) append_field(out, "Transfer-Encoding", "chunked");
    } else {
      // RFC 9110 §8.6: also for HEAD, the length the GET's content would have (§9.3.2).
      append_field(out, "Content-Length", std::to_string(r.body.size()));
    }
  }
  // RFC 9112 §9.3: 1.1 persists unless told otherwise; 1.0 closes unless it asked for keep-alive, so a 1.0
  // client that asked needs to hear that it got it.
  if (!keep_alive) {
    append_field(out, "Connection", "close");
  } else if (framing.version < http11) {
    append_field(out, "Connection", "keep-alive");
  }
  append_end_of_head(out);
  if (!no_content && !r.streams && !framing.head_request) out += r.body;
}

}  // namespace endhost::http
