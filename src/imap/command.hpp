// The IMAP command as a value (RFC 3501 §6, RFC 9051 §6, and the extensions issue 12 serves): what
// parse_command() (command_parser.hpp) returns and the session dispatches on. Every field is owned, except
// AppendArgs::message, a view into the wire text given to parse_command().
//
// Names and atoms the protocol treats case-insensitively (command names, fetch items, ENABLE and LIST
// options, parameter names, charset names, header field names) are upper-cased here; strings (mailboxes,
// passwords, search text, keywords) stay exactly as sent, except that the mailbox name INBOX, in any case,
// becomes "INBOX" (RFC 9051 §5.1). Mailbox names are as sent: modified UTF-7 (RFC 3501 §5.1.3, mutf7.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "imap/date_time.hpp"
#include "imap/sequence_set.hpp"

namespace endhost::imap {

// ---- Flags (RFC 9051 §2.3.2, §9 `flag`) ----

enum class FlagKind {
  System,     // \Answered \Flagged \Deleted \Seen \Draft, name in that canonical case
  Recent,     // \Recent: parsed so the session can refuse to STORE it (RFC 3501 §2.3.2); name "\\Recent"
  Extension,  // any other `\atom` (flag-extension), name as sent; the session refuses what it does not know
  Keyword,    // an atom (flag-keyword), name as sent: `$Forwarded`, `Junk`
};
// `\*` (flag-perm) appears only in the server's PERMANENTFLAGS; in a command it is a parse error.

struct Flag {
  FlagKind kind = FlagKind::Keyword;
  std::string name;  // with the backslash for System, Recent and Extension
  friend bool operator==(const Flag&, const Flag&) = default;
};

// ---- Generic parameters (RFC 4466 §2.1: select-param, fetch-modifier, store-modifier) ----

// `NAME` or `NAME value` from a parenthesised parameter list, e.g. `(CONDSTORE)`, `(CHANGEDSINCE 12345)`,
// `(QRESYNC (67890007 20050715194045000 41,43:211))`. The value is kept as its raw text ("" when absent):
// the session acts on the ones it knows and answers BAD to the rest.
struct Parameter {
  std::string name;   // upper-cased
  std::string value;  // raw: `12345`, `(67890007 20050715194045000 41,43:211)`
  friend bool operator==(const Parameter&, const Parameter&) = default;
};

// ---- FETCH (RFC 9051 §6.4.5, §9 `fetch-att`) ----

// `BODY[section]`: part numbers, then what of that part.
struct Section {
  enum class Text {
    None,             // BODY[] or BODY[1.2]: the whole message or part
    Header,           // HEADER
    HeaderFields,     // HEADER.FIELDS (names)
    HeaderFieldsNot,  // HEADER.FIELDS.NOT (names)
    Text,             // TEXT
    Mime,             // MIME: only after a part number
  };
  std::vector<std::uint32_t> part;  // `1.2.3`; empty for the message itself; never contains 0
  Text text = Text::None;
  std::vector<std::string> fields;  // HeaderFields(Not): the names upper-cased, in the client's order
  // The text between the brackets as the FETCH response names it (RFC 9051 §7.5.2): `1.2.HEADER.FIELDS
  // (FROM SUBJECT)`, `TEXT`, `` for BODY[].
  std::string to_string() const;
  friend bool operator==(const Section&, const Section&) = default;
};

// `<origin.count>` of a partial fetch (RFC 9051 §6.4.5): count is at least 1.
struct Partial {
  std::uint32_t origin = 0;
  std::uint32_t count = 1;
  friend bool operator==(const Partial&, const Partial&) = default;
};

struct FetchItem {
  enum class Kind {
    Flags,
    InternalDate,
    Rfc822,        // = BODY[], sets \Seen
    Rfc822Header,  // = BODY.PEEK[HEADER]
    Rfc822Size,
    Rfc822Text,  // = BODY[TEXT], sets \Seen
    Envelope,
    Body,  // BODY without a section: the non-extensible BODYSTRUCTURE
    BodyStructure,
    Uid,
    BodySection,  // BODY[section]<partial> or BODY.PEEK[...]
    ModSeq,       // MODSEQ (RFC 7162 §3.1.4.1); the session refuses it unless it serves CONDSTORE
  };
  Kind kind = Kind::Flags;
  bool peek = false;               // BodySection: BODY.PEEK, which does not set \Seen
  Section section;                 // BodySection
  std::optional<Partial> partial;  // BodySection
  // The item's name in the FETCH response (RFC 9051 §7.5.2): `FLAGS`, `RFC822.SIZE`, `BODY[1.TEXT]<0>`
  // (PEEK dropped, only the origin of a partial kept).
  std::string response_name() const;
  friend bool operator==(const FetchItem&, const FetchItem&) = default;
};

// ---- SEARCH (RFC 3501 §6.4.4, RFC 9051 §6.4.4) ----

// One search key; a tree through `children`. Which fields a kind uses is listed beside it; the others stay
// empty. A sequence of keys (the top level, or inside parentheses) is an And node.
struct SearchKey {
  enum class Kind {
    All,
    Answered,
    Bcc,     // text
    Before,  // date
    Body,    // text
    Cc,      // text
    Deleted,
    Draft,
    Flagged,
    From,     // text
    Header,   // field (upper-cased), text (may be empty: "has the field")
    Keyword,  // text: the flag-keyword as sent
    Larger,   // number
    New,
    Not,  // children[0]
    Old,
    On,  // date
    Or,  // children[0], children[1]
    Recent,
    Seen,
    SentBefore,  // date
    SentOn,      // date
    SentSince,   // date
    Since,       // date
    Smaller,     // number
    Subject,     // text
    Text,        // text
    To,          // text
    Uid,         // set
    Unanswered,
    Undeleted,
    Undraft,
    Unflagged,
    Unkeyword,  // text
    Unseen,
    SequenceSet,  // set: message sequence numbers
    And,          // children: all must match (a parenthesised list, and the whole program)
    ModSeq,       // number (RFC 7162 §3.1.5; an entry name and type, if sent, are read and dropped)
  };
  Kind kind = Kind::All;
  std::string text;   // the astring argument, raw bytes in the command's CHARSET
  std::string field;  // Header
  Date date;
  std::uint64_t number = 0;  // Larger, Smaller (number64, RFC 9051), ModSeq
  imap::SequenceSet set;     // Uid, SequenceSet
  std::vector<SearchKey> children;
  friend bool operator==(const SearchKey&, const SearchKey&) = default;
};

// ---- STATUS items (RFC 9051 §6.3.11, RFC 7162 §3.1.6) ----

enum class StatusItem { Messages, Recent, UidNext, UidValidity, Unseen, Size, Deleted, HighestModSeq };

// ---- Command arguments, one struct per shape ----

struct AuthenticateArgs {                       // AUTHENTICATE
  std::string mechanism;                        // upper-cased: "PLAIN"
  std::optional<std::string> initial_response;  // SASL-IR (RFC 4959): base64 as sent; "=" means empty
  friend bool operator==(const AuthenticateArgs&, const AuthenticateArgs&) = default;
};

struct LoginArgs {  // LOGIN
  std::string userid;
  std::string password;
  friend bool operator==(const LoginArgs&, const LoginArgs&) = default;
};

struct EnableArgs {                       // ENABLE (RFC 5161)
  std::vector<std::string> capabilities;  // upper-cased, at least one
  friend bool operator==(const EnableArgs&, const EnableArgs&) = default;
};

struct IdArgs {  // ID (RFC 2971): nullopt for `ID NIL`; values nullopt for NIL
  std::optional<std::vector<std::pair<std::string, std::optional<std::string>>>> fields;
  friend bool operator==(const IdArgs&, const IdArgs&) = default;
};

struct SelectArgs {  // SELECT, EXAMINE
  std::string mailbox;
  std::vector<Parameter> params;  // RFC 4466 select-params: `(CONDSTORE)`
  friend bool operator==(const SelectArgs&, const SelectArgs&) = default;
};

struct MailboxArgs {  // CREATE, DELETE, SUBSCRIBE, UNSUBSCRIBE
  std::string mailbox;
  friend bool operator==(const MailboxArgs&, const MailboxArgs&) = default;
};

struct RenameArgs {  // RENAME
  std::string from;
  std::string to;
  friend bool operator==(const RenameArgs&, const RenameArgs&) = default;
};

struct ListArgs {                           // LIST (RFC 3501 §6.3.8 and RFC 5258 LIST-EXTENDED), LSUB
  std::vector<std::string> selection;       // list-select-opts, upper-cased: SUBSCRIBED, SPECIAL-USE, ...
  std::string reference;                    // as sent (not INBOX-normalised: it is a prefix)
  std::vector<std::string> patterns;        // one, or several from `("a" "b")`; may contain % and *
  std::vector<std::string> return_options;  // RETURN (...), upper-cased: CHILDREN, SUBSCRIBED, SPECIAL-USE
  std::vector<StatusItem> return_status;    // RETURN (STATUS (...)) (RFC 5819), when "STATUS" is listed
  bool extended = false;  // selection options, a pattern list or RETURN was sent: RFC 5258 rules apply
  friend bool operator==(const ListArgs&, const ListArgs&) = default;
};

struct StatusArgs {  // STATUS
  std::string mailbox;
  std::vector<StatusItem> items;  // at least one, in the client's order
  friend bool operator==(const StatusArgs&, const StatusArgs&) = default;
};

struct AppendArgs {  // APPEND (one message; no MULTIAPPEND, no CATENATE)
  std::string mailbox;
  std::vector<Flag> flags;
  std::optional<DateTime> internal_date;
  std::string_view message;  // the literal's bytes: a view into the wire text parsed (NUL allowed here)
  friend bool operator==(const AppendArgs&, const AppendArgs&) = default;
};

struct SearchArgs {                    // SEARCH, UID SEARCH
  std::optional<std::string> charset;  // CHARSET name, upper-cased; absent means US-ASCII
  // ESEARCH (RFC 4731) `RETURN (MIN MAX ...)`, upper-cased; `RETURN ()` gives an empty list (= ALL).
  std::optional<std::vector<std::string>> return_options;
  SearchKey key;  // always Kind::And over the keys as sent, at least one
  friend bool operator==(const SearchArgs&, const SearchArgs&) = default;
};

struct FetchArgs {  // FETCH, UID FETCH
  imap::SequenceSet set;
  std::vector<FetchItem> items;                // macros ALL/FAST/FULL expanded; at least one; duplicates kept
  std::vector<Parameter> modifiers;            // RFC 4466 fetch-modifiers: `(CHANGEDSINCE 12345 VANISHED)`
  std::optional<std::uint64_t> changed_since;  // CHANGEDSINCE's value when valid (RFC 7162 §3.1.4.1)
  friend bool operator==(const FetchArgs&, const FetchArgs&) = default;
};

struct StoreArgs {                           // STORE, UID STORE
  enum class Mode { Replace, Add, Remove };  // FLAGS, +FLAGS, -FLAGS
  imap::SequenceSet set;
  Mode mode = Mode::Replace;
  bool silent = false;                           // .SILENT
  std::vector<Flag> flags;                       // may be empty: `FLAGS ()` clears
  std::vector<Parameter> modifiers;              // `(UNCHANGEDSINCE 320162338)`
  std::optional<std::uint64_t> unchanged_since;  // its value when valid (RFC 7162 §3.1.3)
  friend bool operator==(const StoreArgs&, const StoreArgs&) = default;
};

struct CopyArgs {  // COPY, MOVE, and their UID forms
  imap::SequenceSet set;
  std::string mailbox;
  friend bool operator==(const CopyArgs&, const CopyArgs&) = default;
};

struct ExpungeArgs {  // EXPUNGE; UID EXPUNGE (RFC 4315 §2.1) carries its set
  std::optional<imap::SequenceSet> uid_set;
  friend bool operator==(const ExpungeArgs&, const ExpungeArgs&) = default;
};

enum class CommandName {
  Capability,
  Noop,
  Logout,
  Starttls,
  Authenticate,
  Login,
  Enable,
  Id,
  Namespace,
  Select,
  Examine,
  Create,
  Delete,
  Rename,
  Subscribe,
  Unsubscribe,
  List,
  Lsub,
  Status,
  Append,
  Check,
  Close,
  Unselect,
  Expunge,
  Search,
  Fetch,
  Store,
  Copy,
  Move,
  Idle,
};

// The command's name as the RFC spells it: "CAPABILITY", "UID" is not part of it.
std::string_view to_string(CommandName name);

// The arguments of each command:
//   monostate        CAPABILITY NOOP LOGOUT STARTTLS NAMESPACE CHECK CLOSE UNSELECT IDLE
//   AuthenticateArgs AUTHENTICATE        LoginArgs   LOGIN          EnableArgs  ENABLE
//   IdArgs           ID                  SelectArgs  SELECT EXAMINE MailboxArgs CREATE DELETE (UN)SUBSCRIBE
//   RenameArgs       RENAME              ListArgs    LIST LSUB      StatusArgs  STATUS
//   AppendArgs       APPEND              SearchArgs  SEARCH         FetchArgs   FETCH
//   StoreArgs        STORE               CopyArgs    COPY MOVE      ExpungeArgs EXPUNGE
using CommandArgs = std::variant<std::monostate, AuthenticateArgs, LoginArgs, EnableArgs, IdArgs, SelectArgs,
                                 MailboxArgs, RenameArgs, ListArgs, StatusArgs, AppendArgs, SearchArgs,
                                 FetchArgs, StoreArgs, CopyArgs, ExpungeArgs>;

struct Command {
  std::string tag;  // valid: 1*(ASTRING-CHAR except "+"), at most ParseLimits::max_tag
  CommandName name = CommandName::Noop;
  bool uid = false;  // `UID FETCH|STORE|COPY|MOVE|SEARCH|EXPUNGE` (RFC 9051 §6.4.9)
  CommandArgs args;

  template <class T>
  const T& as() const {
    return std::get<T>(args);
  }
  friend bool operator==(const Command&, const Command&) = default;
};

}  // namespace endhost::imap
