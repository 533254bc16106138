// Reading an Internet message (RFC 5322 §2.2, §3) and its MIME structure (RFC 2045, RFC 2046 §5.1): header
// fields unfolded, Content-Type with its parameters, multipart bodies walked to their parts, and the
// transfer encodings (base64, quoted-printable, 7bit/8bit/binary) undone. Bounded (depth, parts, header
// fields) so that hostile input costs little. Lenient where RFC 2045/2046 advise robustness (a missing close
// delimiter ends at the end of the text), never crashing.
//
// Two forms from one parser: parse_structure() says where every part's header, fields and body are (offsets
// into the text, no copies, never fails: what IMAP serves from, src/imap/message), and parse_message() copies
// that into owned MimeParts (for the tests, the fuzz target and the tools that read mail back), failing on
// the defects the structure only records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace endhost::mail::message {

struct HeaderField {
  std::string name;   // as written
  std::string value;  // unfolded (CRLF before WSP removed, RFC 5322 §2.2.3), leading space dropped
};

struct ContentType {
  std::string type = "text";  // lower case; RFC 2045 §5.2's default text/plain; charset=us-ascii
  std::string subtype = "plain";
  std::map<std::string, std::string> params;  // names lower case, values unquoted
  std::string param(const std::string& name) const;
};

struct MimePart {
  std::vector<HeaderField> headers;
  ContentType content_type;
  std::string transfer_encoding = "7bit";  // lower case
  std::string body;                        // as it was in the message, after the blank line
  std::vector<MimePart> parts;             // for multipart/*: the body parts, in order
  bool truncated = false;                  // multipart without its close delimiter (RFC 2046 §5.1.1)

  // The first field of that name (case-insensitive), unfolded; RFC 2047 words are not decoded.
  std::optional<std::string> header(std::string_view name) const;
  // The same with encoded words decoded (Subject, From): UTF-8.
  std::optional<std::string> decoded_header(std::string_view name) const;
  // The body with its transfer encoding undone (unknown encodings: as it is).
  std::string decoded_body() const;
  // RFC 2183 / RFC 2231: Content-Disposition's filename (filename*= decoded from UTF-8 percent form).
  std::string filename() const;
  bool is_multipart() const { return content_type.type == "multipart"; }
};

struct MimeLimits {
  std::size_t max_depth = 8;            // multipart nesting
  std::size_t max_parts = 256;          // parts in all
  std::size_t max_header_fields = 512;  // per part
};

// Errors: a header field without a colon, a multipart without a boundary, or a limit passed.
Expected<MimePart, std::string> parse_message(std::string_view text, MimeLimits limits = {});

// RFC 2045 §5.1: "multipart/mixed; boundary=\"=_x\"" → type, subtype, params. Empty on a malformed value.
std::optional<ContentType> parse_content_type(std::string_view value);

// ---- The structure as offsets ----

// A range of the text a structure was parsed from. Offsets rather than views, so that a structure stays
// valid for the same bytes read again (or moved) and can be kept beside them.
struct TextRange {
  std::size_t offset = 0;
  std::size_t size = 0;
  std::size_t end() const { return offset + size; }
  std::string_view in(std::string_view text) const { return text.substr(offset, size); }
  friend bool operator==(const TextRange&, const TextRange&) = default;
};

// One header field where it stands: its name, and its value still folded (RFC 5322 §2.2.3).
struct FieldRange {
  TextRange whole;            // from the name through the line end of its last (continuation) line
  std::size_t name_size = 0;  // the name starts the field; whitespace before the colon is not part of it
  TextRange value;            // after the colon and the blanks after it, to its last line's end (excluded)
  std::string_view name(std::string_view text) const { return text.substr(whole.offset, name_size); }
};

// The value with its line ends removed (RFC 5322 §2.2.3 unfolding: the whitespace after them stays).
std::string unfold(std::string_view folded);

enum class PartKind : std::uint8_t {
  Leaf,       // a body of its own
  Multipart,  // multipart/*: `parts` are its body parts (RFC 2046 §5.1)
  Message,    // message/rfc822 or message/global: `parts` holds the encapsulated message (§5.2.1)
};

