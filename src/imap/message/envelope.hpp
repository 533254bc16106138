// FETCH ENVELOPE (RFC 3501 §7.4.2, RFC 9051 §7.5.2): (date subject from sender reply-to to cc bcc
// in-reply-to message-id) of a message or of an encapsulated message/rfc822 part. Values are the fields as
// written, unfolded (RFC 2047 words are not decoded: IMAP sends them as they are); the subject and display
// names have their runs of whitespace made one space and trimmed, as Dovecot shows them; the first field of
// each name counts; sender and reply-to default to from (RFC 3501: the server MUST fill them in).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imap/message/address.hpp"
#include "imap/message/parsed_message.hpp"

namespace endhost::imap::message {

struct Envelope {
  std::optional<std::string> date;
  std::optional<std::string> subject;
  std::vector<Address> from, sender, reply_to, to, cc, bcc;  // empty: NIL
  std::optional<std::string> in_reply_to;
  std::optional<std::string> message_id;
  friend bool operator==(const Envelope&, const Envelope&) = default;
};

// The envelope of the message whose header is `part`'s (the top of a message, or the child of a
// PartKind::Message part); `text` is what the structure was parsed from.
Envelope make_envelope(std::string_view text, const PartStructure& part);
Envelope make_envelope(const ParsedMessage& message);

// `(date subject (from) ...)` with its parentheses.
void append_envelope(std::string& out, const Envelope& envelope);

}  // namespace endhost::imap::message
