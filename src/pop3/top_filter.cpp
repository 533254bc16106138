#include "pop3/top_filter.hpp"

namespace endhost::pop3 {

std::size_t TopFilter::take(std::string_view chunk) {
  for (std::size_t i = 0; i < chunk.size(); ++i) {
    if (done_) return i;
    const char c = chunk[i];
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') continue;  // CRLF: one line end, counted at its CR
    }
    if (c != '\r' && c != '\n') {
      line_start_ = false;
      continue;
    }
    const bool empty_line = line_start_;
    line_start_ = true;
    after_cr_ = c == '\r';
    if (in_header_) {
      // RFC 5322 §2.1: the header ends at the first empty line, which TOP sends too.
      if (!empty_line) continue;
      in_header_ = false;
      done_ = body_lines_ == 0;
    } else {
      done_ = ++lines_ >= body_lines_;
    }
    // Cut after a CR: its LF is not needed, the stuffer ends a held CR with CRLF (DotStuffer::finish).
    if (done_) return i + 1;
  }
  return chunk.size();
}

}  // namespace endhost::pop3
