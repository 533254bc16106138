// The SMTP client, sans I/O (RFC 5321 §3, §4): replies in, commands out, for one mail transaction on one
// connection. EHLO (HELO when EHLO is refused, §3.2), then STARTTLS (RFC 3207) and EHLO again, then AUTH
// (RFC 4954: PLAIN, RFC 4616, or LOGIN when PLAIN is not offered), then MAIL, RCPT…, DATA (dot-stuffed,
// §4.5.2) or BDAT (RFC 3030, when CHUNKING is offered and asked for), then QUIT. With PIPELINING (RFC 2920)
// MAIL, every RCPT and DATA go out as one group and their replies are matched in order (§3.1).
//
// The I/O (deliver.hpp) reads replies with a text::CodedReplyParser and hands each to on_reply(); it sends
// pending() and calls consumed(); it does the TLS handshake when next() says StartTls and calls tls_ready();
// a network failure or a deadline is network_error(). The session never reads a clock: timeout() says which
// of RFC 5321 §4.5.3.2's limits applies to the reply awaited. C: lines for the transcript are in
// take_trace(); the I/O writes the S: lines of the replies it reads.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "smtp/client/extensions.hpp"
#include "text/coded_reply_parser.hpp"

namespace endhost::smtp::client {

// One message for one or more recipients.
struct Transaction {
  std::string sender;                   // the reverse-path without <>; "" for a bounce's <>
  std::vector<std::string> recipients;  // forward-paths without <>
  std::string_view message;             // CRLF lines, no dot-stuffing; outlives the delivery
  bool smtputf8 = false;                // the envelope or headers hold UTF-8 (RFC 6531)
  bool eight_bit = false;               // the body has 8-bit bytes: BODY=8BITMIME (RFC 6152)
};

enum class TlsMode {
  None,           // never STARTTLS
  Opportunistic,  // STARTTLS when offered (the relay, Postfix's smtp_tls_security_level = may)
  Required,       // STARTTLS or fail (`--starttls`; Postfix's encrypt)
  Implicit,       // TLS from the first byte (`--tls`, port 465, RFC 8314 §3.3)
};

struct Reply {
  int code = 0;      // 0: not from the server (a network error, or a refusal of this client's); text says
  std::string text;  // all lines joined with "\n", with the enhanced code ("2.1.0 Ok")
  friend bool operator==(const Reply&, const Reply&) = default;
};

struct RecipientResult {
  std::string recipient;
  Reply reply;
};

struct DeliveryResult {
  enum class Stage {
    Connect,
    Tls,  // implicit TLS's handshake, before the greeting (RFC 8314 §3.3)
    Greeting,
    Ehlo,
    StartTls,
    Auth,
    Mail,
    Rcpt,
    Data,
    Done
  } failed_at = Stage::Done;
  Reply reply;  // the reply that ended the transaction (or the final 250); code 0 for a network error
  std::vector<RecipientResult> recipients;  // per RCPT, in order (those not sent are absent)
  bool tls = false;
  std::string peer;  // "mx.hamburger.edu[127.0.0.1]:25"

  bool delivered() const { return failed_at == Stage::Done; }
  // A failure that may pass on retry: 4yz or code 0 (RFC 5321 §4.2.1, §4.5.4.1).
  bool temporary() const { return failed_at != Stage::Done && reply.code / 100 != 5; }
};

// "Rcpt" and so on, for messages ("failed at RCPT: 550 5.1.1 …").
std::string_view stage_name(DeliveryResult::Stage stage);
// "550 5.1.1 no such user" on one line (the reply's lines joined with a space), or the text for code 0.
std::string reply_summary(const Reply& reply);

struct SessionSettings {
  std::string helo_name = "localhost";  // RFC 5321 §4.1.1.1: our FQDN or an address literal
  TlsMode tls = TlsMode::Opportunistic;
  std::optional<std::pair<std::string, std::string>> auth;  // user, password
  bool use_chunking = false;                                // BDAT instead of DATA when CHUNKING is offered
  bool tls_available = true;  // the I/O can do a handshake (a TLS context exists)
};

enum class Next {
  ReadReply,  // send pending(), then read the next reply and give it to on_reply()
  StartTls,   // send pending() (nothing), then handshake; tls_ready()
  Close,      // send pending() (QUIT was answered or the session gave up); result() is final
};

enum class TimeoutKind { Greeting, Command, DataEnd };

class ClientSession {
 public:
  // `transaction` must outlive the session (its message is only viewed). Implicit TLS: the I/O has done the
  // handshake before the greeting.
  ClientSession(SessionSettings settings, const Transaction& transaction);

  void on_reply(const text::CodedReply& reply);
  void tls_ready(bool ok, std::string_view error = {});
  // The connection failed or a deadline passed: the transaction ends here (code 0).
  void network_error(std::string_view text);

  Next next() const { return next_; }
  TimeoutKind timeout() const;
  // The bytes to send now, and how many the socket took.
  std::string_view pending() const { return std::string_view(out_).substr(sent_); }
  void consumed(std::size_t n);
  // True while pending() holds message bytes (the I/O's per-block deadline, §4.5.3.2.5).
  bool sending_body() const { return body_in_output_; }

  // The C: lines produced since the last call (AUTH credentials masked; long bodies shortened).
  std::vector<std::string> take_trace();

  const DeliveryResult& result() const { return result_; }
  DeliveryResult& result() { return result_; }
  const Extensions& extensions() const { return extensions_; }
  bool tls_active() const { return tls_active_; }

 private:
  enum class Expect {
    Greeting,
    Ehlo,
    Helo,
    StartTls,
    AuthPlain,
    AuthLogin,
    AuthUser,
    AuthPass,
    Mail,
    Rcpt,
    Data,
    Body,
    Bdat,
    Quit
  };
  void send(std::string line, std::string shown = {});
  void expect(Expect e) { expected_.push_back(e); }
  void send_ehlo();
  void after_ehlo();
  void start_auth();
  void start_mail();
  void send_body();
  void send_data_command();
  bool chunking() const;
  void trace_body(std::string_view body);
  void fail(DeliveryResult::Stage stage, Reply reply);
  void quit();
  void handle(Expect e, const Reply& r, const text::CodedReply& raw);

  SessionSettings settings_;
  const Transaction* transaction_;
  Extensions extensions_;
  DeliveryResult result_;
  std::deque<Expect> expected_;  // replies due, in order (several when pipelining)
  std::string out_;
  std::size_t sent_ = 0;
  std::size_t body_end_ = 0;  // where message bytes in out_ end
  bool body_in_output_ = false;
  std::vector<std::string> trace_;
  Next next_ = Next::ReadReply;
  bool tls_active_ = false;
  bool finished_ = false;  // the transaction is over (either way); replies still due are absorbed
  DeliveryResult::Stage stage_ = DeliveryResult::Stage::Greeting;  // what a network error fails
  bool quit_sent_ = false;
  std::size_t rcpt_index_ = 0;  // the RCPT whose reply comes next
  std::size_t accepted_ = 0;
};

// RFC 4616 §2: base64("" NUL user NUL password), the initial response of AUTH PLAIN.
std::string auth_plain_response(std::string_view user, std::string_view password);

}  // namespace endhost::smtp::client
