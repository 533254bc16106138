// The server side's replies, written into one bounded output buffer the session drains to the socket: SMTP
// and FTP numbered replies with `NNN-` continuation, POP3 status lines and dot-stuffed bodies, IMAP tagged,
// untagged and continuation responses with literals. Text that would break the framing (CR, LF, a bad code or
// tag) is refused, so a reply never carries an injected line.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "text/dot_stuffer.hpp"

namespace endhost::text {

enum class WriteError {
  Full,             // the output buffer would pass its maximum: drain it first
  LineBreakInText,  // CR or LF inside a reply text
  BadCode,          // not a reply code the protocol allows
  BadTag,           // not an IMAP tag (RFC 9051 §9: astring characters except `+`)
  LineTooLong,      // over max_reply_line (RFC 5321 §4.5.3.1.5, RFC 1939 §3: 512 with CRLF)
};

std::string_view describe(WriteError error);

struct WriterLimits {
  std::size_t max_buffer = 64 * 1024;
  std::size_t max_reply_line = 512;  // numbered and POP3 status lines, CRLF included
};

enum class ImapStatus { Ok, No, Bad };

class ReplyWriter {
 public:
  explicit ReplyWriter(WriterLimits limits = {}) : limits_(limits) {}

  // What is ready to send; the session calls consumed() with what the socket took.
  std::string_view pending() const { return std::string_view(out_).substr(sent_); }
  void consumed(std::size_t n);
  bool empty() const { return pending().empty(); }
  std::size_t room() const { return limits_.max_buffer - pending().size(); }
  void clear();

  // SMTP (RFC 5321 §4.2.1) and FTP (RFC 959 §4.2): `250-first` … `250 last`, one line per text. An empty list
  // writes `250` alone. Codes 200–599; FTP's preliminary 1yz too when `allow_1yz`.
  Expected<void, WriteError> coded(int code, std::string_view text, bool allow_1yz = false);
  Expected<void, WriteError> coded(int code, std::initializer_list<std::string_view> lines,
                                   bool allow_1yz = false);

  // POP3 (RFC 1939 §3): `+OK text` or `-ERR text`, then for multi-line answers body() pieces and body_end().
  Expected<void, WriteError> pop3_status(bool ok, std::string_view text);
  // A dot-stuffed body (POP3 multi-line, and the SMTP client's DATA): see DotStuffer.
  Expected<void, WriteError> body(std::string_view chunk);
  Expected<void, WriteError> body_end();

  // IMAP (RFC 9051 §7.1, §7.5): `tag OK text`, `* text`, `+ text`.
  Expected<void, WriteError> imap_tagged(std::string_view tag, ImapStatus status, std::string_view text);
  Expected<void, WriteError> imap_untagged(std::string_view text);
  Expected<void, WriteError> imap_continuation(std::string_view text);
  // A response with literals (RFC 9051 §4.3), e.g. `* 1 FETCH (BODY[] {5}` CRLF `hello)` CRLF:
  // imap_part("* 1 FETCH (BODY[] "), imap_literal("hello"), imap_part(")"), line_end().
  Expected<void, WriteError> imap_part(std::string_view text);
  Expected<void, WriteError> imap_literal(std::string_view bytes);
  Expected<void, WriteError> line_end();

  // Bytes as they are (the echo service's replies).
  Expected<void, WriteError> raw(std::string_view bytes);

 private:
  Expected<void, WriteError> reserve(std::size_t n);

  WriterLimits limits_;
  std::string out_;
  std::size_t sent_ = 0;
  DotStuffer stuffer_;
};

}  // namespace endhost::text
