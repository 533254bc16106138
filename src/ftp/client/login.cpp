#include "ftp/client/login.hpp"

#include "ftp/client/reply.hpp"

namespace endhost::ftp::client {

using namespace login_step;

LoginStep LoginSequence::fail(const text::CodedReply& reply, const std::string& what) {
  state_ = State::Done;
  return Failed{reply.code, what + ": " + reply_summary(reply)};
}

LoginStep LoginSequence::send_user() {
  state_ = State::User;
  return Send{"USER " + config_.user};
}

LoginStep LoginSequence::on_reply(const text::CodedReply& reply) {
  const ReplyClass c = reply_class(reply.code);
  switch (state_) {
    case State::Greeting:
      if (c == ReplyClass::Preliminary) return Wait{};  // 120: the real greeting follows (RFC 959 §5.4)
      if (reply.code != 220) return fail(reply, "the server refused the connection");
      if (config_.tls) {
        state_ = State::AuthTls;
        return Send{"AUTH TLS"};
      }
      return send_user();
    case State::AuthTls:
      // RFC 4217 §4: 234 accepts; anything else means no TLS, and a client that asked for it stops there
      // rather than send the password in the clear.
      if (reply.code != 234) return fail(reply, "the server does not do AUTH TLS");
      state_ = State::WaitTls;
      return StartTls{};
    case State::WaitTls:
      return fail(reply, "a reply arrived before the TLS handshake");
    case State::Pbsz:
      if (c != ReplyClass::Completion) return fail(reply, "PBSZ 0 refused");
      state_ = State::Prot;
      return Send{"PROT P"};
    case State::Prot:
      // RFC 4217 §9: PROT P protects the data connections too; without it the files would go in the clear.
      if (c != ReplyClass::Completion) return fail(reply, "PROT P refused");
      return send_user();
    case State::User:
      if (c == ReplyClass::Completion) {  // 230 (no password needed) or 202
        state_ = State::Done;
        return Done{};
      }
      if (c != ReplyClass::Intermediate) return fail(reply, "login refused");
      state_ = State::Pass;
      return Send{"PASS " + config_.password};
    case State::Pass:
      if (c == ReplyClass::Completion) {
        state_ = State::Done;
        return Done{};
      }
      if (c == ReplyClass::Intermediate)  // 332: an account is needed (ACCT), which we do not have
        return fail(reply, "the server asks for an account (ACCT), which is not supported");
      return fail(reply, "login failed");
    case State::Done:
      break;
  }
  return fail(reply, "unexpected reply after login");
}

LoginStep LoginSequence::tls_ready() {
  if (state_ != State::WaitTls) return Failed{0, "TLS handshake out of turn"};
  // RFC 4217 §8: PBSZ must come before PROT, and is 0 for a stream protocol like TLS.
  state_ = State::Pbsz;
  return Send{"PBSZ 0"};
}

}  // namespace endhost::ftp::client
