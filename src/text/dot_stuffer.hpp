// The sending side of a dot-terminated body (SMTP DATA, RFC 5321 §4.5.2; POP3 multi-line, RFC 1939 §3):
// doubles a dot that starts a line, sends every line end as CRLF and ends with CRLF.CRLF. Streaming, so a
// large message goes out in pieces; the output is never more than twice the input plus five bytes.
#pragma once

#include <string>
#include <string_view>

namespace endhost::text {

class DotStuffer {
 public:
  // Appends `chunk` stuffed to `out`. A bare LF or bare CR in the input is sent as CRLF: stored mail often
  // ends its lines with LF, and the wire must carry CRLF only (RFC 5321 §2.3.8).
  void append(std::string& out, std::string_view chunk);
  // Appends the end: CRLF if the last line had none, then `.` CRLF. The stuffer is ready for a new body.
  void finish(std::string& out);

  // The most bytes append() adds for `n` input bytes, so callers can check the room first.
  static constexpr std::size_t max_output(std::size_t n) { return 2 * n + 2; }
  static constexpr std::size_t kMaxFinish = 5;

 private:
  bool line_start_ = true;
  bool held_cr_ = false;  // the last input byte was CR: its LF (or not) comes in the next chunk
};

}  // namespace endhost::text
