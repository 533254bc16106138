#include "text/command_reader.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

namespace endhost::text {

namespace {

ReadEvent event(ReadEvent::Kind kind, std::string_view text = {}) {
  ReadEvent e;
  e.kind = kind;
  e.text = text;
  return e;
}

ReadEvent error_event(ReadError error, std::string_view text = {}) {
  ReadEvent e = event(ReadEvent::Kind::Error, text);
  e.error = error;
  return e;
}

struct Literal {
  std::size_t marker = 0;  // where `{` starts
  std::uint64_t size = 0;  // saturates: a count over 2^63 - 1 (RFC 9051's number64) is never accepted
  bool non_synchronizing = false;
};

// RFC 9051 §4.3: literal = "{" number64 ["+"] "}" CRLF, at the very end of the line.
bool find_literal(std::string_view line, Literal& out) {
  if (line.size() < 3 || line.back() != '}') return false;
  std::size_t end = line.size() - 1;  // one past the digits
  out.non_synchronizing = line[end - 1] == '+';
  if (out.non_synchronizing) --end;
  std::size_t begin = end;
  while (begin > 0 && line[begin - 1] >= '0' && line[begin - 1] <= '9') --begin;
  if (begin == end || begin == 0 || line[begin - 1] != '{') return false;
  constexpr std::uint64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::uint64_t size = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const auto digit = static_cast<std::uint64_t>(line[i] - '0');
    if (size > (kMax - digit) / 10) {
      size = std::numeric_limits<std::uint64_t>::max();
      break;
    }
    size = size * 10 + digit;
  }
  out.marker = begin - 1;
  out.size = size;
  return true;
}

}  // namespace

namespace {

ReaderConfig checked(ReaderConfig config) {
  config.limits.max_buffer = std::max(config.limits.max_buffer, config.limits.max_line + 2);
  return config;
}

}  // namespace

CommandReader::CommandReader(ReaderConfig config)
    : config_(checked(config)),
      buf_(config_.limits.max_buffer,
           std::min(config_.limits.max_buffer, core::ByteBuffer::kFirstAllocation)) {}

std::span<char> CommandReader::read_space() {
  const std::size_t room_now = room();
  if (room_now == 0) return {};
  auto space = buf_.read_space(std::min(room_now, core::ByteBuffer::kMinRead));
  return space ? *space : std::span<char>();
}

std::size_t CommandReader::feed(std::string_view bytes) {
  const std::size_t n = std::min(bytes.size(), room());
  if (n == 0) return 0;
  auto space = buf_.read_space(n);  // fits: the buffer holds size() + n <= max_buffer
  if (!space) return 0;
  std::memcpy(space->data(), bytes.data(), n);
  buf_.commit(n);
  return n;
}

void CommandReader::consume(std::size_t n) {
  buf_.consume(n);  // only moves the start: views of what was consumed stay valid until the next read
  scan_ = 0;
  bare_cr_ = false;
}

ReadEvent CommandReader::next() {
  switch (mode_) {
    case Mode::Lines:
      return next_line();
    case Mode::SkipLine:
      return skip_line();
    case Mode::Decide:
      return event(ReadEvent::Kind::AwaitingDecision);
    case Mode::Counted:
    case Mode::SkipCounted:
      return next_counted();
    case Mode::Data:
      return next_data();
  }
  return event(ReadEvent::Kind::NeedMore);
}

ReadEvent CommandReader::next_line() {
  const std::string_view p = pending();
  const bool strict = config_.line_ending == LineEnding::Crlf;
  const std::size_t limit = config_.limits.max_line;
  // A line of `limit` bytes has its LF at index limit + 1 at the latest: nothing past that is searched.
  const std::size_t horizon = std::min(p.size(), limit + 2);
  for (std::size_t i = scan_; i < horizon; ++i) {
    const char c = p[i];
    if (c == '\n') {
      const bool has_cr = i > 0 && p[i - 1] == '\r';
      if (strict && !has_cr) {
        // RFC 5321 §2.3.8: CR and LF only ever come together. Accepting a bare LF as a line end is what SMTP
        // smuggling exploits (`\n.\n` ends DATA here but not at the next hop), so the line is refused whole.
        const std::string_view refused = p.substr(0, i);
        consume(i + 1);
        return error_event(ReadError::BareLf, refused);
      }
      return complete_line(has_cr ? i - 1 : i, i + 1);
    }
    if (c == '\r' && strict) {
      if (i + 1 == p.size()) {
        if (i > limit) break;  // even with its LF the line is too long: never wait on a full buffer
        scan_ = i;             // its LF may be in the next read
        return event(ReadEvent::Kind::NeedMore);
      }
      if (p[i + 1] != '\n') bare_cr_ = true;
    }
  }
  scan_ = horizon;
  if (p.size() >= limit + 2) {
    // Too long whatever follows: said once, now; the rest of the line is skipped as it arrives, never held.
    skip_saw_cr_ = p[limit + 1] == '\r';
    consume(limit + 2);
    mode_ = Mode::SkipLine;
    return error_event(ReadError::LineTooLong);
  }
  return event(ReadEvent::Kind::NeedMore);
}

