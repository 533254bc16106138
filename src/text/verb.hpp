// Splitting a command line into its verb and arguments, and ASCII case-insensitive comparison: command verbs
// are case-insensitive in every line protocol (RFC 5321 §2.4, RFC 1939 §3, RFC 9051 §9, RFC 959 §5.3).
#pragma once

#include <string_view>

namespace endhost::text {

struct Verb {
  std::string_view verb;  // up to the first space
  std::string_view args;  // after that space, as sent
};

Verb split_verb(std::string_view line);

bool iequals(std::string_view a, std::string_view b);

}  // namespace endhost::text
