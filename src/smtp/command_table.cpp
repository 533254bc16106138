#include "smtp/command_table.hpp"

namespace endhost::smtp {
namespace {

using text::TlsRule;
using Spec = CommandTable::Spec;
using States = text::StateSet<State>;

constexpr States kAny{State::Start, State::Ready, State::Mail, State::Rcpt, State::Bdat};
constexpr States kNotInBdat{State::Start, State::Ready, State::Mail, State::Rcpt};

// {verb, id, states, needs auth, TLS rule, ends a pipelined group}. Either: answered before STARTTLS even
// when TLS is insisted on (Postfix's PRE_TLS), what a client needs to learn that it must start TLS, and to
// leave. Wrong-state answers are the session's (503 with Postfix's texts).
const std::initializer_list<Spec> kCommands = {
    {"HELO", Command::Helo, kNotInBdat, false, TlsRule::Either, false},
    {"EHLO", Command::Ehlo, kNotInBdat, false, TlsRule::Either, true},
    {"STARTTLS", Command::StartTls, {State::Start, State::Ready}, false, TlsRule::RefusedUnderTls, true},
    {"AUTH", Command::Auth, {State::Ready}, false, TlsRule::WhenInsisted, true},
    {"MAIL", Command::Mail, {State::Ready}, false, TlsRule::WhenInsisted, false},
    {"RCPT", Command::Rcpt, {State::Mail, State::Rcpt}, false, TlsRule::WhenInsisted, false},
    {"DATA", Command::Data, {State::Rcpt}, false, TlsRule::WhenInsisted, true},
    // RFC 3030 §4.2: BDAT may be pipelined (the client need not wait between chunks).
    {"BDAT", Command::Bdat, {State::Rcpt, State::Bdat}, false, TlsRule::WhenInsisted, false},
    {"RSET", Command::Rset, kAny, false, TlsRule::WhenInsisted, false},
    {"VRFY", Command::Vrfy, kNotInBdat, false, TlsRule::WhenInsisted, true},
    {"EXPN", Command::Expn, kNotInBdat, false, TlsRule::WhenInsisted, true},
    {"HELP", Command::Help, kAny, false, TlsRule::Either, false},
    {"NOOP", Command::Noop, kAny, false, TlsRule::Either, true},
    {"QUIT", Command::Quit, kAny, false, TlsRule::Either, true},
};

}  // namespace

const CommandTable& command_table() {
  static const CommandTable table(kCommands);
  return table;
}

}  // namespace endhost::smtp
