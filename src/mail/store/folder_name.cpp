#include "mail/store/folder_name.hpp"

namespace endhost::mail::store {

namespace {

bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 32);
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 32);
    if (x != y) return false;
  }
  return true;
}

Unexpected<StoreError> invalid(std::string why) {
  return Unexpected(StoreError{0, StoreError::Kind::Invalid, std::move(why)});
}

}  // namespace

Expected<std::string, StoreError> canonical_folder_name(std::string_view name) {
  if (name.empty()) return invalid("empty mailbox name");
  if (name.size() > kMaxFolderNameBytes)
    return invalid("mailbox name longer than " + std::to_string(kMaxFolderNameBytes) + " bytes");
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return invalid("control character in mailbox name");
    if (c == '/' || c == '\\') return invalid("'/' and '\\' are not allowed in mailbox names");
    if (c == '*' || c == '%') return invalid("'*' and '%' are not allowed in mailbox names");
  }
  if (name.front() == kHierarchyDelimiter || name.back() == kHierarchyDelimiter ||
      name.find("..") != std::string_view::npos)
    return invalid("mailbox name with an empty hierarchy level");
  const auto first_end = name.find(kHierarchyDelimiter);
  const std::string_view first = name.substr(0, first_end);
  if (iequals_ascii(first, kInbox)) {
    std::string out(kInbox);
    if (first_end != std::string_view::npos) out += name.substr(first_end);
    return out;
  }
  return std::string(name);
}

std::string folder_directory(std::string_view canonical) {
  if (is_inbox(canonical)) return {};
  std::string dir = ".";
  dir += canonical;
  return dir;
}

bool valid_user_name(std::string_view user) {
  if (user.empty() || user.size() > 255 || user.front() == '.') return false;
  for (const char c : user) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '/') return false;
  }
  return true;
}

}  // namespace endhost::mail::store
