// The IMAP command parser's hard limits (src/imap/command_parser.hpp). Every count and length taken from a
// client command has one; passing it is a ParseError (Kind::Limit) with the command's tag, never a larger
// allocation. Sizes of literals are the reader's (text::ReaderLimits::max_literal), already checked when the
// command reaches the parser; the limits here bound what a line of that size could still make expensive.
#pragma once

#include <cstddef>

namespace endhost::imap {

struct ParseLimits {
  std::size_t max_tag = 64;    // octets of a tag (RFC 9051 sets none; Dovecot's is 100)
  std::size_t max_depth = 16;  // levels of a search key tree (each parenthesis, NOT and OR is one) and of
                               // parentheses in a parameter list
  std::size_t max_string = 8 * 1024;  // octets of an atom or quoted string (literals: the reader's limit)
  std::size_t max_mailbox = 1024;     // octets of a mailbox name or LIST pattern, however it was sent
  std::size_t max_sequence_ranges = 10'000;  // comma-separated parts of one sequence set
  std::size_t max_search_keys = 1000;        // search keys in one SEARCH, counting every nested one
  std::size_t max_fetch_items = 100;         // items of one FETCH after macro expansion
  std::size_t max_header_fields = 100;       // names in one HEADER.FIELDS (NOT) list
  std::size_t max_part_depth = 32;           // numbers in a section part `1.2.3` (MIME nesting)
  std::size_t max_flags = 100;               // flags in one STORE or APPEND
  std::size_t max_list_items = 100;  // ENABLE names, LIST options and patterns, STATUS items, parameters
  std::size_t max_id_pairs = 30;     // ID field-value pairs (RFC 2971 §3.3: at most 30)
  std::size_t max_id_field = 30;     // octets of an ID field name (RFC 2971 §3.3)
  std::size_t max_id_value = 1024;   // octets of an ID value (RFC 2971 §3.3)
};

}  // namespace endhost::imap
