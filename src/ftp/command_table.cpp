#include "ftp/command_table.hpp"

namespace endhost::ftp {
namespace {

using text::TlsRule;
using Spec = CommandTable::Spec;
using States = text::StateSet<State>;

constexpr States kLogin{State::NeedUser, State::NeedPassword, State::LoggedIn};
constexpr States kIdle{State::LoggedIn};
constexpr States kAnyButTransfer{State::NeedUser, State::NeedPassword, State::LoggedIn};
constexpr States kDuringTransfer{State::LoggedIn, State::Transferring};
constexpr States kAlways{State::NeedUser, State::NeedPassword, State::LoggedIn, State::Transferring};

// {verb, id, states, needs login, TLS rule}. Either: answered before AUTH TLS even under --require-tls
// (what a client needs to find out that it must start TLS, and to leave).
const std::initializer_list<Spec> kCommands = {
    // Access control (RFC 959 §4.1.1). USER/PASS need TLS under --require-tls (RFC 4217 §§4, 15).
    {"USER", Command::User, kLogin, false, TlsRule::WhenInsisted},
    {"PASS", Command::Pass, kLogin, false, TlsRule::WhenInsisted},
    {"ACCT", Command::Acct, kAnyButTransfer, false, TlsRule::WhenInsisted},
    {"CWD", Command::Cwd, kIdle, true},
    {"XCWD", Command::Cwd, kIdle, true},
    {"CDUP", Command::Cdup, kIdle, true},
    {"XCUP", Command::Cdup, kIdle, true},
    {"SMNT", Command::Smnt, kIdle, true},
    {"REIN", Command::Rein, kAnyButTransfer, false, TlsRule::Either},
    {"QUIT", Command::Quit, kAlways, false, TlsRule::Either},
    // Transfer parameters (§4.1.2; RFC 2428 §§2–4).
    {"PORT", Command::Port, kIdle, true},
    {"EPRT", Command::Eprt, kIdle, true},
    {"PASV", Command::Pasv, kIdle, true},
    {"EPSV", Command::Epsv, kIdle, true},
    {"TYPE", Command::Type, kIdle, true},
    {"STRU", Command::Stru, kIdle, true},
    {"MODE", Command::Mode, kIdle, true},
    // Service commands (§4.1.3; RFC 1123 §4.1.2.9; RFC 3659).
    {"RETR", Command::Retr, kIdle, true},
    {"STOR", Command::Stor, kIdle, true},
    {"STOU", Command::Stou, kIdle, true},
    {"APPE", Command::Appe, kIdle, true},
    {"ALLO", Command::Allo, kIdle, true},
    {"REST", Command::Rest, kIdle, true},
    {"RNFR", Command::Rnfr, kIdle, true},
    {"RNTO", Command::Rnto, kIdle, true},
    {"ABOR", Command::Abor, kDuringTransfer, true},
    {"DELE", Command::Dele, kIdle, true},
    {"RMD", Command::Rmd, kIdle, true},
    {"XRMD", Command::Rmd, kIdle, true},
    {"MKD", Command::Mkd, kIdle, true},
    {"XMKD", Command::Mkd, kIdle, true},
    {"PWD", Command::Pwd, kIdle, true},
    {"XPWD", Command::Pwd, kIdle, true},
    {"LIST", Command::List, kIdle, true},
    {"NLST", Command::Nlst, kIdle, true},
    {"MLSD", Command::Mlsd, kIdle, true},
    {"MLST", Command::Mlst, kIdle, true},
    {"SIZE", Command::Size, kIdle, true},
    {"MDTM", Command::Mdtm, kIdle, true},
    {"SITE", Command::Site, kIdle, true},
    {"SYST", Command::Syst, kAnyButTransfer, false, TlsRule::Either},
    {"STAT", Command::Stat, kDuringTransfer, true},
    {"HELP", Command::Help, kAnyButTransfer, false, TlsRule::Either},
    {"NOOP", Command::Noop, kAnyButTransfer, false, TlsRule::Either},
    // Extensions (RFC 2389 §§3–4; RFC 4217 §§4, 8, 9). AUTH only before TLS and before login.
    {"FEAT", Command::Feat, kAnyButTransfer, false, TlsRule::Either},
    {"OPTS", Command::Opts, kAnyButTransfer, false, TlsRule::Either},
    {"AUTH", Command::Auth, States{State::NeedUser, State::NeedPassword}, false, TlsRule::RefusedUnderTls},
    {"PBSZ", Command::Pbsz, kAnyButTransfer, false, TlsRule::Either},
    {"PROT", Command::Prot, kAnyButTransfer, false, TlsRule::Either},
};

}  // namespace

const CommandTable& command_table() {
  static const CommandTable table(kCommands);
  return table;
}

const std::vector<std::string_view>& help_verbs() {
  static const std::vector<std::string_view> verbs = [] {
    std::vector<std::string_view> out;
    for (const Spec& c : kCommands) {
      if (c.verb.front() != 'X') out.push_back(c.verb);  // XCWD, XPWD …: RFC 775 aliases
    }
    return out;
  }();
  return verbs;
}

}  // namespace endhost::ftp
