// The IMAP session's input side, states and the commands that need no message bodies. FETCH is in
// fetch.cpp, SEARCH in search.cpp, the mailbox commands (LIST, STATUS, APPEND, COPY…) in mailboxes.cpp.
#include "imap/session/session.hpp"

#include <algorithm>

#include "imap/command_parser.hpp"
#include "imap/session/running.hpp"
#include "smtp/sasl.hpp"

namespace endhost::imap {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 32);
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 32);
    if (x != y) return false;
  }
  return true;
}

// The first two or three words of a command line: its tag and name (after UID). For literals, before
// the command is whole, to know whether it is an APPEND and whose tag a refusal carries.
struct Head {
  std::string_view tag, name;
};
Head head_of(std::string_view text) {
  Head h;
  auto word = [&text]() {
    const std::size_t sp = text.find(' ');
    std::string_view w = text.substr(0, sp);
    text = sp == std::string_view::npos ? std::string_view() : text.substr(sp + 1);
    return w;
  };
  h.tag = word();
  h.name = word();
  if (iequals(h.name, "UID")) h.name = word();
  return h;
}

bool valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 64) return false;
  for (unsigned char c : tag) {
    if (c <= 0x20 || c >= 0x7f || c == '(' || c == ')' || c == '{' || c == '%' || c == '*' || c == '"' ||
        c == '\\' || c == '+')
      return false;
  }
  return true;
}

}  // namespace

Session::Session(SessionConfig config, Directory& directory)
    : config_(std::move(config)), directory_(directory), tls_active_(config_.tls_active) {}

Session::~Session() = default;

text::ReaderConfig Session::reader_config() const {
  text::ReaderConfig rc;
  rc.literals = true;
  rc.limits.max_line = config_.max_line;
  rc.limits.max_buffer = std::max<std::size_t>(64 * 1024, config_.max_line + 2);
  // The session decides per command (APPEND may send a message); the reader must not refuse first.
  rc.limits.max_literal = std::max<std::uint64_t>(config_.max_message_size, config_.max_literal);
  return rc;
}

std::shared_ptr<Folder> Session::selected_folder() const {
  return view_ ? view_->folder_ptr() : nullptr;
}

void Session::consumed(std::size_t n) {
  sent_ += n;
  if (sent_ >= out_.size()) {
    out_.clear();
    sent_ = 0;
  }
}

bool Session::may_login() const {
  return tls_active_ || config_.peer_is_trusted;
}

std::string Session::capabilities() const {
  std::string caps = "IMAP4rev1 SASL-IR LITERAL+ ID ENABLE IDLE NAMESPACE UNSELECT CHILDREN";
  if (state_ == State::NotAuthenticated) {
    if (config_.tls_available && !tls_active_) caps += " STARTTLS";
    // RFC 3501 §6.2.3: LOGIN is refused over plain text from untrusted peers (RFC 8314's advice).
    caps += may_login() ? " AUTH=PLAIN" : " LOGINDISABLED";
  } else {
    caps += " UIDPLUS MOVE SPECIAL-USE LIST-EXTENDED LIST-STATUS";
  }
  return caps;
}

void Session::tagged(std::string_view tag, std::string_view status, std::string_view text) {
  out_.append(tag);
  out_ += ' ';
  out_.append(status);
  out_ += ' ';
  out_.append(text);
  out_ += "\r\n";
}

void Session::untagged(std::string_view text) {
  out_ += "* ";
  out_.append(text);
  out_ += "\r\n";
}

void Session::greeting() {
  untagged("OK [CAPABILITY " + capabilities() + "] " + config_.hostname + " IMAP4rev1 endhost ready.");
}

void Session::refuse(std::string_view why) {
  untagged("BYE " + std::string(why));
  closing_ = true;
}

Step Session::bad(std::string_view tag, std::string_view text) {
  ++stats_.bad;
  ++bad_count_;
  tagged(tag.empty() ? "*" : tag, "BAD", text);
  if (bad_count_ >= config_.max_bad) {
    untagged("BYE Too many invalid IMAP commands.");
    closing_ = true;
    idle_tag_.reset();
    return Step::Close;
  }
  return Step::None;
}

