// The client side of POP3 (RFC 1939 §3): status lines `+OK …` / `-ERR …`, SASL continuations `+ …`
// (RFC 5034 §4), and the dot-stuffed multi-line bodies some +OK replies carry, delivered in pieces.
#pragma once

#include <string_view>

#include "text/command_reader.hpp"
#include "text/parser_limits.hpp"

namespace endhost::text {

struct Pop3Event {
  enum class Kind { NeedMore, Status, Continuation, BodyChunk, BodyEnd, Error };
  Kind kind = Kind::NeedMore;
  bool ok = false;        // Status: +OK
  std::string_view text;  // Status and Continuation: the text after the indicator; BodyChunk: body bytes
  ReadError error = ReadError::Malformed;
};

class Pop3ReplyParser {
 public:
  explicit Pop3ReplyParser(ParserLimits limits = {});

  std::size_t room() const { return reader_.room(); }
  std::size_t feed(std::string_view bytes) { return reader_.feed(bytes); }

  // Before the reply to a command whose +OK carries a body: RETR, TOP, LIST and UIDL without argument
  // (RFC 1939 §5, §7), CAPA (RFC 2449 §5). A -ERR reply has none.
  void expect_body() { body_expected_ = true; }

  // Views stay valid until the next feed() or next(). After Error the stream is out of step: close it.
  Pop3Event next();

 private:
  Pop3Event fail(ReadError error);

  ParserLimits limits_;
  CommandReader reader_;
  bool body_expected_ = false;
  bool failed_ = false;
  ReadError error_ = ReadError::Malformed;
};

}  // namespace endhost::text
