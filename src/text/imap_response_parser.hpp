// The client side of IMAP at the line level (RFC 9051 §2.2.2, §7): tagged status responses, untagged `* `
// data and continuation requests `+ `, with the server's literals read in pieces. A response with literals
// comes as its first part, the literal's chunks, then the parts after each literal (kind Rest).
#pragma once

#include <string_view>

#include "text/command_reader.hpp"
#include "text/parser_limits.hpp"
#include "text/reply_writer.hpp"

namespace endhost::text {

struct ImapEvent {
  enum class Kind { NeedMore, Tagged, Untagged, Continuation, Rest, LiteralChunk, LiteralEnd, Error };
  Kind kind = Kind::NeedMore;
  std::string_view tag;                // Tagged
  ImapStatus status = ImapStatus::Ok;  // Tagged
  std::string_view
      text;  // after the tag and status, `* ` or `+ `; Rest: the line part; chunks: literal bytes
  bool literal_follows = false;  // the part ended in `{n}`: n bytes come next (`literal_size`)
  std::uint64_t literal_size = 0;
  ReadError error = ReadError::Malformed;
};

class ImapResponseParser {
 public:
  explicit ImapResponseParser(ParserLimits limits = {});

  std::size_t room() const { return reader_.room(); }
  std::size_t feed(std::string_view bytes) { return reader_.feed(bytes); }

  // Views stay valid until the next feed() or next(). After Error the stream is out of step: close it.
  ImapEvent next();

 private:
  ImapEvent fail(ReadError error);
  ImapEvent classify(std::string_view line);

  CommandReader reader_;
  bool continuing_ = false;  // the next line part continues a response after a literal
  bool failed_ = false;
  ReadError error_ = ReadError::Malformed;
};

}  // namespace endhost::text
