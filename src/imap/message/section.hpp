// FETCH BODY[section]<origin.count> (RFC 3501 §6.4.5, RFC 9051 §6.4.5): the bytes of a section of a parsed
// message, from the stored text without a copy where the bytes are sent as they are.
//
//   ""                  the whole message          HEADER        the header, with its blank line
//   HEADER.FIELDS (..)  those fields as written     TEXT          the body
//                       (folded lines kept), CRLF   n.MIME        part n's own MIME header
//   HEADER.FIELDS.NOT   the other fields, CRLF      n             part n's body
//
// Part numbers walk multiparts; a message/rfc822 part's numbers are those of the message inside it (its
// "1" is the encapsulated body when that is not a multipart), and HEADER, HEADER.FIELDS(.NOT) and TEXT
// after a number apply only to such a part. A part that is not a multipart has one number below it, 1,
// itself (so in a message that is not a multipart part 1 is its body; Dovecot's reading, applied at every
// level). A part that does not exist, or a specifier that does not apply, gives the empty string (RFC 3501
// §6.4.5), never an error. A partial origin at or past the end gives the empty string too.
//
// A message stored with bare LFs has them sent as CRLF (IMAP is CRLF, RFC 3501 §2.2): then the section is
// converted into an owned buffer first, and origin and count are counted in the converted bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "imap/command.hpp"
#include "imap/message/parsed_message.hpp"

namespace endhost::imap::message {

// The result: a view into the message's text, or bytes of its own (HEADER.FIELDS, a converted section).
// Movable and copyable; a view stays valid as long as the message's text.
class SectionBytes {
 public:
  SectionBytes() = default;
  static SectionBytes view(std::string_view bytes);
  static SectionBytes owned(std::string bytes);

  std::string_view bytes() const;
  bool is_owned() const { return owned_.has_value(); }
  // Keeps [origin, origin + count) of what there is (RFC 3501 §6.4.5 partial), clamped to the end.
  void restrict_to(std::size_t origin, std::size_t count);

 private:
  std::string_view view_;
  std::optional<std::string> owned_;
  std::size_t offset_ = 0;  // the window restrict_to() kept
  std::size_t size_ = 0;
};

// Where a section is in the parsed message: nullptr when the part does not exist or the specifier does not
// apply to it. The part the section's text specifier reads from (for HEADER, the encapsulated message).
const PartStructure* resolve_section_part(const ParsedMessage& message, const Section& section);

SectionBytes fetch_section(const ParsedMessage& message, const Section& section,
                           std::optional<Partial> partial = std::nullopt);

}  // namespace endhost::imap::message
