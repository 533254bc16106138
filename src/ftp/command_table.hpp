// The FTP server's commands in one table (STYLE.md §8, Postfix's smtpd_cmd_table): for each verb the session
// states it is allowed in, whether it needs a login, and its TLS rule under --require-tls. RFC 959 §4.1 and
// §5.3, RFC 775 (the X… aliases), RFC 1123 §4.1.2.9 (STOU), RFC 2389 (FEAT, OPTS), RFC 2428 (EPRT, EPSV),
// RFC 3659 (SIZE, MDTM, REST, MLST, MLSD), RFC 4217 (AUTH, PBSZ, PROT). Commands the table does not know are
// answered 500; known ones in the wrong state 503 (or kept until a transfer ends: see ServerSession).
#pragma once

#include <string_view>
#include <vector>

#include "text/command_table.hpp"

namespace endhost::ftp {

enum class State {
  NeedUser,      // after the greeting, or a failed login
  NeedPassword,  // USER given
  LoggedIn,      // idle, logged in
  Transferring,  // a Transfer is outstanding: only ABOR, STAT, QUIT are answered now
};

enum class Command {
  Abor,
  Acct,
  Allo,
  Appe,
  Auth,
  Cdup,
  Cwd,
  Dele,
  Eprt,
  Epsv,
  Feat,
  Help,
  List,
  Mdtm,
  Mkd,
  Mlsd,
  Mlst,
  Mode,
  Nlst,
  Noop,
  Opts,
  Pass,
  Pasv,
  Pbsz,
  Port,
  Prot,
  Pwd,
  Quit,
  Rein,
  Rest,
  Retr,
  Rmd,
  Rnfr,
  Rnto,
  Site,
  Size,
  Smnt,
  Stat,
  Stor,
  Stou,
  Stru,
  Syst,
  Type,
  User,
};

using CommandTable = text::CommandTable<State, Command>;

// The one table; built once, never changed.
const CommandTable& command_table();

// The verbs HELP lists, in table order (aliases left out).
const std::vector<std::string_view>& help_verbs();

}  // namespace endhost::ftp
