// Folder names as the store accepts them (Maildir++: `<root>/.<name>/`, hierarchy delimiter '.'), checked
// before any of them becomes a path: no way out of the user's root, no name the layout cannot hold.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "mail/store/types.hpp"

namespace endhost::mail::store {

inline constexpr char kHierarchyDelimiter = '.';
inline constexpr std::size_t kMaxFolderNameBytes = 200;
inline constexpr std::string_view kInbox = "INBOX";

// The canonical form of `name`: "INBOX" in any case becomes INBOX, also as the first level ("inbox.x" →
// "INBOX.x", RFC 3501 §5.1: INBOX is case-insensitive); other names are case-sensitive and kept as they are
// (modified UTF-7 or UTF-8, RFC 3501 §5.1.3). Invalid: empty, longer than kMaxFolderNameBytes, a '/' or '\\'
// (a path), a control byte, a leading, trailing or doubled '.' (so never "." or ".."), or the LIST wildcards
// '*' and '%' (RFC 3501 §6.3.8: a name with them could not be listed unambiguously).
Expected<std::string, StoreError> canonical_folder_name(std::string_view name);

// Whether `name` is INBOX (after canonical_folder_name).
inline bool is_inbox(std::string_view canonical) {
  return canonical == kInbox;
}

// The directory of a canonical folder name below the user's root: "" for INBOX, ".<name>" otherwise.
std::string folder_directory(std::string_view canonical);

// A user name as a directory below users/ may be: not empty, at most 255 bytes, no '/', no control bytes,
// not starting with '.'.
bool valid_user_name(std::string_view user);

}  // namespace endhost::mail::store
