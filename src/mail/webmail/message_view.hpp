// What the webmail shows of a stored message, from one parse of its bytes (mail::message::parse_structure,
// the parser IMAP serves from): the header fields a reader sees (RFC 2047 words decoded), the text to show
// (text/plain parts outside attachments, charset made UTF-8), which part is the HTML body, the attachments
// with the part numbers (IMAP's section numbers, RFC 3501 §6.4.5) to fetch them by, and a part's decoded
// bytes. Sans-I/O: bytes in, values out; never fails (a malformed message shows what could be read).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace endhost::mail::webmail {

struct HeaderSummary {
  std::string from, to, cc, subject, date, message_id;  // decoded, unfolded; "" when absent
};

struct AttachmentInfo {
  std::string part;          // "2", "1.3"
  std::string filename;      // "" when none was given
  std::string content_type;  // "image/png" (lower case, no parameters)
  std::string content_id;    // without <>, for cid: references
  std::uint64_t size = 0;    // decoded bytes
  bool inline_disposition = false;
};

struct MessageView {
  HeaderSummary header;
  std::string text;       // the plain text body (UTF-8); "" when the message has only HTML
  std::string html_part;  // the text/html body's part number, or ""
  std::vector<AttachmentInfo> attachments;
};

struct PartContent {
  std::string content_type;  // "image/png": lower case, no parameters
  std::string charset;       // Content-Type's charset parameter, or ""
  std::string filename;
  std::string data;  // the transfer encoding undone, nothing else: the bytes that were attached
};

// The summary of a header alone (a message's first bytes will do: what the list shows).
HeaderSummary summarize_header(std::string_view message);
MessageView view_message(std::string_view message);
// The part `part` ("1", "2.1"; the message itself as "1" when it is not multipart), or nullopt.
std::optional<PartContent> extract_part(std::string_view message, std::string_view part);
// A text/* leaf's text made UTF-8 (the HTML body for the sanitiser), or nullopt.
std::optional<std::string> part_text(std::string_view message, std::string_view part);
// The part whose Content-ID is `content_id` (without <>), as its part number, or "".
std::string part_for_content_id(std::string_view message, std::string_view content_id);

// A Content-Type the webmail may send an attachment with: the part's own when it is a plain data type
// (images but SVG, audio, video, PDF, zip, octet-stream…), else application/octet-stream, so that nothing a
// browser would render as active content (HTML, SVG, XML, JavaScript) is served as such.
std::string safe_download_type(std::string_view content_type);

// A download's file name made safe: no directory (the last component of '/' or '\\'), no control bytes
// (CR, LF…), never "", "." or ".." (then `fallback`). UTF-8 is kept for filename*.
std::string safe_filename(std::string_view name, std::string_view fallback);
// The name a whole message downloads as: its subject made safe and cut to 60 bytes (on a UTF-8 character
// boundary), then ".eml"; "message.eml" when the subject gives nothing.
std::string eml_filename(std::string_view subject);
// Content-Disposition for a download (RFC 6266 §4.3): "attachment", an ASCII fallback in filename (no '"',
// '\\' or bytes outside printable ASCII) and the UTF-8 name in filename* (RFC 8187).
std::string attachment_disposition_field(std::string_view name);

}  // namespace endhost::mail::webmail