std::string Session::traceable(std::string_view line) const {
  if (sasl_tag_) return "****";
  const Head h = head_of(line);
  if (iequals(h.name, "LOGIN")) {
    // `tag LOGIN user password`: the user stays, the password goes.
    const std::size_t user_at = line.find(' ', h.tag.size() + 1);
    if (user_at != std::string_view::npos) {
      const std::size_t pass_at = line.find(' ', user_at + 1);
      return std::string(line.substr(0, pass_at == std::string_view::npos ? line.size() : pass_at)) + " ****";
    }
  }
  if (iequals(h.name, "AUTHENTICATE")) {
    const std::size_t mech_at = line.find(' ', h.tag.size() + 1);
    const std::size_t ir_at = mech_at == std::string_view::npos ? mech_at : line.find(' ', mech_at + 1);
    if (ir_at != std::string_view::npos) return std::string(line.substr(0, ir_at)) + " ****";
  }
  return std::string(line);
}

std::chrono::seconds Session::read_timeout() const {
  return state_ == State::NotAuthenticated ? config_.login_timeout : config_.idle_timeout;
}

Step Session::on_timeout() {
  untagged("BYE Disconnected for inactivity.");
  closing_ = true;
  idle_tag_.reset();
  return Step::Close;
}

// ---- Input ----

Step Session::on_line(std::string_view line) {
  if (closing_) return Step::Close;
  if (idle_tag_) {
    // RFC 2177 §3: DONE ends IDLE; anything else is a protocol error.
    const std::string tag = std::move(*idle_tag_);
    idle_tag_.reset();
    if (iequals(line, "DONE")) {
      tagged(tag, "OK", "Idle completed.");
      return Step::None;
    }
    return bad(tag, "Expected DONE.");
  }
  if (sasl_tag_) {
    ready_.reset();
    ready_wire_.assign(line);
    return Step::Execute;  // the response is checked on the pool (the password hash is slow)
  }
  if (discarding_) {
    discarding_ = false;
    wire_.clear();
    return Step::None;
  }
  if (wire_.size() + line.size() > config_.max_message_size + 2 * config_.max_line) {
    wire_.clear();
    return bad("", "Command too long.");
  }
  wire_.append(line);
  ready_wire_ = std::move(wire_);
  wire_.clear();
  ++stats_.commands;
  auto parsed = parse_command(ready_wire_, config_.parse);
  if (!parsed) {
    const ParseError& e = parsed.error();
    if (e.kind == ParseError::Kind::UnknownCommand) return bad(e.tag, "Unknown command.");
    return bad(e.tag, "Error in IMAP command: " + e.message);
  }
  ready_ = std::make_unique<Command>(std::move(*parsed));
  return Step::Execute;
}

LiteralDecision Session::on_literal(std::string_view line_before, std::uint64_t size,
                                    bool non_synchronizing) {
  (void)non_synchronizing;
  if (closing_ || idle_tag_ || sasl_tag_ || discarding_) {
    discard_tag_.clear();
    literal_is_append_ = false;
    return LiteralDecision::Refuse;
  }
  const Head h = head_of(wire_.empty() ? line_before : std::string_view(wire_));
  literal_is_append_ = iequals(h.name, "APPEND");
  discard_tag_ = valid_tag(h.tag) ? std::string(h.tag) : std::string();
  literal_refusal_.clear();
  refused_size_ = size;
  // Before login only LOGIN and AUTHENTICATE may carry literals: anything else would be refused once whole,
  // so its literal is refused now (RFC 3501 §7.5) and an unauthenticated client holds no message-sized
  // buffer.
  if (state_ == State::NotAuthenticated && !iequals(h.name, "LOGIN") && !iequals(h.name, "AUTHENTICATE")) {
    literal_refusal_ = "Please log in first.";
    literal_is_append_ = false;
    return LiteralDecision::Refuse;
  }
  const std::uint64_t limit = literal_is_append_ ? config_.max_message_size : config_.max_literal;
  if (size > limit || wire_.size() + line_before.size() > 2 * config_.max_line)
    return LiteralDecision::Refuse;
  wire_.append(line_before);
  wire_ += '{';
  wire_ += std::to_string(size);
  wire_ += "}\r\n";
  wire_.reserve(wire_.size() + static_cast<std::size_t>(size));
  if (!non_synchronizing) out_ += "+ Ready for literal data\r\n";  // RFC 3501 §7.5
  return LiteralDecision::Accept;
}

