#include "pop3/command_table.hpp"

namespace endhost::pop3 {
namespace {

using text::TlsRule;
using Spec = CommandTable::Spec;
using States = text::StateSet<State>;

constexpr States kAuthorization{State::Authorization};
constexpr States kTransaction{State::Transaction};
constexpr States kBoth{State::Authorization, State::Transaction};

// {verb, id, states, needs auth, TLS rule, ends a group}. POP3 has no group rule (RFC 2449 §6.6: the
// server answers pipelined commands in order); STLS drops what was sent behind it (RFC 2595 §4, in the I/O).
const std::initializer_list<Spec> kCommands = {
    {"USER", Command::User, kAuthorization, false, TlsRule::WhenInsisted, false},
    {"PASS", Command::Pass, kAuthorization, false, TlsRule::WhenInsisted, false},
    {"APOP", Command::Apop, kAuthorization, false, TlsRule::WhenInsisted, false},
    {"AUTH", Command::Auth, kAuthorization, false, TlsRule::WhenInsisted, false},
    {"STLS", Command::Stls, kAuthorization, false, TlsRule::RefusedUnderTls, false},
    {"CAPA", Command::Capa, kBoth, false, TlsRule::Either, false},
    {"QUIT", Command::Quit, kBoth, false, TlsRule::Either, false},
    {"STAT", Command::Stat, kTransaction, false, TlsRule::WhenInsisted, false},
    {"LIST", Command::List, kTransaction, false, TlsRule::WhenInsisted, false},
    {"RETR", Command::Retr, kTransaction, false, TlsRule::WhenInsisted, false},
    {"DELE", Command::Dele, kTransaction, false, TlsRule::WhenInsisted, false},
    {"NOOP", Command::Noop, kTransaction, false, TlsRule::WhenInsisted, false},
    {"RSET", Command::Rset, kTransaction, false, TlsRule::WhenInsisted, false},
    {"TOP", Command::Top, kTransaction, false, TlsRule::WhenInsisted, false},
    {"UIDL", Command::Uidl, kTransaction, false, TlsRule::WhenInsisted, false},
};

}  // namespace

const CommandTable& command_table() {
  static const CommandTable table(kCommands);
  return table;
}

}  // namespace endhost::pop3
