// The value types of the mail store (docs/internals/mail-store.md): a message's flags and index record, a
// change in a mailbox's journal, and the error every store operation returns. Shared by POP3, IMAP and the
// webmail, so they stay plain values with no I/O.
#pragma once

#include <cstdint>
#include <string>

namespace endhost::mail::store {

// IMAP's system flags (RFC 3501 §2.3.2) as bits of Flags::system. \Recent is not here: it is a property of
// a session, not of the message (Mailbox::take_recent).
inline constexpr std::uint8_t kSeen = 1;
inline constexpr std::uint8_t kAnswered = 2;
inline constexpr std::uint8_t kFlagged = 4;
inline constexpr std::uint8_t kDeleted = 8;
inline constexpr std::uint8_t kDraft = 16;
inline constexpr std::uint8_t kAllSystemFlags = kSeen | kAnswered | kFlagged | kDeleted | kDraft;

// Keywords are per folder, at most 26 (the letters a..z of maildir(5)'s info part): bit i is the folder's
// keyword i (Mailbox::keywords()).
inline constexpr std::size_t kMaxKeywords = 26;

struct Flags {
  std::uint8_t system = 0;     // kSeen | kAnswered | …
  std::uint32_t keywords = 0;  // bit i = keyword i of the folder
  friend bool operator==(const Flags&, const Flags&) = default;
};

// One message as the index and the file name describe it.
struct MessageRecord {
  std::uint32_t uid = 0;
  std::string base;                // the file name before ':' — unique in its folder, stable: POP3's UIDL
  std::uint64_t size = 0;          // octets with CRLF line ends: POP3's LIST and IMAP's RFC822.SIZE
  std::int64_t internal_date = 0;  // unix seconds: the file's mtime (Dovecot's INTERNALDATE)
  Flags flags;
};

// One entry of a mailbox's journal (Mailbox::changes_since): what an IMAP session turns into EXISTS,
// EXPUNGE and FETCH FLAGS responses.
struct Change {
  enum class Kind { Added, Expunged, FlagsChanged };
  Kind kind = Kind::Added;
  std::uint32_t uid = 0;
  friend bool operator==(const Change&, const Change&) = default;
};

struct StoreError {
  enum class Kind {
    Io,               // a system call failed (`code` is its errno: ENOSPC, EDQUOT are worth telling apart)
    NoSuchMailbox,    // the folder does not exist, or was deleted or renamed while open
    Exists,           // CREATE or RENAME to a name that is taken
    Invalid,          // a name or argument the store refuses (the message says why)
    TooManyKeywords,  // the 27th keyword of a folder (IMAP: NO [LIMIT])
    NoSuchMessage,    // the UID is not (or no longer) in the mailbox
    TooBig,           // larger than the store's max_message_size or the caller's limit (IMAP: NO [TOOBIG])
  };
  int code = 0;  // errno, or 0
  Kind kind = Kind::Io;
  std::string message;  // one line for the log, naming the step and the file
};

}  // namespace endhost::mail::store