Step Session::literal_refused(bool rest_follows) {
  wire_.clear();
  const bool was_discarding = discarding_;
  discarding_ = rest_follows;
  if (was_discarding || idle_tag_ || sasl_tag_ || closing_) return closing_ ? Step::Close : Step::None;
  Step step = Step::None;
  if (!literal_refusal_.empty()) {
    step = bad(discard_tag_, literal_refusal_);
  } else if (literal_is_append_) {
    // RFC 7889 / RFC 4469: the message is over the size this server takes.
    tagged(discard_tag_.empty() ? "*" : discard_tag_, "NO", "[TOOBIG] Message too large.");
  } else {
    step = bad(discard_tag_, "Literal too large.");
  }
  // A refused {n+} is on its way. A small one is skipped and the session goes on; past what a literal may be
  // here, waiting for all of it would leave the client without answers for as long as it takes to send, so
  // the session says BYE and closes, as Dovecot does (RFC 7888 §4 leaves the choice to the server).
  if (rest_follows && !closing_ && refused_size_ > config_.max_literal && refused_size_ > kSkippableLiteral) {
    untagged("BYE Literal too large, disconnecting.");
    closing_ = true;
    step = Step::Close;
  }
  return step;
}

void Session::literal_chunk(std::string_view bytes) {
  wire_.append(bytes);
}

Step Session::literal_end() {
  return Step::None;
}

Step Session::on_read_error(text::ReadError error) {
  wire_.clear();
  discarding_ = false;
  if (idle_tag_) {
    // RFC 2177 §3: whatever is not DONE ends IDLE as a protocol error.
    const std::string tag = std::move(*idle_tag_);
    idle_tag_.reset();
    return bad(tag, "Expected DONE.");
  }
  if (error == text::ReadError::LineTooLong) return bad("", "Command line too long.");
  return bad("", "Line ends must be CRLF.");
}

// ---- Running commands ----

Step Session::execute() {
  if (sasl_tag_) {
    const std::string tag = std::move(*sasl_tag_);
    sasl_tag_.reset();
    if (ready_wire_ == "*") return bad(tag, "Authentication aborted.");  // RFC 3501 §6.2.2
    return finish_plain(tag, ready_wire_);
  }
  if (!ready_) return Step::None;
  const std::unique_ptr<Command> cmd = std::move(ready_);
  const Step step = dispatch(*cmd);
  ready_wire_.clear();
  return step;
}

Step Session::resume() {
  return running_ ? run_batches() : Step::None;
}

