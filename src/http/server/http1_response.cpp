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
  // The head keeps its fields as field lines already (RFC 9112 §5): two copies around the length's place.
  const std::string_view lines = head.field_lines();
  const std::size_t split = head.field_lines_before_length();
  out.append(lines.data(), split);
  append_length(out, head);
  out.append(lines.data() + split, lines.size() - split);
  end_response(out, keep_alive, request_version);
}

void append_http1_interim(std::string& out, http::Status status) {
  http::append_status_line(out, http::http11, status);
  http::append_end_of_head(out);
}

}  // namespace endhost::web
