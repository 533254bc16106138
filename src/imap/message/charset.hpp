// Text in a MIME charset made UTF-8 for SEARCH (RFC 3501 §6.4.4 compares in the search's charset; the
// server searches in UTF-8). UTF-8 and US-ASCII pass as they are, ISO-8859-1 and Windows-1252 are converted;
// other charsets are searched as their raw bytes (which still finds ASCII text in them).
#pragma once

#include <string>
#include <string_view>

namespace endhost::imap::message {

enum class Charset {
  Utf8,         // utf-8, us-ascii (and its aliases), or none given
  Latin1,       // iso-8859-1, latin1
  Windows1252,  // windows-1252, cp1252: Latin-1 with printable characters in 0x80-0x9F
  Other,        // anything else: left as bytes
};

// By name, case-insensitively (RFC 2978 names and the common aliases).
Charset classify_charset(std::string_view name);

// `bytes` in `charset` appended as UTF-8 (Utf8 and Other: as they are).
void append_as_utf8(std::string& out, std::string_view bytes, Charset charset);

}  // namespace endhost::imap::message
