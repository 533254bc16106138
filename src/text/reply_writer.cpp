#include "text/reply_writer.hpp"

#include <charconv>

namespace endhost::text {

namespace {

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

// RFC 5321 §4.2: Reply-code = %x32-35 %x30-35 %x30-39; RFC 959 §4.2 adds the preliminary 1yz.
bool valid_code(int code, bool allow_1yz) {
  const int first = code / 100;
  const int second = code / 10 % 10;
  return code >= 100 && code <= 599 && (allow_1yz || first >= 2) && second <= 5;
}

// RFC 9051 §9: tag = 1*<any ASTRING-CHAR except "+">.
bool valid_tag(std::string_view tag) {
  if (tag.empty()) return false;
  for (const char c : tag) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
    if (std::string_view("(){%*\"\\+").find(c) != std::string_view::npos) return false;
  }
  return true;
}

std::string_view status_word(ImapStatus status) {
  switch (status) {
    case ImapStatus::Ok:
      return "OK";
    case ImapStatus::No:
      return "NO";
    case ImapStatus::Bad:
      return "BAD";
  }
  return "BAD";
}

}  // namespace

std::string_view describe(WriteError error) {
  switch (error) {
    case WriteError::Full:
      return "output buffer full";
    case WriteError::LineBreakInText:
      return "CR or LF inside a reply text";
    case WriteError::BadCode:
      return "not a valid reply code";
    case WriteError::BadTag:
      return "not a valid IMAP tag";
    case WriteError::LineTooLong:
      return "reply line too long";
  }
  return "cannot write reply";
}

void ReplyWriter::consumed(std::size_t n) {
  sent_ += std::min(n, out_.size() - sent_);
  if (sent_ == out_.size()) {
    out_.clear();
    sent_ = 0;
  }
}

void ReplyWriter::clear() {
  out_.clear();
  sent_ = 0;
  stuffer_ = DotStuffer();
}

Expected<void, WriteError> ReplyWriter::reserve(std::size_t n) {
  if (n > room()) return Unexpected(WriteError::Full);
  if (sent_ > 0 && sent_ >= out_.size() / 2) {  // compact lazily: each byte moves O(1) times
    out_.erase(0, sent_);
    sent_ = 0;
  }
  return {};
}

Expected<void, WriteError> ReplyWriter::coded(int code, std::string_view text, bool allow_1yz) {
  return coded(code, {text}, allow_1yz);
}

Expected<void, WriteError> ReplyWriter::coded(int code, std::initializer_list<std::string_view> lines,
                                              bool allow_1yz) {
  if (!valid_code(code, allow_1yz)) return Unexpected(WriteError::BadCode);
  std::size_t total = lines.size() == 0 ? 5 : 0;
  for (const auto line : lines) {
    if (has_line_break(line)) return Unexpected(WriteError::LineBreakInText);
    if (line.size() + 6 > limits_.max_reply_line) return Unexpected(WriteError::LineTooLong);
    total += line.size() + 6;
  }
  if (auto ok = reserve(total); !ok) return ok;
  char digits[3];
  std::to_chars(digits, digits + 3, code);
  const std::string_view number(digits, 3);
  if (lines.size() == 0) {
    out_.append(number);
    out_ += "\r\n";
    return {};
  }
  std::size_t left = lines.size();
  for (const auto line : lines) {
    out_.append(number);
    out_ += --left > 0 ? '-' : ' ';
    out_.append(line);
    out_ += "\r\n";
  }
  return {};
}

Expected<void, WriteError> ReplyWriter::pop3_status(bool ok, std::string_view text) {
  if (has_line_break(text)) return Unexpected(WriteError::LineBreakInText);
  const std::string_view word = ok ? "+OK" : "-ERR";
  const std::size_t total = word.size() + (text.empty() ? 0 : 1 + text.size()) + 2;
  if (total > limits_.max_reply_line) return Unexpected(WriteError::LineTooLong);
  if (auto r = reserve(total); !r) return r;
  out_.append(word);
  if (!text.empty()) {
    out_ += ' ';
    out_.append(text);
  }
  out_ += "\r\n";
  return {};
}

Expected<void, WriteError> ReplyWriter::body(std::string_view chunk) {
  if (auto r = reserve(DotStuffer::max_output(chunk.size())); !r) return r;
  stuffer_.append(out_, chunk);
  return {};
}

Expected<void, WriteError> ReplyWriter::body_end() {
  if (auto r = reserve(DotStuffer::kMaxFinish); !r) return r;
  stuffer_.finish(out_);
  return {};
}

Expected<void, WriteError> ReplyWriter::imap_tagged(std::string_view tag, ImapStatus status,
                                                    std::string_view text) {
  if (!valid_tag(tag)) return Unexpected(WriteError::BadTag);
  if (has_line_break(text)) return Unexpected(WriteError::LineBreakInText);
  const std::string_view word = status_word(status);
  if (auto r = reserve(tag.size() + 1 + word.size() + 1 + text.size() + 2); !r) return r;
  out_.append(tag);
  out_ += ' ';
  out_.append(word);
  out_ += ' ';
  out_.append(text);
  out_ += "\r\n";
  return {};
}

Expected<void, WriteError> ReplyWriter::imap_untagged(std::string_view text) {
  if (has_line_break(text)) return Unexpected(WriteError::LineBreakInText);
  if (auto r = reserve(text.size() + 4); !r) return r;
  out_ += "* ";
  out_.append(text);
  out_ += "\r\n";
  return {};
}

Expected<void, WriteError> ReplyWriter::imap_continuation(std::string_view text) {
  if (has_line_break(text)) return Unexpected(WriteError::LineBreakInText);
  if (auto r = reserve(text.size() + 4); !r) return r;
  out_ += "+ ";
  out_.append(text);
  out_ += "\r\n";
  return {};
}

Expected<void, WriteError> ReplyWriter::imap_part(std::string_view text) {
  if (has_line_break(text)) return Unexpected(WriteError::LineBreakInText);
  return raw(text);
}

Expected<void, WriteError> ReplyWriter::imap_literal(std::string_view bytes) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, bytes.size());
  const std::string_view count(digits, static_cast<std::size_t>(end - digits));
  if (auto r = reserve(count.size() + 4 + bytes.size()); !r) return r;
  out_ += '{';
  out_.append(count);
  out_ += "}\r\n";
  out_.append(bytes);
  return {};
}

Expected<void, WriteError> ReplyWriter::line_end() {
  return raw("\r\n");
}

Expected<void, WriteError> ReplyWriter::raw(std::string_view bytes) {
  if (auto r = reserve(bytes.size()); !r) return r;
  out_.append(bytes);
  return {};
}

}  // namespace endhost::text
