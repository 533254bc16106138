// A line protocol's commands in one table, as Postfix's smtpd_cmd_table: for each verb the session states it
// is allowed in, whether it needs authentication, its TLS rule, and whether it ends a pipelined group. The
// lookup tells apart the replies a session owes: unknown command, not now, authenticate first, TLS first.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <type_traits>
#include <vector>

#include "text/verb.hpp"

namespace endhost::text {

// A set of a protocol's session states (an enum with at most 64 values, numbered from 0).
template <class State>
requires std::is_enum_v<State>
class StateSet {
 public:
  constexpr StateSet(std::initializer_list<State> states) {
    for (const State s : states) bits_ |= bit(s);
  }
  static constexpr StateSet all() {
    StateSet set({});
    set.bits_ = ~std::uint64_t{0};
    return set;
  }
  constexpr bool contains(State s) const { return (bits_ & bit(s)) != 0; }

 private:
  static constexpr std::uint64_t bit(State s) { return std::uint64_t{1} << static_cast<unsigned>(s); }
  std::uint64_t bits_ = 0;
};

enum class TlsRule {
  WhenInsisted,     // needs TLS when the session insists on it (SMTP `encrypt`, FTP `require TLS`): most
                    // commands
  Either,           // allowed before TLS even then (Postfix's PRE_TLS): EHLO, HELO, NOOP, QUIT, CAPA…
  Required,         // always needs TLS: plain-text passwords under a TLS-only policy (IMAP LOGINDISABLED)
  RefusedUnderTls,  // STARTTLS, STLS, AUTH TLS: only before TLS (RFC 3207 §4.2, RFC 2595 §3.1, RFC 4217 §4)
};

template <class State, class Id = int>
struct CommandSpec {
  std::string_view verb;  // upper case; matched case-insensitively
  Id id{};                // what the session dispatches on
  StateSet<State> states = StateSet<State>::all();
  bool needs_auth = false;
  TlsRule tls = TlsRule::WhenInsisted;
  // RFC 2920 §3.1: EHLO, DATA, VRFY, EXPN, TURN, QUIT and NOOP (and STARTTLS, AUTH) end a group: the client
  // waits for their reply, so input after them in the same read is out of turn.
  bool ends_group = false;
};

template <class State>
struct SessionContext {
  State state{};
  bool authenticated = false;
  bool tls_active = false;
  bool tls_insisted = false;  // the server's policy refuses most commands before TLS
};

enum class Verdict { Allowed, Unknown, WrongState, NeedsAuth, NeedsTls, RefusedUnderTls };

template <class State, class Id = int>
class CommandTable {
 public:
  using Spec = CommandSpec<State, Id>;

  CommandTable(std::initializer_list<Spec> commands) : commands_(commands) {}

  struct Lookup {
    Verdict verdict = Verdict::Unknown;
    const Spec* command = nullptr;  // null when unknown
    std::string_view args;          // after the verb's space
  };

  // Looks up the first word of `line` (for IMAP, the line after its tag). Security rules first, so that a
  // client that has not started TLS or logged in learns nothing about the rest.
  Lookup lookup(std::string_view line, const SessionContext<State>& context) const {
    const Verb verb = split_verb(line);
    Lookup result;
    result.args = verb.args;
    result.command = find(verb.verb);
    if (result.command == nullptr) return result;
    const Spec& c = *result.command;
    if (context.tls_active && c.tls == TlsRule::RefusedUnderTls) {
      result.verdict = Verdict::RefusedUnderTls;
    } else if (!context.tls_active &&
               (c.tls == TlsRule::Required || (context.tls_insisted && c.tls == TlsRule::WhenInsisted))) {
      result.verdict = Verdict::NeedsTls;
    } else if (c.needs_auth && !context.authenticated) {
      result.verdict = Verdict::NeedsAuth;
    } else if (!c.states.contains(context.state)) {
      result.verdict = Verdict::WrongState;
    } else {
      result.verdict = Verdict::Allowed;
    }
    return result;
  }

  const Spec* find(std::string_view verb) const {
    for (const Spec& c : commands_) {
      if (iequals(c.verb, verb)) return &c;
    }
    return nullptr;
  }

 private:
  std::vector<Spec> commands_;
};

}  // namespace endhost::text
