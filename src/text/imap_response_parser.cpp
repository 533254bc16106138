#include "text/imap_response_parser.hpp"

#include "text/verb.hpp"

namespace endhost::text {

ImapResponseParser::ImapResponseParser(ParserLimits limits) : reader_(reply_reader_config(limits, true)) {}

ImapEvent ImapResponseParser::fail(ReadError error) {
  failed_ = true;
  error_ = error;
  ImapEvent e;
  e.kind = ImapEvent::Kind::Error;
  e.error = error;
  return e;
}

ImapEvent ImapResponseParser::classify(std::string_view line) {
  ImapEvent e;
  if (continuing_) {
    e.kind = ImapEvent::Kind::Rest;
    e.text = line;
    return e;
  }
  if (line == "+" || line.substr(0, 2) == "+ ") {  // RFC 9051 §7.5 (a bare `+` from lenient servers too)
    e.kind = ImapEvent::Kind::Continuation;
    e.text = line.size() > 2 ? line.substr(2) : std::string_view();
    return e;
  }
  if (line.substr(0, 2) == "* ") {
    e.kind = ImapEvent::Kind::Untagged;
    e.text = line.substr(2);
    return e;
  }
  // RFC 9051 §7.1: tag SP ("OK" / "NO" / "BAD") SP resp-text; the status word is case-insensitive.
  const Verb tag = split_verb(line);
  const Verb status = split_verb(tag.args);
  if (tag.verb.empty() || tag.verb == "*" || tag.verb == "+") return fail(ReadError::Malformed);
  e.kind = ImapEvent::Kind::Tagged;
  e.tag = tag.verb;
  e.text = status.args;
  if (iequals(status.verb, "OK")) {
    e.status = ImapStatus::Ok;
  } else if (iequals(status.verb, "NO")) {
    e.status = ImapStatus::No;
  } else if (iequals(status.verb, "BAD")) {
    e.status = ImapStatus::Bad;
  } else {
    return fail(ReadError::Malformed);
  }
  return e;
}

ImapEvent ImapResponseParser::next() {
  if (failed_) return fail(error_);
  const ReadEvent r = reader_.next();
  ImapEvent e;
  switch (r.kind) {
    case ReadEvent::Kind::NeedMore:
      return e;
    case ReadEvent::Kind::Error:
      return fail(r.error);
    case ReadEvent::Kind::Line:
      e = classify(r.text);
      continuing_ = false;
      return e;
    case ReadEvent::Kind::LiteralAnnounced:
      e = classify(r.text);
      if (e.kind == ImapEvent::Kind::Error) return e;
      // A server's literal is never waited for (RFC 9051 §4.3): take it, within the limit.
      if (!reader_.accept_literal()) return fail(ReadError::LiteralTooLarge);
      continuing_ = true;
      e.literal_follows = true;
      e.literal_size = r.literal_size;
      return e;
    case ReadEvent::Kind::LiteralChunk:
      e.kind = ImapEvent::Kind::LiteralChunk;
      e.text = r.text;
      return e;
    case ReadEvent::Kind::LiteralEnd:
      e.kind = ImapEvent::Kind::LiteralEnd;
      return e;
    default:
      return fail(ReadError::Malformed);
  }
}

}  // namespace endhost::text
