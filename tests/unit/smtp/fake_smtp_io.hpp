// A fake I/O around smtp::ServerSession for the tests: the loop mail-server's session coroutine runs (reader
// events in, actions carried out at once), with a users table instead of files and notes instead of side
// effects. A login succeeds with the password "secret"; STARTTLS always succeeds; Deliver notes the envelope
// and the body and answers with `outcome` and queue id "Q1", "Q2"…
#pragma once

#include <string>
#include <vector>

#include "smtp/server_session.hpp"
#include "text/command_reader.hpp"

namespace endhost::smtp::test {

// hamburger.edu and crepes.fr are local; users bob, alice; postmaster is bob.
class FakePolicy final : public RecipientPolicy {
 public:
  RecipientVerdict classify(std::string_view local_part, std::string_view domain) const override;
};

struct FakeOptions {
  ServerConfig config;
  DeliveryOutcome outcome = DeliveryOutcome::Accepted;
  bool tls_fails = false;
};

// From the file's `# session:` lines: `submission`, `tls` (STARTTLS offered), `implicit-tls`,
// `require-tls`, `auth`, `loopback`, `relay`, `max-size=N`, `max-rcpt=N`, `max-errors=N`,
// `max-commands=N`, `tempfail`, `nospace`, `reject`, `tls-fails`. The hostname is hamburger.edu.
FakeOptions transcript_options(const std::string& file);
ServerConfig default_config();

class FakeSmtpIo {
 public:
  explicit FakeSmtpIo(FakeOptions options);
  void receive(std::string_view bytes);
  std::string take_output();
  std::vector<std::string> take_notes();
  bool closed() const { return closed_; }
  ServerSession& session() { return session_; }
  const std::vector<std::string>& messages() const { return messages_; }
  const std::vector<Envelope>& envelopes() const { return envelopes_; }

 private:
  void run(Action a);
  void pump();

  FakePolicy policy_;
  FakeOptions options_;
  ServerSession session_;
  text::CommandReader reader_;
  std::string out_;
  std::vector<std::string> notes_;
  std::vector<std::string> messages_;
  std::vector<Envelope> envelopes_;
  bool closed_ = false;
  int queue_ids_ = 0;
};

}  // namespace endhost::smtp::test