Step Session::dispatch(const Command& c) {
  const CommandName n = c.name;
  switch (n) {  // any state (RFC 3501 §6.1)
    case CommandName::Capability:
      return capability(c);
    case CommandName::Noop:
      return noop(c);
    case CommandName::Logout:
      untagged("BYE Logging out.");
      tagged(c.tag, "OK", "Logout completed.");
      state_ = State::Logout;
      closing_ = true;
      return Step::Close;
    case CommandName::Id:
      return id(c);
    default:
      break;
  }
  if (state_ == State::NotAuthenticated) {
    switch (n) {
      case CommandName::Starttls:
        return starttls(c);
      case CommandName::Login:
        return login(c);
      case CommandName::Authenticate:
        return authenticate(c);
      default:
        return bad(c.tag, "Please log in first.");
    }
  }
  switch (n) {
    case CommandName::Starttls:
    case CommandName::Login:
    case CommandName::Authenticate:
      return bad(c.tag, "Already logged in.");
    case CommandName::Enable:
      return enable(c);
    case CommandName::Namespace:
      return namespace_(c);
    case CommandName::Select:
      return select(c, false);
    case CommandName::Examine:
      return select(c, true);
    case CommandName::Create:
      return create(c);
    case CommandName::Delete:
      return remove(c);
    case CommandName::Rename:
      return rename(c);
    case CommandName::Subscribe:
      return subscribe(c, true);
    case CommandName::Unsubscribe:
      return subscribe(c, false);
    case CommandName::List:
      return list(c, false);
    case CommandName::Lsub:
      return list(c, true);
    case CommandName::Status:
      return status(c);
    case CommandName::Append:
      return append(c);
    case CommandName::Idle:
      return idle(c);
    default:
      break;
  }
  if (state_ != State::Selected) return bad(c.tag, "No mailbox selected.");
  switch (n) {
    case CommandName::Check:
      return noop(c);  // RFC 3501 §6.4.1: every change is durable already; a checkpoint has nothing to do
    case CommandName::Close:
      return close_mailbox(c, true);
    case CommandName::Unselect:
      return close_mailbox(c, false);
    case CommandName::Expunge:
      return expunge(c);
    case CommandName::Search:
      return search(c);
    case CommandName::Fetch:
      return fetch(c);
    case CommandName::Store:
      return store(c);
    case CommandName::Copy:
      return copy(c, false);
    case CommandName::Move:
      return copy(c, true);
    default:
      return bad(c.tag, "Unknown command.");
  }
}

void Session::sync(bool allow_expunge) {
  if (!view_) return;
  auto ok = view_->sync(out_, allow_expunge);
  if (!ok) {
    // The folder was deleted or renamed by another session (RFC 3501 §7.1.5): the view is gone.
    untagged("BYE Selected mailbox was deleted, have to disconnect.");
    closing_ = true;
    idle_tag_.reset();
  }
}

bool Session::beyond_last(const SequenceSet& set) const {
  const std::uint32_t exists = view_->exists();
  if (exists == 0) {
    bool all_star = true;
    for (const SeqRange& r : set.ranges) all_star = all_star && (r.first == kStar || r.last == kStar);
    if (all_star) return false;
  }
  return exceeds(set, exists);
}

Step Session::store_error(std::string_view tag, const StoreError& e) {
  using K = StoreError::Kind;
  switch (e.kind) {
    case K::NoSuchMailbox:
      tagged(tag, "NO", "[NONEXISTENT] Mailbox doesn't exist.");
      break;
    case K::Exists:
      tagged(tag, "NO", "[ALREADYEXISTS] Mailbox already exists.");
      break;
    case K::Invalid:
      tagged(tag, "NO", "[CANNOT] " + e.message);
      break;
    case K::TooManyKeywords:
      tagged(tag, "NO", "[LIMIT] Too many keywords in this mailbox.");
      break;
    case K::NoSuchMessage:
      tagged(tag, "NO", "[EXPUNGEISSUED] Some of the requested messages no longer exist.");
      break;
    case K::TooBig:
      tagged(tag, "NO", "[TOOBIG] Message too large.");
      break;
    case K::Io:
      // RFC 5530: OVERQUOTA for a full disk, SERVERBUG otherwise; the cause goes to the log, not the client.
      if (e.code == 28 /*ENOSPC*/ || e.code == 122 /*EDQUOT*/)
        tagged(tag, "NO", "[OVERQUOTA] Not enough disk space.");
      else
        tagged(tag, "NO", "[SERVERUNAVAILABLE] Internal error occurred, try again later.");
      break;
  }
  return closing_ ? Step::Close : Step::None;
}

Step Session::capability(const Command& c) {
  untagged("CAPABILITY " + capabilities());
  tagged(c.tag, "OK", "Capability completed.");
  return Step::None;
}

Step Session::noop(const Command& c) {
  sync(true);
  if (closing_) return Step::Close;
  tagged(c.tag, "OK", std::string(to_string(c.name)) + " completed.");
  return Step::None;
}