// What the lenient parse stepped over. parse_message() fails on any of them; IMAP serves what was found.
enum StructureDefect : std::uint8_t {
  kLeadingContinuation = 1,  // the header began with a continuation line (skipped)
  kLineWithoutColon = 2,     // a header line that is not a field (kept in the header, not a field)
  kTooManyFields = 4,        // fields past the limit (not recorded; the header goes on to its end)
  kBadBoundary = 8,          // multipart/* without a usable boundary: a multipart with no parts
  kTooDeep = 16,             // a multipart or message nested past max_depth: not opened
  kTooManyParts = 32,        // parts past max_parts: not recorded (here and in every later part)
};

struct PartStructure {
  TextRange header;  // the fields and the empty line after them (none when a delimiter or the end came first)
  TextRange body;  // after the empty line; a body part's ends before the line end that precedes the delimiter
  std::size_t body_lines = 0;      // LFs in the body (IMAP's "size in text lines", RFC 3501 §7.4.2)
  std::size_t body_bare_lf = 0;    // LFs in the body without a CR before them (what a CRLF conversion adds)
  std::vector<FieldRange> fields;  // in order, at most max_header_fields
  // From Content-Type when it parses; otherwise RFC 2045 §5.2's text/plain, or message/rfc822 in a
  // multipart/digest (RFC 2046 §5.1.5).
  ContentType content_type;
  bool content_type_given = false;         // content_type is the Content-Type field's
  std::string transfer_encoding = "7bit";  // lower case; the default when absent or not a token
  PartKind kind = PartKind::Leaf;
  std::vector<PartStructure> parts;  // see PartKind; may be empty (no delimiter line, or a limit)
  bool truncated = false;            // a multipart whose close delimiter never came (RFC 2046 §5.1.1)
  std::uint8_t defects = 0;          // StructureDefect bits for this part alone

  // The first field of that name (case-insensitive), or null.
  const FieldRange* field(std::string_view text, std::string_view name) const;
};

// Limits (hostile input costs little) and the two readings where parse_message() and IMAP differ.
struct StructureOptions {
  std::size_t max_depth = 16;            // multipart and message nesting below the top
  std::size_t max_parts = 1000;          // parts in all, the top one included
  std::size_t max_header_fields = 1000;  // recorded per part
  std::size_t max_total_fields = 20000;  // recorded in all parts together
  std::size_t max_boundary = 200;        // RFC 2046 §5.1.1 says 70; longer ones occur and cost nothing
  bool encapsulated = true;              // parse message/rfc822 (and message/global) bodies as messages
  // RFC 2046 §5.1.1's note to implementors: a line that starts with "--boundary" is a delimiter whatever
  // follows it (Dovecot's reading). false: only blanks may follow (and "--" for the close delimiter).
  bool boundary_prefix_match = true;
  // A first line that is not a field starts the body, as if the header were empty. false: it is a header
  // line without a colon, and the header runs to the empty line (Dovecot's reading).
  bool headerless_first_line = false;
};

// The structure of `text`, in one pass over its lines. Never fails: each defect is recorded where it was
// found and the parse goes on. Delimiter lines are matched against the open multiparts' boundaries, the
// innermost first; a delimiter of an outer multipart ends every part inside it (RFC 2046 §5.1.1: a missing
// close delimiter). Linear in the text (each line is compared with at most max_depth boundaries). The
// offsets are into `text`; nothing is copied but the Content-Type values.
PartStructure parse_structure(std::string_view text, StructureOptions options = {});

// A body with its transfer encoding (lower case) undone: base64 and quoted-printable leniently; anything
// else as it is.
std::string decode_body(std::string_view body, std::string_view transfer_encoding);

// A Content-Type or Content-Disposition value as IMAP's BODYSTRUCTURE shows it: names and values as written
// (values unquoted), parameters in their order, RFC 2231 §3 continuations (name*0, name*1*, ...) joined
// into one `name` or `name*` after the others.
struct MimeParameter {
  std::string name;
  std::string value;
  friend bool operator==(const MimeParameter&, const MimeParameter&) = default;
};
struct ParameterizedValue {
  std::string type;     // "text", "attachment"
  std::string subtype;  // "plain" (Content-Type only)
  std::vector<MimeParameter> params;
};
inline constexpr std::size_t kMaxMimeParameters = 100;  // more are dropped
std::optional<ParameterizedValue> parse_parameterized_value(std::string_view value, bool with_subtype);

}  // namespace endhost::mail::message