ReadEvent CommandReader::complete_line(std::size_t text_end, std::size_t consumed) {
  const std::string_view line = pending().substr(0, text_end);
  const bool bare_cr = bare_cr_;
  consume(consumed);  // only moves the start: `line` stays valid
  if (line.size() > config_.limits.max_line) return error_event(ReadError::LineTooLong);
  if (bare_cr) return error_event(ReadError::BareCr, line);
  Literal literal;
  if (config_.literals && find_literal(line, literal)) {
    mode_ = Mode::Decide;
    literal_size_ = literal.size;
    literal_non_sync_ = literal.non_synchronizing;
    ReadEvent e = event(ReadEvent::Kind::LiteralAnnounced, line.substr(0, literal.marker));
    e.literal_size = literal.size;
    e.non_synchronizing = literal.non_synchronizing;
    return e;
  }
  return event(ReadEvent::Kind::Line, line);
}

ReadEvent CommandReader::skip_line() {
  const std::string_view p = pending();
  const bool strict = config_.line_ending == LineEnding::Crlf;
  for (std::size_t lf = p.find('\n'); lf != std::string_view::npos; lf = p.find('\n', lf + 1)) {
    const bool has_cr = lf > 0 ? p[lf - 1] == '\r' : skip_saw_cr_;
    if (!strict || has_cr) {
      consume(lf + 1);
      mode_ = Mode::Lines;
      skip_saw_cr_ = false;
      return next_line();
    }
  }
  if (!p.empty()) skip_saw_cr_ = p.back() == '\r';
  consume(p.size());
  return event(ReadEvent::Kind::NeedMore);
}

bool CommandReader::accept_literal() {
  if (mode_ != Mode::Decide) return false;
  if (literal_size_ > config_.limits.max_literal) {
    refuse_literal();
    return false;
  }
  mode_ = Mode::Counted;
  remaining_ = literal_size_;
  return true;
}

bool CommandReader::refuse_literal() {
  if (mode_ != Mode::Decide) return false;
  if (!literal_non_sync_) {
    mode_ = Mode::Lines;  // RFC 9051 §7.5: without `+` the client sends no literal
    return false;
  }
  // RFC 7888 §4: a non-synchronizing literal is on its way regardless; skip it to stay in step.
  mode_ = Mode::SkipCounted;
  remaining_ = literal_size_;
  return true;
}

void CommandReader::read_counted(std::uint64_t count) {
  mode_ = Mode::Counted;
  remaining_ = count;
}

ReadEvent CommandReader::next_counted() {
  for (;;) {
    if (remaining_ == 0) {
      const bool skipped = mode_ == Mode::SkipCounted;
      mode_ = Mode::Lines;
      if (skipped) return next_line();
      return event(ReadEvent::Kind::LiteralEnd);
    }
    const std::string_view p = pending();
    if (p.empty()) return event(ReadEvent::Kind::NeedMore);
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(p.size(), remaining_));
    remaining_ -= n;
    consume(n);
    if (mode_ == Mode::Counted) return event(ReadEvent::Kind::LiteralChunk, p.substr(0, n));
  }
}

void CommandReader::begin_data(std::uint64_t max_size) {
  mode_ = Mode::Data;
  data_state_ = DataState::LineStart;
  data_max_ = max_size;
  data_size_ = 0;
  data_failed_ = false;
  data_error_ = ReadError::Malformed;
}

// Delivers decided body bytes, or refuses the body once it passes its size limit (RFC 5321 §4.5.3.1.10,
// RFC 1870 §6.3: counted as it streams, so an oversized body is never held). Bytes up to the limit are
// delivered first, so the events do not depend on how reads split the body.
ReadEvent CommandReader::data_chunk(std::string_view bytes, std::size_t consumed) {
  consume(consumed);
  if (data_failed_ || bytes.empty()) return event(ReadEvent::Kind::NeedMore);
  const std::uint64_t left = data_max_ - data_size_;
  if (bytes.size() > left) {
    data_failed_ = true;
    data_error_ = ReadError::DataTooLarge;
    if (left == 0) return error_event(ReadError::DataTooLarge);
    error_pending_ = true;
    bytes = bytes.substr(0, static_cast<std::size_t>(left));
  }
  data_size_ += bytes.size();
  return event(ReadEvent::Kind::DataChunk, bytes);
}

