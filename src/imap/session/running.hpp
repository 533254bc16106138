// A FETCH that writes its responses in batches (Session::execute returns Step::More between them), so
// that `FETCH 1:* BODY[]` of a large mailbox never holds more than SessionConfig::batch_bytes of output.
#pragma once

#include <cstdint>
#include <vector>

#include "imap/command.hpp"
#include "imap/session/session.hpp"

namespace endhost::imap {

struct Session::Running {
  Command command;
  std::vector<std::uint32_t> seqs;  // the messages, in the order of the response
  std::vector<bool> set_seen;       // per seq: \Seen was set by this FETCH, so FLAGS goes out with it
  std::size_t next = 0;
  bool needs_body = false;
  bool some_gone = false;  // a message vanished before its turn (NO [EXPUNGEISSUED] at the end)
};

}  // namespace endhost::imap
