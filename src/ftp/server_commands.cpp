// The command handlers of ServerSession: one function per verb, dispatched from the command table's verdict.
// Each either replies at once or returns the Action whose completion (server_session.cpp, fs_result here)
// replies later.
#include <chrono>
#include <string>

#include "ftp/server_session.hpp"
#include "ftp/server_texts.hpp"
#include "ftp/virtual_path.hpp"
#include "text/verb.hpp"

namespace endhost::ftp {

using action::TransferKind;

namespace {

bool is_digits(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  if (!is_digits(s) || s.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  for (const char c : s) {
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

// RFC 3659 §2.3: time-val = 14DIGIT, YYYYMMDDHHMMSS in UTC.
std::string time_val(core::WallTime t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(t - day);
  const auto two = [](long v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  int year = static_cast<int>(ymd.year());
  if (year < 0) year = 0;
  std::string y = std::to_string(year);
  while (y.size() < 4) y.insert(y.begin(), '0');
  return y + two(static_cast<unsigned>(ymd.month())) + two(static_cast<unsigned>(ymd.day())) +
         two(hms.hours().count()) + two(hms.minutes().count()) +
         two(static_cast<long>(hms.seconds().count()));
}

std::string facts_list(const MlstFacts& f, bool stars) {
  std::string out;
  const auto add = [&](std::string_view name, bool on) {
    if (!stars && !on) return;
    out += name;
    if (stars && on) out += '*';
    out += ';';
  };
  add("type", f.type);
  add("size", f.size);
  add("modify", f.modify);
  add("perm", f.perm);
  add("unix.mode", f.unix_mode);
  return out;
}

// `-la`, `-la dir`, `dir`: LIST and NLST take ls options first, as every client sends them (vsftpd too).
std::pair<std::string_view, std::string_view> split_list_args(std::string_view args) {
  if (args.empty() || args.front() != '-') return {{}, args};
  const std::size_t space = args.find(' ');
  if (space == std::string_view::npos) return {args, {}};
  return {args.substr(0, space), args.substr(space + 1)};
}

}  // namespace

struct ServerSession::Impl {
  using S = ServerSession;

  static Action syntax(S& s) {
    s.reply(501, texts::kSyntax);
    return action::None{};
  }

  // The argument resolved against cwd, or a 501 already written.
  static std::optional<std::string> path(S& s, std::string_view arg) {
    auto p = resolve_path(s.cwd_, arg, s.config_.limits.max_path);
    if (!p) {
      s.reply(501, texts::kBadPath);
      return std::nullopt;
    }
    return std::move(*p);
  }

  // Deleting, renaming, making directories, chmod: logged-in users of a --writable server only.
  static bool may_modify(S& s) {
    if (!s.anonymous_ && s.config_.writable) return true;
    s.reply(550, texts::kPermissionDenied);
    return false;
  }

  // Uploads: users of a --writable server; anonymous ones STOR/STOU only, inside the upload directory.
  static bool may_upload(S& s, TransferKind kind, const std::string& target) {
    bool ok = s.config_.writable;
    if (ok && s.anonymous_) {
      const auto dir = resolve_path("/", s.config_.anon_upload_dir);
      ok = !s.config_.anon_upload_dir.empty() && dir && is_within(target, *dir) &&
           (kind == TransferKind::Stou || target != *dir) &&
           (kind == TransferKind::Stor || kind == TransferKind::Stou);
    }
    if (!ok) s.reply(550, texts::kPermissionDenied);
    return ok;
  }

  static Action fs(S& s, action::FsOp op, std::string p, std::string_view arg, std::string p2 = {},
                   std::uint32_t mode = 0) {
    s.fs_ = action::Fs{op, std::move(p), std::move(p2), mode, s.facts_};
    s.fs_arg_ = std::string(arg);
    s.pending_ = Pending::Fs;
    return s.fs_;
  }

  // RFC 959 §4.1.1.
  static Action user(S& s, std::string_view arg) {
    if (s.state_ == State::LoggedIn) {
      s.reply(530, texts::kCannotChangeUser);
      return action::None{};
    }
    if (arg.empty() || arg.size() > 256) return syntax(s);
    if (text::iequals(arg, "anonymous") || text::iequals(arg, "ftp")) {  // RFC 1635
      if (!s.config_.anonymous) {
        s.state_ = State::NeedUser;
        s.reply(530, texts::kNoAnonymous);
        return action::None{};
      }
      s.anonymous_ = true;
      s.user_ = "anonymous";
    } else {
      s.anonymous_ = false;
      s.user_ = std::string(arg);
    }
    s.state_ = State::NeedPassword;
    s.reply(331, texts::kSpecifyPassword);
    return action::None{};
  }

  static Action pass(S& s, std::string_view arg) {
    if (s.state_ == State::NeedUser) {
      s.reply(503, texts::kUserFirst);
      return action::None{};
    }
    if (s.state_ == State::LoggedIn) {
      s.reply(230, texts::kAlreadyLoggedIn);
      return action::None{};
    }
    s.pending_ = Pending::Login;
    return action::VerifyLogin{s.user_, std::string(arg), s.anonymous_};
  }

  // RFC 959 §4.1.2.
  static Action type(S& s, std::string_view arg) {
    const text::Verb v = text::split_verb(arg);
    if (v.verb.empty()) return syntax(s);
    if (text::iequals(v.verb, "A") && (v.args.empty() || text::iequals(v.args, "N"))) {
      s.ascii_ = true;
      s.reply(200, texts::kAscii);
    } else if ((text::iequals(v.verb, "I") && v.args.empty()) ||
               (text::iequals(v.verb, "L") && v.args == "8")) {
      s.ascii_ = false;
      s.reply(200, texts::kBinary);
    } else {
      s.reply(504, texts::kBadType);
    }
    return action::None{};
  }

  static Action mode(S& s, std::string_view arg) {
    if (arg.empty()) return syntax(s);
    s.reply(text::iequals(arg, "S") ? 200 : 504, text::iequals(arg, "S") ? texts::kModeOk : texts::kBadMode);
    return action::None{};
  }

  static Action stru(S& s, std::string_view arg) {
    if (arg.empty()) return syntax(s);
    s.reply(text::iequals(arg, "F") ? 200 : 504, text::iequals(arg, "F") ? texts::kStruOk : texts::kBadStru);
    return action::None{};
  }

  // RFC 2577 §3: a data connection only to the client itself, never to a privileged port (504).
  static Action active(S& s, const HostPort& hp, std::string_view ok_text) {
    if (!same_host(hp.address, s.config_.peer_address) || hp.port < 1024) {
      s.reply(504, texts::kPortRefused);
      return action::None{};
    }
    s.data_ = DataSetup::Active;
    s.reply(200, ok_text);
    // The dial target in its canonical form: EPRT's `::ffff:a.b.c.d` is the IPv4 host a.b.c.d.
    HostPort target = hp;
    if (const auto canonical = canonical_ip(hp.address)) target.address = *canonical;
    return action::ConnectActive{target};
  }

  static Action port(S& s, std::string_view arg) {
    if (s.epsv_all_) {  // RFC 2428 §4
      s.reply(501, texts::kPortAfterEpsvAll);
      return action::None{};
    }
    const auto hp = parse_port_argument(arg);
    if (!hp) {
      s.reply(501, texts::kBadPort);
      return action::None{};
    }
    return active(s, *hp, texts::kPortOk);
  }

  static Action eprt(S& s, std::string_view arg) {
    if (s.epsv_all_) {
      s.reply(501, texts::kEprtAfterEpsvAll);
      return action::None{};
    }
    const auto hp = parse_eprt_argument(arg);
    if (!hp) {
      if (hp.error() == HostPortError::UnsupportedProtocol) {
        s.reply(522, texts::kEprtProtocols);  // RFC 2428 §2
      } else {
        s.reply(501, texts::kBadEprt);
      }
      return action::None{};
    }
    return active(s, *hp, texts::kEprtOk);
  }

  static Action pasv(S& s) {
    if (s.epsv_all_) {
      s.reply(501, texts::kPasvAfterEpsvAll);
      return action::None{};
    }
    const auto local = canonical_ip(s.config_.local_address);
    if (!local || local->find(':') != std::string::npos) {  // 227 can only say IPv4 (RFC 2428 §1)
      s.reply(425, texts::kPasvNeedsIpv4);
      return action::None{};
    }
    s.passive_extended_ = false;
    s.pending_ = Pending::Passive;
    return action::OpenPassive{false};
  }

  // RFC 2428 §3: `EPSV`, `EPSV <net-prt>` (must be the control connection's family), `EPSV ALL` (§4).
  static Action epsv(S& s, std::string_view arg) {
    if (text::iequals(arg, "ALL")) {
      s.epsv_all_ = true;
      s.reply(200, texts::kEpsvAll);
      return action::None{};
    }
    if (!arg.empty()) {
      if (arg != "1" && arg != "2") {
        if (is_digits(arg)) {
          s.reply(522, texts::kEpsvProtocol);
          return action::None{};
        }
        return syntax(s);
      }
      const auto peer = canonical_ip(s.config_.peer_address);
      const bool v6 = peer && peer->find(':') != std::string::npos;
      if ((arg == "2") != v6) {
        s.reply(522,
                v6 ? "Network protocol not supported, use (2)" : "Network protocol not supported, use (1)");
        return action::None{};
      }
    }
    s.passive_extended_ = true;
    s.pending_ = Pending::Passive;
    return action::OpenPassive{true};
  }

  // RFC 959 §4.1.3 and RFC 3659 §5 (REST STREAM).
  static Action rest(S& s, std::string_view arg) {
    const auto n = parse_u64(arg);
    if (!n) {
      s.reply(501, texts::kBadRest);
      return action::None{};
    }
    s.rest_ = *n;
    s.reply(350, "Restart position accepted (" + std::to_string(*n) + ").");
    return action::None{};
  }

  static Action transfer(S& s, TransferKind kind, std::string_view arg) {
    std::string options;
    std::string_view path_arg = arg;
    const bool listing =
        kind == TransferKind::List || kind == TransferKind::Nlst || kind == TransferKind::Mlsd;
    if (kind == TransferKind::List || kind == TransferKind::Nlst) {
      const auto [opts, rest_arg] = split_list_args(arg);
      options = std::string(opts);
      path_arg = rest_arg;
    }
    if (kind == TransferKind::Stou) path_arg = {};  // RFC 1123 §4.1.2.9: the server names the file (in cwd)
    if (!listing && kind != TransferKind::Stou && arg.empty()) return syntax(s);
    auto p = path(s, path_arg);
    if (!p) return action::None{};
    const bool upload =
        kind == TransferKind::Stor || kind == TransferKind::Appe || kind == TransferKind::Stou;
    if (upload && !may_upload(s, kind, *p)) return action::None{};
    if (s.data_ == DataSetup::None) {
      s.reply(425, texts::kUsePasvFirst);
      return action::None{};
    }
    if (s.config_.tls_required && !s.prot_private_) {
      s.reply(521, texts::kDataMustBeTls);  // RFC 4217 §9: not with this PROT setting
      return action::None{};
    }
    action::Transfer t;
    t.kind = kind;
    t.path = std::move(*p);
    // REST applies to the next RETR or STOR (RFC 3659 §5.3); APPE appends at the end whatever it says.
    t.offset = (kind == TransferKind::Retr || kind == TransferKind::Stor) ? s.rest_ : 0;
    s.rest_ = 0;
    t.ascii = s.ascii_ && !listing;
    t.protected_data = s.prot_private_;
    t.exclusive = s.anonymous_ && upload;  // anonymous uploads never replace a file
    t.list_options = std::move(options);
    t.facts = s.facts_;
    s.transfer_ = t;
    s.transfer_arg_ = std::string(kind == TransferKind::Stou ? std::string_view() : arg);
    s.transfer_started_ = false;
    s.abort_requested_ = false;
    s.quit_after_transfer_ = false;
    s.transferred_ = 0;
    s.pending_ = Pending::Transfer;
    s.state_ = State::Transferring;
    return t;
  }

  static Action abor(S& s) {
    if (s.state_ != State::Transferring) {
      s.reply(225, texts::kNoTransferToAbort);
      return action::None{};
    }
    if (s.abort_requested_) return action::None{};
    s.abort_requested_ = true;
    return action::Abort{};
  }

  static Action stat(S& s, std::string_view arg) {
    if (s.state_ == State::Transferring) {  // RFC 959 §4.1.3 STAT: the status of the transfer in progress
      s.reply(213, "Status: " + std::to_string(s.transferred_) + " bytes transferred.");
      return action::None{};
    }
    if (!arg.empty()) {
      auto p = path(s, split_list_args(arg).second);
      if (!p) return action::None{};
      return fs(s, action::FsOp::StatList, std::move(*p), arg);
    }
    std::vector<std::string> lines;
    lines.push_back("Connected to " + s.config_.peer_address);
    lines.push_back("Logged in as " + s.user_);
    lines.push_back(std::string("TYPE: ") + (s.ascii_ ? "ASCII" : "BINARY"));
    lines.push_back(std::string("Control connection is ") + (s.tls_active_ ? "TLS" : "plain text"));
    lines.push_back(std::string("Data connections will be ") + (s.prot_private_ ? "TLS" : "plain text"));
    lines.push_back(s.config_.server_name + " FTP");
    s.reply_lines(211, "FTP server status:", lines, "End of status");
    return action::None{};
  }

  static Action help(S& s) {
    std::vector<std::string> lines;
    std::string line;
    int n = 0;
    for (const std::string_view verb : help_verbs()) {
      if (n > 0) line += ' ';
      line += verb;
      if (++n == 8) {
        lines.push_back(std::move(line));
        line.clear();
        n = 0;
      }
    }
    if (!line.empty()) lines.push_back(std::move(line));
    s.reply_lines(214, "The following commands are recognized.", lines, "Help OK.");
    return action::None{};
  }

  // RFC 2389 §3: each feature on its own line, starting with a space.
  static Action feat(S& s) {
    std::vector<std::string> lines;
    if (s.config_.tls_available) lines.emplace_back("AUTH TLS");
    lines.emplace_back("EPRT");
    lines.emplace_back("EPSV");
    lines.emplace_back("MDTM");
    lines.push_back("MLST " + facts_list(s.facts_, true));
    lines.emplace_back("PASV");
    if (s.config_.tls_available) lines.emplace_back("PBSZ");
    if (s.config_.tls_available) lines.emplace_back("PROT");
    lines.emplace_back("REST STREAM");
    lines.emplace_back("SIZE");
    lines.emplace_back("TVFS");
    lines.emplace_back("UTF8");
    s.reply_lines(211, "Features:", lines, "End");
    return action::None{};
  }

  // RFC 2389 §4; RFC 2640 §3.2 (UTF8: always on here); RFC 3659 §7.9 (MLST facts).
  static Action opts(S& s, std::string_view arg) {
    const text::Verb v = text::split_verb(arg);
    if (text::iequals(v.verb, "UTF8") && (v.args.empty() || text::iequals(v.args, "ON"))) {
      s.reply(200, texts::kUtf8);
      return action::None{};
    }
    if (text::iequals(v.verb, "MLST")) {
      MlstFacts f{false, false, false, false, false};
      std::string_view list = v.args;
      while (!list.empty()) {
        const std::size_t semi = list.find(';');
        const std::string_view name = list.substr(0, semi);
        list = semi == std::string_view::npos ? std::string_view() : list.substr(semi + 1);
        if (text::iequals(name, "type")) f.type = true;
        if (text::iequals(name, "size")) f.size = true;
        if (text::iequals(name, "modify")) f.modify = true;
        if (text::iequals(name, "perm")) f.perm = true;
        if (text::iequals(name, "unix.mode")) f.unix_mode = true;
      }
      s.facts_ = f;
      const std::string chosen = facts_list(f, false);
      s.reply(200, chosen.empty() ? std::string("MLST OPTS") : "MLST OPTS " + chosen);
      return action::None{};
    }
    s.reply(501, texts::kBadOpts);
    return action::None{};
  }

  // RFC 4217 §4.
  static Action auth(S& s, std::string_view arg) {
    if (!(text::iequals(arg, "TLS") || text::iequals(arg, "TLS-C") || text::iequals(arg, "SSL"))) {
      s.reply(504, texts::kAuthUnknown);
      return action::None{};
    }
    if (!s.config_.tls_available) {
      s.reply(502, texts::kAuthUnavailable);
      return action::None{};
    }
    s.reply(234, texts::kAuthOk);
    s.pending_ = Pending::Tls;
    s.deferred_.clear();  // sent in the clear after AUTH: never acted on
    return action::StartTls{};
  }

  // RFC 4217 §8: PBSZ 0 is the only size for TLS.
  static Action pbsz(S& s, std::string_view arg) {
    if (!s.tls_active_) {
      s.reply(503, texts::kPbszInsecure);
      return action::None{};
    }
    if (!is_digits(arg) || arg.size() > 10) return syntax(s);
    s.pbsz_ = true;
    s.reply(200, "PBSZ=0");
    return action::None{};
  }

  // RFC 4217 §9.
  static Action prot(S& s, std::string_view arg) {
    if (!s.tls_active_) {
      s.reply(503, texts::kProtInsecure);
      return action::None{};
    }
    if (!s.pbsz_) {
      s.reply(503, texts::kProtNeedsPbsz);
      return action::None{};
    }
    if (text::iequals(arg, "C")) {
      if (s.config_.tls_required) {
        s.reply(534, texts::kProtClearRefused);  // RFC 4217 §9: denied for policy reasons
        return action::None{};
      }
      s.prot_private_ = false;
      s.reply(200, texts::kProtClear);
    } else if (text::iequals(arg, "P")) {
      s.prot_private_ = true;
      s.reply(200, texts::kProtPrivate);
    } else if (text::iequals(arg, "S") || text::iequals(arg, "E")) {
      s.reply(536, texts::kProtUnsupported);
    } else if (arg.empty()) {
      return syntax(s);
    } else {
      s.reply(504, texts::kProtUnknown);
    }
    return action::None{};
  }

  static Action site(S& s, std::string_view arg) {
    const text::Verb v = text::split_verb(arg);
    if (text::iequals(v.verb, "HELP")) {
      s.reply(214, "CHMOD HELP");
      return action::None{};
    }
    if (!text::iequals(v.verb, "CHMOD")) {
      s.reply(500, texts::kBadSite);
      return action::None{};
    }
    const text::Verb m = text::split_verb(v.args);
    std::uint32_t mode = 0;
    if (m.verb.empty() || m.verb.size() > 4 || m.args.empty()) return syntax(s);
    for (const char c : m.verb) {
      if (c < '0' || c > '7') return syntax(s);
      mode = mode * 8 + static_cast<std::uint32_t>(c - '0');
    }
    if (!may_modify(s)) return action::None{};
    auto p = path(s, m.args);
    if (!p) return action::None{};
    return fs(s, action::FsOp::Chmod, std::move(*p), m.args, {}, mode);
  }

  static Action simple_fs(S& s, Command cmd, std::string_view arg) {
    using action::FsOp;
    if (cmd == Command::Cdup) {
      auto p = path(s, "..");
      if (!p) return action::None{};
      return fs(s, FsOp::ChangeDir, std::move(*p), "..");
    }
    if (cmd == Command::Mlst) {  // RFC 3659 §7.1: no argument is the current directory
      auto p = path(s, arg);
      if (!p) return action::None{};
      return fs(s, FsOp::Facts, std::move(*p), arg);
    }
    if (arg.empty()) return syntax(s);
    FsOp op = FsOp::ChangeDir;
    switch (cmd) {
      case Command::Cwd:
        op = FsOp::ChangeDir;
        break;
      case Command::Mkd:
        op = FsOp::MakeDir;
        break;
      case Command::Rmd:
        op = FsOp::RemoveDir;
        break;
      case Command::Dele:
        op = FsOp::Delete;
        break;
      case Command::Rnfr:
        op = FsOp::RenameFrom;
        break;
      case Command::Size:
        op = FsOp::Size;
        break;
      case Command::Mdtm:
        op = FsOp::ModTime;
        break;
      default:
        return syntax(s);
    }
    if ((op == FsOp::MakeDir || op == FsOp::RemoveDir || op == FsOp::Delete || op == FsOp::RenameFrom) &&
        !may_modify(s)) {
      return action::None{};
    }
    auto p = path(s, arg);
    if (!p) return action::None{};
    return fs(s, op, std::move(*p), arg);
  }

  static Action rnto(S& s, std::string_view arg) {
    if (!s.rename_from_) {  // RFC 959 §4.1.3: RNTO must follow RNFR at once
      s.reply(503, texts::kRnfrFirst);
      return action::None{};
    }
    std::string from = std::move(*s.rename_from_);
    s.rename_from_.reset();
    if (arg.empty()) return syntax(s);
    if (!may_modify(s)) return action::None{};
    auto p = path(s, arg);
    if (!p) return action::None{};
    return fs(s, action::FsOp::RenameTo, std::move(from), arg, std::move(*p));
  }

  static Action handle(S& s, Command cmd, std::string_view arg) {
    switch (cmd) {
      case Command::User:
        return user(s, arg);
      case Command::Pass:
        return pass(s, arg);
      case Command::Acct:
        s.reply(502, texts::kAcct);
        return action::None{};
      case Command::Rein:
        s.reply(502, texts::kRein);
        return action::None{};
      case Command::Smnt:
        s.reply(502, texts::kSmnt);
        return action::None{};
      case Command::Quit:
        if (s.state_ == State::Transferring) {  // RFC 959 §4.1.1: answer the transfer first, then close
          s.quit_after_transfer_ = true;
          return action::None{};
        }
        return s.close_after_reply(221, texts::kGoodbye);
      case Command::Port:
        return port(s, arg);
      case Command::Eprt:
        return eprt(s, arg);
      case Command::Pasv:
        return pasv(s);
      case Command::Epsv:
        return epsv(s, arg);
      case Command::Type:
        return type(s, arg);
      case Command::Stru:
        return stru(s, arg);
      case Command::Mode:
        return mode(s, arg);
      case Command::Retr:
        return transfer(s, TransferKind::Retr, arg);
      case Command::Stor:
        return transfer(s, TransferKind::Stor, arg);
      case Command::Stou:
        return transfer(s, TransferKind::Stou, arg);
      case Command::Appe:
        return transfer(s, TransferKind::Appe, arg);
      case Command::List:
        return transfer(s, TransferKind::List, arg);
      case Command::Nlst:
        return transfer(s, TransferKind::Nlst, arg);
      case Command::Mlsd:
        return transfer(s, TransferKind::Mlsd, arg);
      case Command::Allo:
        s.reply(202, texts::kAllo);
        return action::None{};
      case Command::Rest:
        return rest(s, arg);
      case Command::Rnto:
        return rnto(s, arg);
      case Command::Abor:
        return abor(s);
      case Command::Pwd:
        s.reply(257, quote_path(s.cwd_) + " is the current directory");
        return action::None{};
      case Command::Site:
        return site(s, arg);
      case Command::Syst:
        s.reply(215, texts::kSyst);
        return action::None{};
      case Command::Stat:
        return stat(s, arg);
      case Command::Help:
        return help(s);
      case Command::Noop:
        s.reply(200, texts::kNoop);
        return action::None{};
      case Command::Feat:
        return feat(s);
      case Command::Opts:
        return opts(s, arg);
      case Command::Auth:
        return auth(s, arg);
      case Command::Pbsz:
        return pbsz(s, arg);
      case Command::Prot:
        return prot(s, arg);
      case Command::Cwd:
      case Command::Cdup:
      case Command::Mkd:
      case Command::Rmd:
      case Command::Dele:
      case Command::Rnfr:
      case Command::Size:
      case Command::Mdtm:
      case Command::Mlst:
        return simple_fs(s, cmd, arg);
    }
    s.reply(500, texts::kUnknown);
    return action::None{};
  }

  // RFC 959 §4.2: 452 insufficient storage, 451 local error, else 550 with the operation's text.
  static Action fs_failed(S& s, const FsResult& r, std::string_view text) {
    if (r.error == FsError::NoSpace) {
      s.reply(452, texts::kNoSpace);
    } else if (r.error == FsError::Io) {
      s.reply(451, texts::kLocalError);
    } else {
      s.reply(550, text);
    }
    return action::None{};
  }
};

Action ServerSession::dispatch(std::string_view line) {
  const text::SessionContext<State> context{state_, logged_in(), tls_active_, config_.tls_required};
  const auto look = command_table().lookup(line, context);
  switch (look.verdict) {
    case text::Verdict::Unknown:
      reply(500, texts::kUnknown);
      return action::None{};
    case text::Verdict::NeedsTls:
      reply(530, texts::kNeedTls);
      return action::None{};  // RFC 4217 §4: a server may insist on AUTH before USER
    case text::Verdict::RefusedUnderTls:
      reply(503, texts::kAlreadyTls);
      return action::None{};
    case text::Verdict::NeedsAuth:
      reply(530, texts::kNotLoggedIn);
      return action::None{};
    case text::Verdict::WrongState:
      reply(503, look.command->id == Command::Auth ? texts::kAuthAfterLogin : texts::kBadSequence);
      return action::None{};
    case text::Verdict::Allowed:
      break;
  }
  const Command cmd = look.command->id;
  if (cmd != Command::Rnto) rename_from_.reset();
  return Impl::handle(*this, cmd, look.args);
}

Action ServerSession::finish_fs(const FsResult& r) {
  using action::FsOp;
  if (pending_ != Pending::Fs) return action::None{};
  pending_ = Pending::None;
  const bool ok = r.error == FsError::None;
  switch (fs_.op) {
    case FsOp::ChangeDir:
      if (!ok) return Impl::fs_failed(*this, r, texts::kCwdFailed);
      cwd_ = fs_.path;
      reply(250, texts::kCwdOk);
      break;
    case FsOp::MakeDir:
      if (!ok) return Impl::fs_failed(*this, r, texts::kMkdFailed);
      reply(257, quote_path(fs_.path) + " created");  // RFC 959 Appendix II
      break;
    case FsOp::RemoveDir:
      if (!ok) return Impl::fs_failed(*this, r, texts::kRmdFailed);
      reply(250, texts::kRmdOk);
      break;
    case FsOp::Delete:
      if (!ok) return Impl::fs_failed(*this, r, texts::kDeleFailed);
      reply(250, texts::kDeleOk);
      break;
    case FsOp::RenameFrom:
      if (!ok) return Impl::fs_failed(*this, r, texts::kRnfrFailed);
      rename_from_ = fs_.path;
      reply(350, texts::kRnfrOk);
      break;
    case FsOp::RenameTo:
      if (!ok) return Impl::fs_failed(*this, r, texts::kRntoFailed);
      reply(250, texts::kRntoOk);
      break;
    case FsOp::Size:
      if (!ok) return Impl::fs_failed(*this, r, texts::kSizeFailed);
      reply(213, std::to_string(r.size));  // RFC 3659 §4.2
      break;
    case FsOp::ModTime:
      if (!ok) return Impl::fs_failed(*this, r, texts::kMdtmFailed);
      reply(213, time_val(r.mtime));  // RFC 3659 §3.2
      break;
    case FsOp::Facts:
      if (!ok || r.lines.empty()) return Impl::fs_failed(*this, r, texts::kMlstFailed);
      reply_lines(250, "Listing " + (fs_arg_.empty() ? fs_.path : fs_arg_), r.lines, "End");  // RFC 3659 §7.2
      break;
    case FsOp::StatList:
      if (!ok) return Impl::fs_failed(*this, r, texts::kMlstFailed);
      reply_lines(213, "Status follows:", r.lines, "End of status");
      break;
    case FsOp::Chmod:
      if (!ok) return Impl::fs_failed(*this, r, texts::kChmodFailed);
      reply(200, texts::kChmodOk);
      break;
  }
  return action::None{};
}

}  // namespace endhost::ftp
