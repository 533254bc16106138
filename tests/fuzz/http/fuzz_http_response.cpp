// Fuzz the response parser as a client drives it: the first byte picks the request method (HEAD and CONNECT
// change the framing), then responses are parsed one after another until the input ends, then EOF.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/response_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto method = static_cast<endhost::http::Method>(data[0] % 10);
  std::string_view buf(reinterpret_cast<const char*>(data + 1), size - 1);
  endhost::http::ResponseParser parser(endhost::http::Limits::for_responses(), method);
  while (true) {
    if (!parser.head_done()) {
      auto head = parser.parse_head(buf);
      if (!head || head->progress == endhost::http::Progress::need_more) break;
      (void)parser.head().to_owned();
      buf.remove_prefix(head->consumed);
    }
    auto body = parser.parse_body(buf);
    if (!body) return 0;
    buf.remove_prefix(body->consumed);
    if (body->done) {
      if (parser.head().framing.kind == endhost::http::BodyKind::tunnel) return 0;
      parser.reset(method);
    } else if (body->consumed == 0) {
      break;
    }
  }
  (void)parser.on_eof();
  return 0;
}