Step Session::id(const Command& c) {
  // RFC 2971 §3.1: the server's own fields; what the client says is only for the log.
  untagged("ID (\"name\" \"endhost\" \"vendor\" \"endhost\")");
  tagged(c.tag, "OK", "ID completed.");
  return Step::None;
}

Step Session::enable(const Command& c) {
  // RFC 5161: nothing this server offers needs enabling (no CONDSTORE, no UTF8=ACCEPT), so none is.
  untagged("ENABLED");
  tagged(c.tag, "OK", "Enabled.");
  return Step::None;
}

Step Session::namespace_(const Command& c) {
  // RFC 2342: one personal namespace, "." between levels (Maildir++), no shared or other users' ones.
  untagged("NAMESPACE ((\"\" \".\")) NIL NIL");
  tagged(c.tag, "OK", "Namespace completed.");
  return Step::None;
}

Step Session::starttls(const Command& c) {
  if (!config_.tls_available || tls_active_) return bad(c.tag, "TLS not available.");
  tagged(c.tag, "OK", "Begin TLS negotiation now.");
  return Step::StartTls;
}

Step Session::tls_ready(bool ok) {
  if (!ok) {
    closing_ = true;
    return Step::Close;
  }
  tls_active_ = true;
  wire_.clear();
  return Step::None;
}

Step Session::login(const Command& c) {
  if (!may_login()) {
    tagged(c.tag, "NO", "[PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure connections.");
    return Step::None;
  }
  const LoginArgs& a = c.as<LoginArgs>();
  return logged_in(c.tag, directory_.login(a.userid, a.password));
}

Step Session::logged_in(std::string_view tag, std::unique_ptr<Account> account) {
  if (!account) {
    ++stats_.login_failures;
    tagged(tag, "NO", "[AUTHENTICATIONFAILED] Authentication failed.");
    if (++login_failures_ >= config_.max_login_failures) {
      untagged("BYE Too many failed logins.");
      closing_ = true;
      return Step::Close;
    }
    return Step::None;
  }
  ++stats_.logins;
  account_ = std::move(account);
  state_ = State::Authenticated;
  tagged(tag, "OK", "[CAPABILITY " + capabilities() + "] Logged in");
  return Step::None;
}

Step Session::authenticate(const Command& c) {
  const AuthenticateArgs& a = c.as<AuthenticateArgs>();
  if (a.mechanism != "PLAIN") {
    tagged(c.tag, "NO", "Unsupported authentication mechanism.");
    return Step::None;
  }
  if (!may_login()) {
    tagged(c.tag, "NO", "[PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure connections.");
    return Step::None;
  }
  if (a.initial_response) return finish_plain(c.tag, *a.initial_response);
  out_ += "+ \r\n";  // RFC 4616 §2: PLAIN's server sends an empty challenge
  sasl_tag_ = c.tag;
  return Step::None;
}

Step Session::finish_plain(std::string_view tag, std::string_view base64) {
  // SASL-IR (RFC 4959 §3): "=" is an empty initial response.
  const std::optional<std::string> decoded =
      base64 == "=" ? std::optional<std::string>("") : smtp::base64_decode(base64);
  if (!decoded) return bad(tag, "Invalid base64 data.");
  const auto creds = smtp::parse_plain(*decoded);
  std::unique_ptr<Account> account;
  // An authorization identity other than the user is a proxy login this server does not allow.
  if (creds && (creds->authzid.empty() || creds->authzid == creds->authcid))
    account = directory_.login(creds->authcid, creds->password);
  return logged_in(tag, std::move(account));
}

