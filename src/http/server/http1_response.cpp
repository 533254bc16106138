#include "http/server/http1_response.hpp"

#include "http/serializer.hpp"
#include "http/server/response.hpp"

namespace endhost::web {

namespace {

void append_length(std::string& out, const ResponseHead& head) {
  switch (head.length()) {
    case ResponseHead::Length::none:
      break;
    case ResponseHead::Length::known:
      append_content_length(out, head.content_length());
      break;
    case ResponseHead::Length::streamed:
      // RFC 9112 §6.1: chunked is the one framing of a body of unknown length that keeps the connection.
      out += "Transfer-Encoding: chunked\r\n";
      break;
  }
}

}  // namespace

void append_http1_head(std::string& out, const ResponseHead& head, std::string_view date, bool keep_alive,
                       http::Version request_version) {
  begin_response(out, head.status, date);
  const std::size_t n = head.size();
  const std::size_t length_at = head.length_position();
  for (std::size_t i = 0; i < n; ++i) {
    if (i == length_at) append_length(out, head);
    const ResponseHead::Field f = head.field(i);
    http::append_field(out, f.name, f.value);
  }
  if (length_at >= n) append_length(out, head);
  end_response(out, keep_alive, request_version);
}

void append_http1_interim(std::string& out, http::Status status) {
  http::append_status_line(out, http::http11, status);
  http::append_end_of_head(out);
}

}  // namespace endhost::web
