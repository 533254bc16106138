#include "imap/session/list_match.hpp"

#include <vector>

namespace endhost::imap {

namespace {

bool is_inbox_prefix(std::string_view s) {
  if (s.size() < 5) return false;
  for (std::size_t i = 0; i < 5; ++i) {
    char c = s[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (c != "INBOX"[i]) return false;
  }
  return s.size() == 5 || s[5] == kDelimiter;
}

std::string normal_inbox(std::string_view s) {
  std::string r(s);
  if (is_inbox_prefix(s)) r.replace(0, 5, "INBOX");
  return r;
}

}  // namespace

bool list_matches(std::string_view pattern_in, std::string_view name_in) {
  const std::string pattern = normal_inbox(pattern_in);
  const std::string name = normal_inbox(name_in);
  // reach[j]: pattern[0, i) can match name[0, j).
  std::vector<char> reach(name.size() + 1, 0), next(name.size() + 1, 0);
  reach[0] = 1;
  for (char p : pattern) {
    std::fill(next.begin(), next.end(), 0);
    if (p == '*') {
      bool any = false;
      for (std::size_t j = 0; j <= name.size(); ++j) {
        any = any || reach[j];
        next[j] = any;
      }
    } else if (p == '%') {
      bool any = false;
      for (std::size_t j = 0; j <= name.size(); ++j) {
        if (j > 0 && name[j - 1] == kDelimiter) any = false;
        any = any || reach[j];
        next[j] = any;
      }
    } else {
      for (std::size_t j = 0; j < name.size(); ++j)
        if (reach[j] && name[j] == p) next[j + 1] = 1;
    }
    reach.swap(next);
  }
  return reach[name.size()] != 0;
}

std::string join_reference(std::string_view reference, std::string_view pattern) {
  std::string r(reference);
  if (!r.empty() && r.back() != kDelimiter && !pattern.empty() && pattern.front() != kDelimiter)
    r += kDelimiter;
  r.append(pattern);
  return r;
}

}  // namespace endhost::imap
