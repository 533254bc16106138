#include "text/verb.hpp"

namespace endhost::text {

Verb split_verb(std::string_view line) {
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) return Verb{line, {}};
  return Verb{line.substr(0, space), line.substr(space + 1)};
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

}  // namespace endhost::text
