// The client side of SMTP and FTP: reads numbered replies, one line or many (`250-…` continued, `250 …`
// last), into code and texts. After an error the stream is out of step and the client closes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "text/command_reader.hpp"
#include "text/parser_limits.hpp"

namespace endhost::text {

enum class ReplyDialect {
  Smtp,  // RFC 5321 §4.2.1: every line carries the same code; codes 2yz–5yz
  Ftp,   // RFC 959 §4.2: lines between the first `NNN-` and the last `NNN ` are free text; codes 1yz–5yz
};

struct CodedReply {
  int code = 0;
  std::vector<std::string> lines;  // the texts after `NNN-` / `NNN `, in order; one at least
  friend bool operator==(const CodedReply&, const CodedReply&) = default;
};

class CodedReplyParser {
 public:
  explicit CodedReplyParser(ReplyDialect dialect, ParserLimits limits = {});

  std::size_t room() const { return reader_.room(); }
  std::size_t feed(std::string_view bytes) { return reader_.feed(bytes); }

  // The next complete reply, nothing yet (an empty optional), or the error that ended the stream.
  Expected<std::optional<CodedReply>, ReadError> next();

  // Bytes of further replies already here: a server that answers before it is asked (RFC 2920 §3.2).
  bool has_buffered_input() const { return reader_.has_buffered_input(); }

 private:
  Expected<std::optional<CodedReply>, ReadError> fail(ReadError error);

  ReplyDialect dialect_;
  ParserLimits limits_;
  CommandReader reader_;
  CodedReply partial_;  // a multi-line reply being read; code 0 when none
  std::optional<ReadError> failed_;
};

}  // namespace endhost::text
