// The command reader of the line protocols: turns received bytes into command lines, counted literals (IMAP
// `{n}`/`{n+}`, SMTP BDAT) and dot-stuffed DATA bodies, one event at a time, with every buffer bounded. A
// session feeds what it read, then takes events until NeedMore; see docs/internals/text.md for the contract.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/byte_buffer.hpp"
#include "text/read_error.hpp"

namespace endhost::text {

// What ends a line. Crlf is the rule of every mail and file protocol (RFC 5321 §2.3.8, RFC 1939 §3,
// RFC 9051 §2.2, RFC 959 §4.1 via Telnet): a bare LF or bare CR is an error the session answers. LfOrCrlf is
// for the echo service only, whose textbook clients end lines with LF and which has no RFC to obey.
enum class LineEnding { Crlf, LfOrCrlf };

struct ReaderLimits {
  std::size_t max_line = 998;  // octets of a line without its end (RFC 5321 §4.5.3.1.6: 1000 with CRLF)
  std::size_t max_buffer = 16 * 1024;     // bytes held at once; raised to max_line + 2 if smaller
  std::uint64_t max_literal = 64 * 1024;  // the largest announced literal accept_literal() takes
};

struct ReaderConfig {
  LineEnding line_ending = LineEnding::Crlf;
  // IMAP: a line that ends in `{n}` or `{n+}` announces n bytes that follow it (RFC 9051 §4.3, RFC 7888).
  bool literals = false;
  ReaderLimits limits;
};

struct ReadEvent {
  enum class Kind {
    NeedMore,          // feed more bytes (nothing buffered makes an event)
    Line,              // `text` is one line without its end
    LiteralAnnounced,  // `text` is the line before its `{n}`; call accept_literal() or refuse_literal()
    AwaitingDecision,  // a literal was announced and neither accept_literal() nor refuse_literal() was called
    LiteralChunk,      // `text` is the next piece of an accepted literal or of a read_counted() block
    LiteralEnd,        // the literal's last byte was delivered; lines follow again
    DataChunk,         // `text` is the next piece of a DATA body, dot-unstuffed, CRLFs kept
    DataEnd,           // the body's CRLF.CRLF was read; `error` says whether it was refused on the way
    Error,             // `error` says what; `text` is the refused line when it was short enough to hold
  };
  Kind kind = Kind::NeedMore;
  std::string_view text;
  ReadError error = ReadError::Malformed;  // Error, and DataEnd when `has_error`
  bool has_error = false;                  // DataEnd: the body was refused (bad line end or too large)
  std::uint64_t literal_size = 0;          // LiteralAnnounced
  bool non_synchronizing = false;          // LiteralAnnounced: `{n+}`, the bytes come without waiting for `+`
};

class CommandReader {
 public:
  explicit CommandReader(ReaderConfig config = {});

  // Bytes feed() will take now. A session reads at most this much; it is never zero after the session has
  // taken events until NeedMore (or AwaitingDecision, which it must answer).
  std::size_t room() const { return config_.limits.max_buffer - buffered(); }

  // Copies up to room() bytes and returns how many it took. Invalidates the views of earlier events.
  std::size_t feed(std::string_view bytes);
  // Or without the copy: read into read_space() (at most room() bytes; empty when there is none), then
  // commit() what arrived. Invalidates the views of earlier events too.
  std::span<char> read_space();
  void commit(std::size_t n) { buf_.commit(n); }

  // The next event. Its `text` stays valid until the next call to feed(), next() or discard_buffered().
  ReadEvent next();

  // After LiteralAnnounced. accept_literal() returns false, and refuses instead, when the size is over
  // max_literal. Refusing a synchronizing literal returns to lines (the client waits for `+` and sends
  // nothing); refusing a non-synchronizing one skips its n bytes unbuffered, and refuse_literal() returns
  // true to say that the rest of the refused command follows as the next line.
  bool accept_literal();
  bool refuse_literal();

  // The next `count` bytes are delivered as LiteralChunk events, then LiteralEnd (SMTP BDAT, RFC 3030 §2).
  void read_counted(std::uint64_t count);

  // DATA (RFC 5321 §4.1.1.4): lines until CRLF.CRLF, leading dots removed (§4.5.2), delivered in chunks as
  // they arrive. Always CRLF-only. A bare LF or CR, or more than `max_size` bytes, is reported once as an
  // Error, the rest is read and discarded up to CRLF.CRLF, and DataEnd carries the error.
  void begin_data(std::uint64_t max_size);

  // Pipelining (RFC 2920): whether bytes after the last event are already here, and dropping them all.
  // STARTTLS (RFC 3207 §4.2, CVE-2011-0411) and AUTH TLS must not act on anything sent before the handshake.
  bool has_buffered_input() const { return buffered() > 0; }
  std::size_t buffered() const { return buf_.size(); }
  std::size_t discard_buffered();

  // At end of stream, the bytes of an unterminated last line (empty while skipping a line or not in lines).
  std::string_view take_partial_line();

  const ReaderConfig& config() const { return config_; }

 private:
  enum class Mode { Lines, SkipLine, Decide, Counted, SkipCounted, Data };
  enum class DataState { LineStart, Dot, DotCr, Mid, Cr };

  ReadEvent next_line();
  ReadEvent skip_line();
  ReadEvent next_counted();
  ReadEvent next_data();
  ReadEvent data_chunk(std::string_view bytes, std::size_t consumed);
  ReadEvent data_error(ReadError error, std::size_t consumed);
  ReadEvent complete_line(std::size_t text_end, std::size_t consumed);
  void consume(std::size_t n);
  std::string_view pending() const { return buf_.readable(); }

  ReaderConfig config_;
  core::ByteBuffer buf_;  // consumed from the front as events are returned
  Mode mode_ = Mode::Lines;

  // Lines and SkipLine.
  std::size_t scan_ = 0;      // bytes of the pending line already searched
  bool bare_cr_ = false;      // the pending line has a CR not followed by LF
  bool skip_saw_cr_ = false;  // SkipLine: the last byte skipped was CR

  // Decide, Counted and SkipCounted.
  std::uint64_t literal_size_ = 0;
  bool literal_non_sync_ = false;
  std::uint64_t remaining_ = 0;

  // Data.
  DataState data_state_ = DataState::LineStart;
  std::uint64_t data_max_ = 0;
  std::uint64_t data_size_ = 0;
  bool data_failed_ = false;
  bool error_pending_ = false;  // a size error to report after the chunk that reached the limit
  ReadError data_error_ = ReadError::Malformed;
};

}  // namespace endhost::text
