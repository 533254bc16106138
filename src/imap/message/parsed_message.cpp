#include "imap/message/parsed_message.hpp"

#include <cstring>

namespace endhost::imap::message {

namespace {

// LFs without a CR before them.
std::size_t count_bare_lf(std::string_view bytes, char before) {
  std::size_t n = 0;
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  while (p < end) {
    const void* lf = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    if (lf == nullptr) break;
    const char* at = static_cast<const char*>(lf);
    const char prev = at == bytes.data() ? before : at[-1];
    if (prev != '\r') ++n;
    p = at + 1;
  }
  return n;
}

}  // namespace

ParsedMessage::ParsedMessage(std::string_view text, StructureOptions options)
    : text_(text),
      root_(mail::message::parse_structure(text, options)),
      bare_lf_(count_bare_lf(text, '\0')) {}

std::size_t crlf_size(std::string_view bytes, char before) {
  return bytes.size() + count_bare_lf(bytes, before);
}

void append_crlf(std::string& out, std::string_view bytes, char before) {
  out.reserve(out.size() + crlf_size(bytes, before));
  char prev = before;
  for (const char c : bytes) {
    if (c == '\n' && prev != '\r') out += '\r';
    out += c;
    prev = c;
  }
}

}  // namespace endhost::imap::message
