// Fuzz the request parser as a session drives it: the input arrives in two pieces (the first byte picks the
// cut), heads and bodies are parsed, pipelined requests follow. Any crash, sanitizer report or assertion
// fails.
#include <cstddef>
#include <cstdint>
#include <string>

#include "http/request_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t cut = data[0] % (input.size() + 1);
  endhost::http::Limits limits;
  limits.max_fields = 16;
  limits.max_head_bytes = 2048;
  endhost::http::RequestParser parser(limits);
  std::string buf = input.substr(0, cut);
  for (int piece = 0; piece < 2; ++piece) {
    if (piece == 1) buf += input.substr(cut);
    while (!buf.empty()) {
      if (!parser.head_done()) {
        auto head = parser.parse_head(buf);
        if (!head && head.error().must_close) return 0;
        if (head && head->progress == endhost::http::Progress::need_more) break;
        (void)parser.head().to_owned();
        buf.erase(0, head ? head->consumed : parser.head_size());
      }
      auto body = parser.parse_body(buf);
      if (!body) return 0;
      buf.erase(0, body->consumed);
      if (body->done)
        parser.reset();
      else if (body->consumed == 0)
        break;
    }
  }
  return 0;
}
