#include "text/coded_reply_parser.hpp"

namespace endhost::text {

namespace {

// The reply code at the start of `line`, or 0.
int code_of(std::string_view line, ReplyDialect dialect) {
  if (line.size() < 3) return 0;
  const char lowest = dialect == ReplyDialect::Smtp ? '2' : '1';
  if (line[0] < lowest || line[0] > '5' || line[1] < '0' || line[1] > '5' || line[2] < '0' || line[2] > '9') {
    return 0;
  }
  return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

}  // namespace

CodedReplyParser::CodedReplyParser(ReplyDialect dialect, ParserLimits limits)
    : dialect_(dialect), limits_(limits), reader_(reply_reader_config(limits)) {}

Expected<std::optional<CodedReply>, ReadError> CodedReplyParser::fail(ReadError error) {
  failed_ = error;
  return Unexpected(error);
}

Expected<std::optional<CodedReply>, ReadError> CodedReplyParser::next() {
  if (failed_) return Unexpected(*failed_);
  for (;;) {
    const ReadEvent e = reader_.next();
    if (e.kind == ReadEvent::Kind::NeedMore) return std::optional<CodedReply>();
    if (e.kind == ReadEvent::Kind::Error) return fail(e.error);
    const std::string_view line = e.text;
    const int code = code_of(line, dialect_);
    const bool continued = partial_.code != 0;
    const bool separator_ok = line.size() == 3 || (line.size() > 3 && (line[3] == ' ' || line[3] == '-'));
    if (continued && dialect_ == ReplyDialect::Ftp && (code != partial_.code || !separator_ok)) {
      partial_.lines.emplace_back(line);  // RFC 959 §4.2: free text inside a multi-line reply
    } else {
      if (code == 0 || !separator_ok || (continued && code != partial_.code))
        return fail(ReadError::Malformed);
      partial_.code = code;
      const bool last = line.size() == 3 || line[3] == ' ';  // separator_ok: size 3 or more
      partial_.lines.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view());
      if (last) {
        CodedReply reply = std::move(partial_);
        partial_ = CodedReply();
        return std::optional<CodedReply>(std::move(reply));
      }
    }
    if (partial_.lines.size() >= limits_.max_lines) return fail(ReadError::TooManyLines);
  }
}

}  // namespace endhost::text
