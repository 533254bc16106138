// The IMAP server's session without the sockets (RFC 3501 IMAP4rev1 with the extensions of issue 12:
// LITERAL+, SASL-IR, ID, ENABLE, IDLE, NAMESPACE, UIDPLUS, MOVE, UNSELECT, SPECIAL-USE, LIST-EXTENDED,
// LIST-STATUS, CHILDREN): reader events in, response bytes out, the mail store behind the injected
// Directory/Account/Folder interfaces (mail_access.hpp). The session owns the protocol: the states of
// RFC 3501 §3, the command being reassembled from its lines and literals, the selected mailbox's view
// (sequence numbers, flags, \Recent) and the untagged updates other sessions' changes cause.
//
// The I/O's loop (src/mail/server/imap_session.cpp):
//   1. greeting(); send output();
//   2. take the reader's events (text::CommandReader with reader_config()):
//        Line             -> on_line(text)
//        LiteralAnnounced -> on_literal(text, size, non_synchronizing): Accept -> reader.accept_literal()
//                            (if that refuses: literal_refused(reader.refuse_literal()));
//                            Refuse -> literal_refused(reader.refuse_literal())
//        LiteralChunk / LiteralEnd -> literal_chunk(text) / literal_end()
//        Error            -> on_read_error(error)
//      after each, act on the Step returned;
//   3. Step::Execute: run execute() on the blocking pool (it calls the store, which blocks); while it returns
//      Step::More, send output() and run resume() on the pool; Step::StartTls: send output(),
//      reader.discard_buffered() (RFC 3501 §6.2.1: nothing sent before the handshake counts), handshake,
//      tls_ready(ok); Step::Idle: send output(), then wait for a line (on_line: "DONE") or a change of the
//      selected mailbox (idle_update() on the pool); Step::Close: send output(), close.
// Deadlines: read_timeout() before each read; on expiry on_timeout().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imap/command.hpp"
#include "imap/limits.hpp"
#include "imap/session/mail_access.hpp"
#include "imap/session/view.hpp"
#include "text/command_reader.hpp"
#include "text/read_error.hpp"

namespace endhost::imap {

struct SessionConfig {
  std::string hostname;
  bool tls_available = false;  // STARTTLS is offered
  bool tls_active = false;     // the connection is TLS already (implicit TLS)
  bool peer_is_trusted =
      false;  // loopback or --trusted-networks: LOGIN, AUTHENTICATE in plain text only then
  std::uint64_t max_message_size = 10'240'000;  // APPEND's literal (NO [TOOBIG] above)
  std::size_t max_literal = 64 * 1024;          // any other literal
  std::size_t max_line = 64 * 1024;             // octets of one command line (Dovecot's is 64 KiB)
  std::size_t max_bad = 10;                     // BAD responses, then BYE and close
  std::size_t max_login_failures = 3;           // then BYE and close
  std::size_t batch_bytes = 256 * 1024;         // output written before execute() returns More
  std::chrono::seconds login_timeout{60};       // before LOGIN (Dovecot: 1 min)
  std::chrono::seconds idle_timeout{30 * 60};   // RFC 3501 §5.4: at least 30 minutes
  ParseLimits parse;
};

enum class Step {
  None,      // nothing to do but send output() and read on
  Execute,   // a whole command is here: execute() on the pool
  More,      // execute()/resume() stopped to let output() drain: send it, then resume() on the pool
  StartTls,  // STARTTLS was answered: send output(), discard buffered input, handshake, tls_ready()
  Idle,      // IDLE was answered with `+ idling`: wait for DONE or a mailbox change (idle_update())
  Close,     // send output() and close
};

enum class LiteralDecision { Accept, Refuse };

struct SessionStats {
  std::uint64_t commands = 0;
  std::uint64_t bad = 0;
  std::uint64_t logins = 0;
  std::uint64_t login_failures = 0;
  std::uint64_t fetched_messages = 0;
  std::uint64_t appended = 0;
  std::uint64_t expunged = 0;
};

class Session {
 public:
  Session(SessionConfig config, Directory& directory);
  ~Session();

  text::ReaderConfig reader_config() const;

  void greeting();                    // `* OK [CAPABILITY …] hostname IMAP4rev1 endhost ready`
  void refuse(std::string_view why);  // `* BYE why`: instead of greeting(); then close

  Step on_line(std::string_view line);
  LiteralDecision on_literal(std::string_view line_before, std::uint64_t size, bool non_synchronizing);
  // The reader took the refusal; `rest_follows`: the rest of the refused command comes as the next line.
  Step literal_refused(bool rest_follows);
  void literal_chunk(std::string_view bytes);
  Step literal_end();
  Step on_read_error(text::ReadError error);

