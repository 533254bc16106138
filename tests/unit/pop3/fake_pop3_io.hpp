// A fake I/O around pop3::ServerSession for the tests: the loop mail-server's POP3 coroutine runs (reader
// events in, actions carried out at once), with mailboxes in memory instead of Maildirs and notes instead of
// side effects. A login succeeds with the password "secret"; bob's mailbox holds the messages of
// `mailbox` (uids 1, 2, …); a mailbox named in `locked` is in use; STLS always succeeds unless `tls_fails`.
// Message bytes are handed over in chunks of at most `chunk` bytes (and ReadMessage's max).
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "pop3/server_session.hpp"
#include "text/command_reader.hpp"

namespace endhost::pop3::test {

struct FakeMessage {
  std::uint32_t uid = 0;  // 0: its position from 1, given by FakePop3Io
  std::string unique_id;
  std::string bytes;       // as the file holds it (LF or CRLF line ends)
  std::uint64_t size = 0;  // the store's size (CRLF); 0: computed from bytes
};

struct FakeOptions {
  ServerConfig config;
  std::map<std::string, std::vector<FakeMessage>> mailboxes;  // user -> messages
  std::set<std::string> locked;
  std::set<std::uint32_t> gone;    // uids OpenMessage answers Gone for
  std::set<std::uint32_t> broken;  // uids whose reading fails after the first chunk
  bool tls_fails = false;
  bool mailbox_fails = false;
  bool update_fails = false;
  std::size_t chunk = 1 << 20;
};

// From the file's `# session:` lines: `tls`, `implicit-tls`, `no-auth` (no users file), `loopback`,
// `max-errors=N`, `chunk=N`, `locked` (bob's mailbox is in use), `empty` (bob has no mail), `tls-fails`,
// `mailbox-fails`, `update-fails`, `gone=UID`, `broken=UID`. The hostname is hamburger.edu; bob has
// standard_mailbox(), alice an empty mailbox.
FakeOptions transcript_options(const std::string& file);
ServerConfig default_config();
// Three messages: a short one with CRLF, one with LF line ends and lines that start with a dot, and one
// with a five-line body.
std::vector<FakeMessage> standard_mailbox();

class FakePop3Io {
 public:
  explicit FakePop3Io(FakeOptions options);
  void receive(std::string_view bytes);
  std::string take_output();
  std::vector<std::string> take_notes();
  bool closed() const { return closed_; }
  ServerSession& session() { return session_; }
  // The mailboxes as UPDATE left them, and the uids that got \Seen.
  const std::map<std::string, std::vector<FakeMessage>>& mailboxes() const { return options_.mailboxes; }
  const std::set<std::uint32_t>& seen() const { return seen_; }
  std::size_t flushes() const { return flushes_; }
  std::size_t largest_pending() const { return largest_pending_; }

 private:
  void run(Action a);
  void pump();
  void send_pending();

  FakeOptions options_;
  ServerSession session_;
  text::CommandReader reader_;
  std::string out_;
  std::vector<std::string> notes_;
  std::set<std::uint32_t> seen_;
  bool closed_ = false;
  std::string user_;  // the mailbox opened
  const FakeMessage* open_ = nullptr;
  std::uint32_t open_uid_ = 0;
  std::size_t offset_ = 0;  // in the open message
  std::size_t flushes_ = 0;
  std::size_t largest_pending_ = 0;
};

}  // namespace endhost::pop3::test
