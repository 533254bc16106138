#include "text/pop3_reply_parser.hpp"

namespace endhost::text {

namespace {

// `word` alone or followed by a space and text; the text, or nothing when the line is something else.
bool indicator(std::string_view line, std::string_view word, std::string_view& text) {
  if (line.substr(0, word.size()) != word) return false;
  if (line.size() == word.size()) {
    text = {};
    return true;
  }
  if (line[word.size()] != ' ') return false;
  text = line.substr(word.size() + 1);
  return true;
}

}  // namespace

Pop3ReplyParser::Pop3ReplyParser(ParserLimits limits)
    : limits_(limits), reader_(reply_reader_config(limits)) {}

Pop3Event Pop3ReplyParser::fail(ReadError error) {
  failed_ = true;
  error_ = error;
  Pop3Event e;
  e.kind = Pop3Event::Kind::Error;
  e.error = error;
  return e;
}

Pop3Event Pop3ReplyParser::next() {
  if (failed_) return fail(error_);
  const ReadEvent r = reader_.next();
  Pop3Event e;
  switch (r.kind) {
    case ReadEvent::Kind::NeedMore:
      return e;
    case ReadEvent::Kind::Error:
      return fail(r.error);
    case ReadEvent::Kind::DataChunk:
      e.kind = Pop3Event::Kind::BodyChunk;
      e.text = r.text;
      return e;
    case ReadEvent::Kind::DataEnd:
      e.kind = Pop3Event::Kind::BodyEnd;
      return e;
    case ReadEvent::Kind::Line:
      break;
    default:
      return fail(ReadError::Malformed);  // no literals in POP3
  }
  const bool body = body_expected_;
  body_expected_ = false;
  // RFC 1939 §3: the indicators are upper case, exactly.
  if (indicator(r.text, "+OK", e.text)) {
    e.kind = Pop3Event::Kind::Status;
    e.ok = true;
    if (body) {
      reader_.begin_data(limits_.max_body);
    }
    return e;
  }
  if (indicator(r.text, "-ERR", e.text)) {
    e.kind = Pop3Event::Kind::Status;
    return e;
  }
  if (indicator(r.text, "+", e.text)) {
    e.kind = Pop3Event::Kind::Continuation;
    return e;
  }
  return fail(ReadError::Malformed);
}

}  // namespace endhost::text
