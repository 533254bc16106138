// The SMTP server's commands in one table, as Postfix's smtpd_cmd_table (STYLE.md §8): for each verb the
// session states it is allowed in, its TLS rule under a policy that insists on TLS (Postfix's `encrypt`,
// `--require-tls`), and whether it ends a pipelined group (RFC 2920 §3.1). RFC 5321 §4.1.1 (HELO, EHLO, MAIL,
// RCPT, DATA, RSET, VRFY, EXPN, HELP, NOOP, QUIT), RFC 3207 (STARTTLS), RFC 4954 (AUTH), RFC 3030 (BDAT).
// AUTH is not `needs_auth` for any command here: submission's rule (MAIL needs AUTH) is the session's,
// since it depends on the port, not on the verb.
#pragma once

#include <string_view>

#include "text/command_table.hpp"

namespace endhost::smtp {

enum class State {
  Start,  // greeted; no HELO/EHLO yet (again after STARTTLS, RFC 3207 §4.2)
  Ready,  // HELO/EHLO done, no transaction
  Mail,   // MAIL accepted, no recipient yet
  Rcpt,   // at least one recipient accepted
  Bdat,   // a BDAT (not LAST) was read: only BDAT, RSET, NOOP, QUIT and HELP (RFC 3030 §2)
};

enum class Command { Helo, Ehlo, Mail, Rcpt, Data, Bdat, Rset, Vrfy, Expn, Help, Noop, Quit, StartTls, Auth };

using CommandTable = text::CommandTable<State, Command>;

// The one table; built once, never changed.
const CommandTable& command_table();

}  // namespace endhost::smtp
