#include "text/dot_stuffer.hpp"

namespace endhost::text {

void DotStuffer::append(std::string& out, std::string_view chunk) {
  for (const char c : chunk) {
    if (held_cr_) {
      held_cr_ = false;
      out += "\r\n";
      line_start_ = true;
      if (c == '\n') continue;  // that CR's own LF
    }
    if (c == '\r') {
      held_cr_ = true;
    } else if (c == '\n') {
      out += "\r\n";
      line_start_ = true;
    } else {
      if (line_start_ && c == '.') out += '.';
      out += c;
      line_start_ = false;
    }
  }
}

void DotStuffer::finish(std::string& out) {
  if (held_cr_ || !line_start_) out += "\r\n";
  out += ".\r\n";
  held_cr_ = false;
  line_start_ = true;
}

}  // namespace endhost::text