ReadEvent CommandReader::data_error(ReadError error, std::size_t consumed) {
  // The offending byte is not a line end: only a real CRLF.CRLF ends the (now refused) body.
  data_state_ = DataState::Mid;
  consume(consumed);
  if (data_failed_) return event(ReadEvent::Kind::NeedMore);
  data_failed_ = true;
  data_error_ = error;
  return error_event(error);
}

ReadEvent CommandReader::next_data() {
  static constexpr std::string_view kCrlf = "\r\n";
  if (error_pending_) {
    error_pending_ = false;
    return error_event(data_error_);
  }
  for (;;) {
    const std::string_view p = pending();
    if (p.empty()) return event(ReadEvent::Kind::NeedMore);
    ReadEvent e;
    if (data_state_ == DataState::Cr) {
      // A CR ended the previous read: only now does its LF decide it.
      if (p[0] != '\n') {
        e = data_error(ReadError::BareCr, 0);
      } else {
        data_state_ = DataState::LineStart;
        e = data_chunk(kCrlf, 1);
      }
      if (e.kind != ReadEvent::Kind::NeedMore) return e;
      continue;
    }
    std::size_t run = 0;  // bytes [run, i) are decided and not yet delivered
    bool stopped = false;
    // A bad line end: the bytes decided before it go out first (so that the events are the same however the
    // body is split), then the error. `decided` excludes a CR that turned out bare.
    auto fail = [&](ReadError error, std::size_t decided, std::size_t consumed) {
      stopped = true;
      if (!data_failed_ && decided > run) {
        data_state_ = DataState::Mid;  // the state before that CR or LF, as far as the next byte cares
        e = data_chunk(p.substr(run, decided - run), decided);
      } else {
        e = data_error(error, consumed);
      }
    };
    for (std::size_t i = 0; i < p.size() && !stopped; ++i) {
      const char c = p[i];
      switch (data_state_) {
        case DataState::LineStart:
          if (c == '.') {
            if (i > run) {
              e = data_chunk(p.substr(run, i - run), i);  // the dot is looked at again on the next round
              stopped = true;
              break;
            }
            data_state_ = DataState::Dot;  // RFC 5321 §4.5.2: the leading dot is removed
            run = i + 1;
          } else if (c == '\n') {
            fail(ReadError::BareLf, i, i + 1);
          } else {
            data_state_ = c == '\r' ? DataState::Cr : DataState::Mid;
          }
          break;
        case DataState::Dot:
          if (c == '\r') {
            data_state_ = DataState::DotCr;  // perhaps the end: that CR is not body
            run = i + 1;
          } else if (c == '\n') {
            fail(ReadError::BareLf, i, i + 1);
          } else {
            data_state_ = DataState::Mid;
          }
          break;
        case DataState::DotCr:
          if (c == '\n') {
            consume(i + 1);
            mode_ = Mode::Lines;
            e = event(ReadEvent::Kind::DataEnd);
            e.has_error = data_failed_;
            e.error = data_error_;
            return e;
          }
          fail(ReadError::BareCr, i, i);
          break;
        case DataState::Mid:
          if (c == '\r') {
            data_state_ = DataState::Cr;
          } else if (c == '\n') {
            fail(ReadError::BareLf, i, i + 1);
          }
          break;
        case DataState::Cr:
          if (c == '\n') {
            data_state_ = DataState::LineStart;
          } else {
            fail(ReadError::BareCr, i - 1, i);
          }
          break;
      }
    }
    if (!stopped) {
      // The end of what is here: deliver what is decided; a last CR waits, consumed, in the state.
      const std::size_t end = data_state_ == DataState::Cr ? p.size() - 1 : p.size();
      e = data_chunk(p.substr(run, end > run ? end - run : 0), p.size());
    }
    if (e.kind != ReadEvent::Kind::NeedMore) return e;
  }
}

std::size_t CommandReader::discard_buffered() {
  const std::size_t n = buffered();
  buf_.clear();
  scan_ = 0;
  bare_cr_ = false;
  return n;
}

std::string_view CommandReader::take_partial_line() {
  if (mode_ != Mode::Lines) return {};
  const std::string_view rest = pending();
  consume(rest.size());
  return rest;
}

}  // namespace endhost::text
