// Building an Internet message (RFC 5322) with MIME (RFC 2045–2049): the header fields a user agent writes
// (From, To, Cc, Subject, Date, Message-ID, MIME-Version), a text body in quoted-printable when it is not
// plain 7-bit (RFC 2045 §6.7), attachments in a multipart/mixed (RFC 2046 §5.1.3), base64 for binary ones
// (§6.8) and quoted-printable for text ones, and RFC 2047 encoded words for non-ASCII header text. Sans I/O:
// the time and the random parts (Message-ID, boundary) come from the caller.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"

namespace endhost::mail::message {

struct Attachment {
  std::string filename;      // the name shown to the recipient (no directory)
  std::string content_type;  // "" : guessed from the name (guess_content_type)
  std::string data;          // the file's bytes
};

struct MessageSpec {
  std::string from;             // "alice@crepes.fr" or "Alice Example <alice@crepes.fr>"
  std::vector<std::string> to;  // the same forms
  std::vector<std::string> cc;
  std::string subject;  // UTF-8
  std::string body;     // UTF-8 text, LF or CRLF line ends
  std::vector<Attachment> attachments;
  core::WallTime date{};
  std::string message_id;  // "<…@…>"; "" : none is written (make_message_id gives one)
  std::string boundary;    // for multipart; "" : "=_endhost_0"
  std::vector<std::pair<std::string, std::string>> extra_headers;  // written as they are, after the rest
};

struct BuiltMessage {
  std::string text;        // CRLF lines, ready for SMTP (no dot-stuffing)
  bool eight_bit = false;  // never: every part is 7-bit after encoding (kept for the envelope's sake)
  bool smtputf8 = false;   // an address holds UTF-8 (RFC 6531): the server must offer SMTPUTF8
};

BuiltMessage build_message(const MessageSpec& spec);

// RFC 5322 §3.3: "Wed, 02 Dec 2026 16:59:35 +0000".
std::string format_date(core::WallTime t);
// RFC 5322 §3.6.4: "<20261202165935.3f2a9c1b7d4e6f80@crepes.fr>" from the time and 64 random bits.
std::string make_message_id(core::WallTime t, std::uint64_t random, std::string_view domain);
// "=_endhost_3f2a9c1b7d4e6f80": cannot occur in base64 or quoted-printable text (RFC 2046 §5.1.1).
std::string make_boundary(std::uint64_t random);

// The address inside "Name <addr>" (or the whole text, trimmed): what goes into MAIL FROM / RCPT TO.
std::string envelope_address(std::string_view mailbox);
// The domain of an address ("" when it has no "@").
std::string address_domain(std::string_view address);
// A mailbox for a header: the display name quoted (RFC 5322 §3.2.4) or encoded (RFC 2047 §5 rule 3).
std::string header_mailbox(std::string_view mailbox);

// From the file name's extension: "application/pdf", "image/png", "text/plain; charset=utf-8", …;
// "application/octet-stream" when unknown.
std::string guess_content_type(std::string_view filename);

}  // namespace endhost::mail::message
