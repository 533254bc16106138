// A small SMTP-shaped server built on the line engine, for the engine's own transcript tests: greeting,
// HELO/EHLO, MAIL, RCPT, DATA with dot-unstuffing and a size limit, RSET, NOOP, VRFY (after AUTH only),
// STARTTLS, QUIT. It keeps no mail; it answers each message with its unstuffed size, so the transcripts check
// the body too. It has no TLS: after STARTTLS it behaves as if the handshake had succeeded.
// The SMTP issue builds the real session the same way.
#pragma once

#include <string>
#include <vector>

#include "replay.hpp"
#include "text/command_reader.hpp"
#include "text/command_table.hpp"
#include "text/reply_writer.hpp"

namespace endhost::text::sample {

enum class State { Start, Hello, Mail, Rcpt };
enum class Command { Helo, Ehlo, Mail, Rcpt, Data, Rset, Noop, Vrfy, StartTls, Quit };

class SampleSmtpSession final : public test::ReplaySession {
 public:
  SampleSmtpSession(std::size_t max_line = 80, std::uint64_t max_message = 200);

  void receive(std::string_view bytes) override;
  std::vector<std::string> take_output() override;
  bool closed() const override { return closed_; }

 private:
  void on_line(std::string_view line);
  void reply(int code, std::string_view text);

  std::uint64_t max_message_;
  CommandReader reader_;
  ReplyWriter writer_;
  SessionContext<State> context_;
  bool in_data_ = false;
  std::uint64_t message_bytes_ = 0;
  bool closed_ = false;
};

}  // namespace endhost::text::sample
