// What a user's mail looks like on the server, read from the Maildirs themselves (docs/internals/
// mail-store.md, "Layout on disk"): the folders, how many messages each holds and each message's flags
// from its file name. The mail-access experiment's "what stays on the server", independent of any client.
#pragma once

#include <string>
#include <vector>

namespace endhost::lab {

struct FolderState {
  std::string name;                // "INBOX", "Course" (Maildir++ ".Course"), "Archive.2024"
  std::vector<std::string> flags;  // per message, in file-name order: "\Seen \Flagged", "" for none
  std::size_t messages() const { return flags.size(); }
};

// `user_dir` is <mail_dir>/users/<user>. INBOX first, then the other folders by name; a folder being
// deleted (the store's "..endhost-deleted.*") is not listed. Empty when the directory cannot be read.
std::vector<FolderState> read_mailbox_state(const std::string& user_dir);

// The IMAP flags (RFC 9051 §2.3.2) of a Maildir file name's info part ("2,FS" → "\Flagged \Seen").
std::string maildir_flags(const std::string& file_name);

// "INBOX 2 (\Seen, -), Course 1 (-)": one line for a table. Folders with no messages are left out unless
// they are in `always`.
std::string describe_state(const std::vector<FolderState>& folders, const std::vector<std::string>& always);

}  // namespace endhost::lab