Step Session::select(const Command& c, bool read_only) {
  const SelectArgs& a = c.as<SelectArgs>();
  if (!a.params.empty()) return bad(c.tag, "Unknown SELECT parameter.");  // no CONDSTORE/QRESYNC here
  // RFC 3501 §6.3.1: a failed SELECT leaves no mailbox selected; a SELECT while selected closes the old one
  // without expunging (RFC 7162 §3.2.11 [CLOSED] tells the client where the old one's responses end).
  const bool had = view_ != nullptr;
  view_.reset();
  state_ = State::Authenticated;
  if (had) untagged("OK [CLOSED] Previous mailbox closed.");
  auto folder = account_->open(a.mailbox);
  if (!folder) return store_error(c.tag, folder.error());
  if (auto r = (*folder)->refresh(); !r) return store_error(c.tag, r.error());
  auto view = std::make_unique<View>(std::move(*folder), read_only);
  view->load();
  untagged("FLAGS " + view->flags_list());
  untagged(std::to_string(view->exists()) + " EXISTS");
  untagged(std::to_string(view->recent_count()) + " RECENT");
  if (const std::uint32_t u = view->first_unseen(); u > 0)
    untagged("OK [UNSEEN " + std::to_string(u) + "] First unseen.");
  untagged("OK [UIDVALIDITY " + std::to_string(view->uidvalidity()) + "] UIDs valid");
  untagged("OK [UIDNEXT " + std::to_string(view->uidnext()) + "] Predicted next UID");
  untagged("OK [PERMANENTFLAGS " + view->permanent_flags_list() + "] Flags permitted.");
  view_ = std::move(view);
  state_ = State::Selected;
  tagged(c.tag, "OK", read_only ? "[READ-ONLY] Examine completed." : "[READ-WRITE] Select completed.");
  return Step::None;
}

Step Session::close_mailbox(const Command& c, bool do_expunge) {
  // CLOSE expunges silently (RFC 3501 §6.4.2), unless the mailbox was EXAMINEd; UNSELECT never (RFC 3691).
  if (do_expunge && !view_->read_only()) {
    std::vector<std::uint32_t> uids;
    for (std::uint32_t seq = 1; seq <= view_->exists(); ++seq) {
      const View::Entry& e = view_->at(seq);
      if (!e.expunged && (e.flags.system & mail::store::kDeleted)) uids.push_back(e.uid);
    }
    if (!uids.empty()) {
      auto done = view_->folder().expunge(uids);
      if (!done) return store_error(c.tag, done.error());
      stats_.expunged += done->size();
    }
  }
  view_.reset();
  state_ = State::Authenticated;
  tagged(c.tag, "OK", std::string(to_string(c.name)) + " completed.");
  return Step::None;
}

Step Session::expunge(const Command& c) {
  const ExpungeArgs& a = c.as<ExpungeArgs>();
  if (view_->read_only()) {
    tagged(c.tag, "NO", "[READ-ONLY] Mailbox is read-only.");
    return Step::None;
  }
  std::vector<std::uint32_t> uids;
  std::vector<SeqRange> within;
  if (a.uid_set) within = resolve(*a.uid_set, view_->max_uid());
  for (std::uint32_t seq = 1; seq <= view_->exists(); ++seq) {
    const View::Entry& e = view_->at(seq);
    if (e.expunged || !(e.flags.system & mail::store::kDeleted)) continue;
    if (a.uid_set && !contains(within, e.uid)) continue;  // UID EXPUNGE (RFC 4315 §2.1)
    uids.push_back(e.uid);
  }
  auto done = uids.empty() ? Expected<std::vector<std::uint32_t>, StoreError>(std::vector<std::uint32_t>{})
                           : view_->folder().expunge(uids);
  if (!done) return store_error(c.tag, done.error());
  stats_.expunged += done->size();
  view_->own_expunge(*done, out_);
  sync(true);
  if (closing_) return Step::Close;
  tagged(c.tag, "OK", "Expunge completed.");
  return Step::None;
}

Step Session::idle(const Command& c) {
  sync(true);
  if (closing_) return Step::Close;
  out_ += "+ idling\r\n";
  idle_tag_ = c.tag;
  return Step::Idle;
}

void Session::idle_update() {
  if (!idle_tag_ || !view_ || closing_) return;
  sync(true);
}

}  // namespace endhost::imap
