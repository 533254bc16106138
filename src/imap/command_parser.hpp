// parse_command: one IMAP command, whole, from the text the session reassembled, into a Command
// (command.hpp). The grammar is RFC 3501 §9 with the RFC 9051 changes a current client uses, LITERAL+ and
// the extension syntax issue 12 serves (SASL-IR, ENABLE, ID, LIST-EXTENDED, ESEARCH's RETURN, CONDSTORE's
// parameters, UIDPLUS's UID EXPUNGE, MOVE, UNSELECT, IDLE). Pure: no I/O, and allocation bounded by
// ParseLimits and the input's size.
#pragma once

#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "imap/command.hpp"
#include "imap/limits.hpp"

namespace endhost::imap {

struct ParseError {
  enum class Kind {
    Syntax,          // the grammar was not followed
    Limit,           // a ParseLimits bound was passed
    UnknownCommand,  // the tag was valid; the command name is none of CommandName (or UID + one that is not)
  };
  Kind kind = Kind::Syntax;
  std::string tag;      // "" when no valid tag was found: answer `* BAD message`; else `tag BAD message`
  std::string message;  // one line of text, no CR or LF: "Invalid sequence set", "Too many search keys"
};

// `wire` is the command as the client sent it without its final CRLF, literals inline: `{n}` CRLF then
// exactly n bytes (the session turns `{n+}` into `{n}`, and the command reader has checked the sizes).
// A literal is accepted wherever the grammar has an astring or string. The result owns its strings except
// AppendArgs::message, which points into `wire`: keep `wire` alive as long as that is used.
Expected<Command, ParseError> parse_command(std::string_view wire, const ParseLimits& limits = {});

}  // namespace endhost::imap
