#include "echo/echo_session.hpp"

#include <algorithm>

#include "core/ascii_case.hpp"

namespace endhost::echo {

namespace {

constexpr std::size_t kErrorRoom = 96;  // the ERROR line's length, at most

text::ReaderConfig reader_config(std::size_t max_line) {
  text::ReaderConfig config;
  config.line_ending = text::LineEnding::LfOrCrlf;
  config.limits.max_line = max_line;
  config.limits.max_buffer = std::max<std::size_t>(16 * 1024, max_line + 2);
  return config;
}

}  // namespace

EchoSession::EchoSession(std::size_t max_line, core::Transcript transcript, std::string peer)
    : max_line_(max_line),
      transcript_(std::move(transcript)),
      peer_(std::move(peer)),
      reader_(reader_config(max_line)),
      // An answer is never longer than the line it answers, so one reader's worth of input always fits.
      writer_(text::WriterLimits{reader_.config().limits.max_buffer + kErrorRoom, max_line + 2}) {}

std::size_t EchoSession::room() const {
  if (closing_ || !writer_.empty()) return 0;
  return reader_.room();
}

void EchoSession::answer(std::string_view line, bool line_end) {
  transcript_.client(peer_, line);
  scratch_.clear();
  core::append_upper_case(scratch_, line);
  transcript_.server(peer_, scratch_);
  if (line_end) scratch_ += '\n';
  // Cannot be full: see the writer's size in the constructor.
  (void)writer_.raw(scratch_);
  ++answered_;
}

std::size_t EchoSession::receive(std::string_view bytes) {
  if (closing_) return 0;
  const std::size_t taken = reader_.feed(bytes.substr(0, room()));
  for (;;) {
    const text::ReadEvent e = reader_.next();
    if (e.kind == text::ReadEvent::Kind::Line) {
      answer(e.text, true);
      continue;
    }
    if (e.kind == text::ReadEvent::Kind::Error) {  // LineTooLong: the only error under LfOrCrlf
      const std::string error = "ERROR line longer than " + std::to_string(max_line_) + " bytes";
      transcript_.server(peer_, error);
      (void)writer_.raw(error + "\n");
      closing_ = true;
    }
    break;
  }
  return taken;
}

void EchoSession::end_of_input() {
  if (closing_) return;
  const std::string_view last = reader_.take_partial_line();
  if (!last.empty()) answer(last, false);
  closing_ = true;
}

}  // namespace endhost::echo
