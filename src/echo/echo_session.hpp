// The echo service's TCP conversation without the socket: each line a client sends comes back upper-cased and
// LF-terminated, several pipelined lines at a time; a line over the limit gets an ERROR line and ends the
// session. The server moves bytes between a connection and this; tests replay transcripts against it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/transcript.hpp"
#include "text/command_reader.hpp"
#include "text/reply_writer.hpp"

namespace endhost::echo {

class EchoSession {
 public:
  // `max_line` counts a line's bytes without its end. The transcript, if on, sees each line and its answer.
  explicit EchoSession(std::size_t max_line, core::Transcript transcript = {}, std::string peer = {});

  // The most bytes receive() takes now: read no more than this. Zero until output() has been sent.
  std::size_t room() const;
  // Answers every complete line in `bytes`; returns how many bytes it took (all of them when within room()).
  std::size_t receive(std::string_view bytes);
  // The client closed its side: an unterminated last line (`printf abc | nc`) is answered too, without a
  // line end, and the session ends.
  void end_of_input();

  std::string_view output() const { return writer_.pending(); }
  void sent(std::size_t n) { writer_.consumed(n); }
  bool closing() const { return closing_; }           // read nothing more: send output(), then close
  std::size_t answered() const { return answered_; }  // lines answered so far

 private:
  void answer(std::string_view line, bool line_end);

  std::size_t max_line_;
  core::Transcript transcript_;
  std::string peer_;
  // Echo has no RFC: its textbook clients end lines with LF, netcat and telnet with CRLF; both are lines.
  text::CommandReader reader_;
  text::ReplyWriter writer_;
  std::string scratch_;  // one answer being built; reused, so a long session does not allocate per line
  bool closing_ = false;
  std::size_t answered_ = 0;
};

}  // namespace endhost::echo
