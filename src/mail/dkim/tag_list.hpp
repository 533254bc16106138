// The tag=value lists of DKIM (RFC 6376 §3.2): the DKIM-Signature header field's value and the key record
// (§3.6.1). Borrowing: the tags point into the text given, which must outlive them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace endhost::mail::dkim {

struct Tag {
  std::string_view name;   // case-sensitive (§3.2)
  std::string_view value;  // without the folding white space around it; inner white space kept
};

// The most tags a list may have: the signature has 14 defined tags, the key record 7; more is an attack or
// junk.
inline constexpr std::size_t kMaxTags = 64;

// §3.2: tag-list = tag-spec *( ";" tag-spec ) [ ";" ]; tag-spec = [FWS] tag-name [FWS] "=" [FWS] tag-value
// [FWS]. A tag name twice is an error ("Tags with duplicate names MUST NOT occur"), as are a value with a
// character outside VALCHAR (%x21-3A / %x3C-7E), a CR not part of CRLF WSP (FWS), and an empty tag-spec
// inside the list. The error says what and where.
Expected<std::vector<Tag>, std::string> parse_tag_list(std::string_view text);

// The value of `name`, or nullopt.
std::optional<std::string_view> find_tag(const std::vector<Tag>& tags, std::string_view name);

// Removes folding white space (SP, HTAB, CR, LF) from a value: for base64 (b=, bh=, p=) and h=.
std::string strip_fws(std::string_view value);

}  // namespace endhost::mail::dkim
