// What TOP sends of a message (RFC 1939 §7): its header, the blank line after it, and the first n lines of
// its body; the whole message when it has fewer. Line ends are counted the way text::DotStuffer sends
// them (CRLF, a bare LF and a bare CR each end one line), so a file with LF line ends is cut where the
// CRLF copy on the wire would be. Streaming: it takes the message in chunks split anywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace endhost::pop3 {

class TopFilter {
 public:
  explicit TopFilter(std::uint64_t body_lines) : body_lines_(body_lines) {}

  // How many leading bytes of `chunk` belong to the answer. Once done(), the rest of the message is not
  // needed (take() returns 0 for it).
  std::size_t take(std::string_view chunk);
  bool done() const { return done_; }

 private:
  std::uint64_t body_lines_;
  std::uint64_t lines_ = 0;  // body lines ended so far
  bool in_header_ = true;
  bool line_start_ = true;
  bool after_cr_ = false;  // the last byte was CR: an LF now is part of the same line end
  bool done_ = false;
};

}  // namespace endhost::pop3
