// Test support: IMAP response data (RFC 3501 §9: NIL, atoms and numbers, quoted strings, literals and
// parenthesised lists) read into a tree, so that two outputs compare by what they say (a quoted string and
// a literal with the same bytes are equal), and fixture files' escaped bytes read back.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace endhost::imap::message::test {

struct Value {
  enum class Kind { Nil, Atom, String, List };
  Kind kind = Kind::Nil;
  std::string text;          // Atom, String
  std::vector<Value> items;  // List
  friend bool operator==(const Value&, const Value&) = default;
};

// The one value that is all of `s`; nullopt when `s` is not exactly one well-formed value.
std::optional<Value> parse_value(std::string_view s);

// A canonical form for failure messages: strings always quoted.
std::string show(const Value& v);

// The fixture files' escapes: \r \n \\ \xHH.
std::string unescape(std::string_view s);

}  // namespace endhost::imap::message::test
