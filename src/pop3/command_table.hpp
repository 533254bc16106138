// The POP3 server's commands in one table (STYLE.md §8): for each verb the states it is allowed in and its
// TLS rule. RFC 1939 (USER, PASS, APOP, STAT, LIST, RETR, DELE, NOOP, RSET, TOP, UIDL, QUIT), RFC 2449
// (CAPA), RFC 2595 (STLS), RFC 5034 (AUTH). The plain-text login rule (TLS or loopback) is the session's: it
// depends on the peer, not on the verb.
#pragma once

#include "text/command_table.hpp"

namespace endhost::pop3 {

// RFC 1939 §3. Update is entered by QUIT in Transaction and lasts until the connection closes.
enum class State { Authorization, Transaction, Update };

enum class Command {
  User,
  Pass,
  Apop,
  Auth,
  Capa,
  Stls,
  Stat,
  List,
  Retr,
  Dele,
  Noop,
  Rset,
  Top,
  Uidl,
  Quit
};

using CommandTable = text::CommandTable<State, Command>;

// The one table; built once, never changed.
const CommandTable& command_table();

}  // namespace endhost::pop3
