// A stored message parsed once for everything IMAP asks of it: ENVELOPE, BODY, BODYSTRUCTURE, BODY[section]
// and SEARCH's message tests all read this one structure (mail::message::parse_structure) and the bytes it
// points into, so a FETCH of several items never parses again and never copies a body.
//
// The bytes are borrowed: the caller keeps them alive (a mapped or read file) as long as the ParsedMessage
// and anything taken from it. IMAP sends CRLF lines (RFC 3501 §2.2); a message stored with bare LFs is
// accepted, its sizes are counted as if each LF were CRLF, and sections taken from it are converted.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "mail/message/mime.hpp"

namespace endhost::imap::message {

using mail::message::PartStructure;
using mail::message::StructureOptions;
using mail::message::TextRange;

class ParsedMessage {
 public:
  explicit ParsedMessage(std::string_view text, StructureOptions options = {});

  std::string_view text() const { return text_; }
  const PartStructure& root() const { return root_; }

  // Some LF has no CR before it: what is sent must be converted (crlf_size, append_crlf).
  bool has_bare_lf() const { return bare_lf_ > 0; }
  // RFC822.SIZE: the octets sent for BODY[] (bare LFs counted as CRLF).
  std::size_t wire_size() const { return text_.size() + bare_lf_; }

  // A range's bytes, and what they become on the wire.
  std::string_view bytes(TextRange r) const { return r.in(text_); }

 private:
  std::string_view text_;
  PartStructure root_;
  std::size_t bare_lf_ = 0;
};

// The octets of `bytes` with every LF not preceded by CR made CRLF. `before` is the byte before `bytes` in
// its text ('\0' at the start), so that a range starting with the LF of a CRLF is counted right.
std::size_t crlf_size(std::string_view bytes, char before = '\0');
void append_crlf(std::string& out, std::string_view bytes, char before = '\0');

}  // namespace endhost::imap::message
