// The login sequence of an FTP client, sans I/O: greeting, then optionally AUTH TLS, PBSZ 0 and PROT P
// (RFC 4217 §4, §8, §9), then USER, PASS (and ACCT if the server insists: RFC 959 §4.1.1, which this client
// cannot answer). Feed it the replies; it says what to send or do next. The session (session.cpp) carries
// the actions out; the unit tests drive it with replies only.
#pragma once

#include <string>
#include <variant>

#include "text/coded_reply_parser.hpp"

namespace endhost::ftp::client {

struct LoginConfig {
  std::string user = "anonymous";
  std::string password = "endhost@";
  bool tls = false;  // AUTH TLS first, then PBSZ 0 and PROT P once the handshake is done
};

namespace login_step {
struct Send {  // write this command line (without CRLF), then feed the reply to on_reply
  std::string line;
};
struct Wait {};      // read the next reply without sending anything (120 before 220)
struct StartTls {};  // 234 came: do the TLS handshake on the control connection, then call tls_ready()
struct Done {};      // logged in (230, or 202: "not needed")
struct Failed {      // a human sentence quoting the server's reply
  int code = 0;      // the reply's code; 0 when not from a reply
  std::string message;
};
}  // namespace login_step

using LoginStep = std::variant<login_step::Send, login_step::Wait, login_step::StartTls, login_step::Done,
                               login_step::Failed>;

class LoginSequence {
 public:
  explicit LoginSequence(LoginConfig config) : config_(std::move(config)) {}

  // The greeting (RFC 959 §5.4: 120 then 220, or 421) and every reply after it, in order.
  LoginStep on_reply(const text::CodedReply& reply);
  // After the handshake that StartTls asked for.
  LoginStep tls_ready();

 private:
  enum class State { Greeting, AuthTls, WaitTls, Pbsz, Prot, User, Pass, Done };
  LoginStep fail(const text::CodedReply& reply, const std::string& what);
  LoginStep send_user();

  LoginConfig config_;
  State state_ = State::Greeting;
};

}  // namespace endhost::ftp::client
