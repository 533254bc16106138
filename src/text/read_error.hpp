// What the command reader and the reply parsers report about bad input. Each is answered with the protocol's
// own error (SMTP 500/521, IMAP BAD, POP3 -ERR, FTP 500), never with a crash or an unbounded buffer.
#pragma once

#include <string_view>

namespace endhost::text {

enum class ReadError {
  BareLf,           // a LF not preceded by CR where only CRLF ends a line (SMTP smuggling)
  BareCr,           // a CR not followed by LF
  LineTooLong,      // a line over the limit: reported once, then skipped to its end without buffering it
  LiteralTooLarge,  // an announced literal over the limit, or a byte count that does not parse
  DataTooLarge,     // a DATA body or POP3 multi-line body over its size limit
  Malformed,        // a reply line that does not follow its protocol's syntax (parsers only)
  TooManyLines,     // a multi-line reply with more lines than the limit (parsers only)
};

// One line for humans ("bare LF in a line (only CRLF ends a line)"), for logs and protocol error texts.
std::string_view describe(ReadError error);

}  // namespace endhost::text
