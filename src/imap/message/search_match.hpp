// SEARCH's message tests (RFC 3501 §6.4.4, RFC 9051 §6.4.4) on a parsed message: header fields (FROM, TO,
// CC, BCC, SUBJECT, HEADER), BODY, TEXT and the sent date (SENTBEFORE, SENTON, SENTSINCE). The flag, size,
// date and set keys are the session's, from its index.
//
// Text is compared as UTF-8: header values unfolded with their RFC 2047 words decoded (UTF-8, US-ASCII and
// ISO-8859-1; others stay encoded), bodies of text/* parts with their transfer encoding undone and their
// charset made UTF-8 (charset.hpp). The needle must be UTF-8 (the session converts a CHARSET it accepts).
// Case-insensitive for ASCII letters only: other letters must match exactly (Dovecot folds all of Unicode).
// Substring search is linear (KMP) in the text searched, whatever the needle and the text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imap/date_time.hpp"
#include "imap/message/parsed_message.hpp"

namespace endhost::imap::message {

// A needle prepared once for many texts: ASCII-folded, with its KMP failure table.
class Needle {
 public:
  explicit Needle(std::string_view text);
  bool empty() const { return folded_.empty(); }
  // `haystack` contains the needle, ASCII letters compared without case. An empty needle is everywhere.
  bool found_in(std::string_view haystack) const;

 private:
  std::string folded_;
  std::vector<std::size_t> failure_;
};

// The tests against one message. Decoded texts are kept after their first use, so that a SEARCH with several
// keys decodes each body once.
class MessageSearch {
 public:
  explicit MessageSearch(const ParsedMessage& message) : message_(message) {}
  MessageSearch(const MessageSearch&) = delete;  // its views point into its own buffers
  MessageSearch& operator=(const MessageSearch&) = delete;

  // FROM, TO, CC, BCC, SUBJECT, `HEADER name value`: some field of the message's header with that name
  // (case-insensitive) contains `needle`; `HEADER name ""` is true for any message with the field.
  bool header_contains(std::string_view field_name, const Needle& needle);
  // BODY: some text/* part (also inside message/rfc822 parts) contains it.
  bool body_contains(const Needle& needle);
  // TEXT: the header (as `Name: value` lines, decoded; those of message/rfc822 parts too) or the body.
  bool text_contains(const Needle& needle);
  // The day of the Date: field (message_date.hpp); nullopt (which matches no SENT* key) when it is missing or
  // unreadable.
  std::optional<Date> sent_date() const;

 private:
  void decode_bodies();
  void decode_headers();

  const ParsedMessage& message_;
  bool bodies_done_ = false;
  std::vector<std::string> decoded_;      // bodies that needed decoding
  std::vector<std::string_view> bodies_;  // every text body: into decoded_ or the message
  bool headers_done_ = false;
  std::vector<std::string> headers_;  // "Name: value" of every header searched by TEXT, decoded
};

}  // namespace endhost::imap::message
