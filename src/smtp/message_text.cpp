#include "smtp/message_text.hpp"

namespace endhost::smtp {

bool starts_with_header_section(std::string_view message) {
  if (message.starts_with("\r\n")) return true;
  std::size_t i = 0;
  while (i < message.size()) {
    const auto c = static_cast<unsigned char>(message[i]);
    if (c == ':') return i > 0;
    if (c < 33 || c > 126) return false;  // ftext (RFC 5322 §3.6.8)
    ++i;
  }
  return false;
}

void normalize_line_ends(std::string& message) {
  bool clean = true;
  for (std::size_t i = 0; i < message.size() && clean; ++i) {
    if (message[i] == '\r') {
      if (i + 1 >= message.size() || message[i + 1] != '\n') clean = false;
      ++i;
    } else if (message[i] == '\n') {
      clean = false;
    }
  }
  if (!clean) {
    std::string out;
    out.reserve(message.size() + message.size() / 32 + 2);
    for (std::size_t i = 0; i < message.size(); ++i) {
      const char c = message[i];
      if (c == '\r') {
        out += "\r\n";
        if (i + 1 < message.size() && message[i + 1] == '\n') ++i;
      } else if (c == '\n') {
        out += "\r\n";
      } else {
        out += c;
      }
    }
    message.swap(out);
  }
  if (!message.empty() && !message.ends_with("\r\n")) message += "\r\n";
}

void prepare_for_storage(std::string& message, bool chunked) {
  if (chunked) normalize_line_ends(message);
  if (!starts_with_header_section(message)) message.insert(0, "\r\n");
}

}  // namespace endhost::smtp