  // On the pool: run the command on_line() completed; resume() continues one that returned More.
  Step execute();
  Step resume();
  Step tls_ready(bool ok);
  // On the pool, while idling: the selected mailbox may have changed; writes the untagged updates.
  void idle_update();
  Step on_timeout();  // `* BYE Autologout` and Close (RFC 3501 §5.4)

  std::chrono::seconds read_timeout() const;
  bool idling() const { return idle_tag_.has_value(); }
  // No command is half-received (a literal, a SASL exchange): a drain may close the connection now.
  bool between_commands() const { return wire_.empty() && !sasl_tag_ && !discarding_; }
  bool closing() const { return closing_; }
  bool authenticated() const { return account_ != nullptr; }
  // The folder IDLE waits on (null when none is selected).
  std::shared_ptr<Folder> selected_folder() const;

  // What to send; consumed(n) when the socket took n bytes.
  std::string_view output() const { return std::string_view(out_).substr(sent_); }
  void consumed(std::size_t n);

  const SessionStats& stats() const { return stats_; }
  const SessionConfig& config() const { return config_; }

  // For --trace: the line with LOGIN's password and SASL responses hidden.
  std::string traceable(std::string_view line) const;

 private:
  enum class State { NotAuthenticated, Authenticated, Selected, Logout };
  struct Running;  // a FETCH or SEARCH that writes in batches (session.cpp)

  Step dispatch(const Command& cmd);
  Step bad(std::string_view tag, std::string_view text);
  void tagged(std::string_view tag, std::string_view status, std::string_view text);
  void untagged(std::string_view text);
  std::string capabilities() const;
  bool may_login() const;

  Step capability(const Command& c);
  Step login(const Command& c);
  Step authenticate(const Command& c);
  Step sasl_response(std::string_view line);
  Step finish_plain(std::string_view tag, std::string_view base64);
  // LOGIN's and AUTHENTICATE's outcome: OK with the new capabilities, or NO and, past the limit, BYE.
  Step logged_in(std::string_view tag, std::unique_ptr<Account> account);
  Step starttls(const Command& c);
  Step select(const Command& c, bool read_only);
  Step create(const Command& c);
  Step remove(const Command& c);
  Step rename(const Command& c);
  Step subscribe(const Command& c, bool on);
  Step list(const Command& c, bool lsub);
  Step status(const Command& c);
  Step append(const Command& c);
  Step close_mailbox(const Command& c, bool expunge);
  Step expunge(const Command& c);
  Step search(const Command& c);
  Step fetch(const Command& c);
  Step store(const Command& c);
  Step copy(const Command& c, bool move);
  Step idle(const Command& c);
  Step enable(const Command& c);
  Step id(const Command& c);
  Step namespace_(const Command& c);
  Step noop(const Command& c);
  Step run_batches();

  // The untagged updates owed to the client: EXISTS, RECENT, FETCH FLAGS, and EXPUNGE unless
  // `allow_expunge` is false (RFC 3501 §7.4.1: not during FETCH, STORE, SEARCH).
  void sync(bool allow_expunge);
  std::string status_line(Folder& folder, std::span<const StatusItem> items, const std::string& name);
  Step store_error(std::string_view tag, const StoreError& e);
  // A message sequence number past the last message (RFC 9051 §6.4.5: BAD); `1:*` of an empty mailbox is
  // not one (it names nothing, as Dovecot answers).
  bool beyond_last(const SequenceSet& set) const;
  Expected<Flags, std::string> to_flags(Folder& folder, const std::vector<Flag>& flags, bool create);
  std::string flag_list(const Flags& f, bool recent) const;

  SessionConfig config_;
  Directory& directory_;
  State state_ = State::NotAuthenticated;
  bool tls_active_ = false;
  bool closing_ = false;
  std::unique_ptr<Account> account_;
  std::unique_ptr<View> view_;  // the selected mailbox

  // The command being reassembled from its lines and literals, as on the wire ({n} CRLF bytes).
  std::string wire_;
  bool literal_is_append_ = false;
  std::string literal_refusal_;     // why on_literal refused, when it was not the size
  std::uint64_t refused_size_ = 0;  // the size of the literal on_literal last saw
  // A refused non-synchronising literal up to this size is read and dropped; a larger one ends the session.
  static constexpr std::uint64_t kSkippableLiteral = 1024 * 1024;
  bool discarding_ = false;  // a refused command's remaining lines are being dropped
  std::string discard_tag_;
  std::optional<std::string> sasl_tag_;  // AUTHENTICATE PLAIN waits for its response line
  std::optional<std::string> idle_tag_;  // IDLE waits for DONE
  std::unique_ptr<Running> running_;
  std::unique_ptr<Command> ready_;  // parsed by on_line, run by execute()
  std::string ready_wire_;          // the text ready_ views point into (APPEND)

  std::string out_;
  std::size_t sent_ = 0;
  SessionStats stats_;
  std::size_t bad_count_ = 0;
  std::size_t login_failures_ = 0;
};

}  // namespace endhost::imap
