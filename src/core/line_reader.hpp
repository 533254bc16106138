// Splits a byte stream into lines for the text protocols (echo, and later SMTP, POP3, IMAP, FTP), with a hard
// maximum line length so a peer that never sends a line end cannot grow the buffer without bound.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace endhost::core {

class LineReader {
 public:
  // `max_line` counts the line's bytes without its terminator.
  explicit LineReader(std::size_t max_line) : max_line_(max_line) {}

  enum class Status { Line, NeedMore, TooLong };

  // Appends received bytes. Invalidates views returned by next().
  void feed(std::string_view bytes);

  // On Status::Line, `line` is the next line without its LF or CRLF; the view is valid until the next call to
  // feed() or next(). On TooLong the buffered partial line is dropped and the stream is no longer in sync:
  // callers answer with their protocol's error and usually close.
  Status next(std::string_view& line);

  // Returns and removes whatever is buffered after the last complete line (at end of stream, the last line
  // without a terminator). Valid until the next feed().
  std::string_view take_rest();

  // Bytes received but not yet returned as lines.
  std::size_t buffered() const { return buf_.size() - start_; }

  // Drops everything buffered (STARTTLS: bytes that came before the handshake, core/starttls.hpp) and
  // returns how many bytes that was.
  std::size_t discard() {
    const std::size_t n = buffered();
    buf_.clear();
    start_ = scan_ = 0;
    return n;
  }

 private:
  std::size_t max_line_;
  std::string buf_;
  std::size_t start_ = 0;  // first byte not yet returned
  std::size_t scan_ = 0;   // bytes from start_ already searched for LF
};

}  // namespace endhost::core
