// Replays a transcript (transcript_script.hpp) against a sans-I/O session: the C: bytes go in, whatever the
// session sends is compared with the S: lines that follow them, and the first difference is reported with its
// line number. Stream transcripts run twice, in whole blocks and a byte at a time, so a session that depends
// on how reads split its input fails.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "transcript_script.hpp"

namespace endhost::test {

// What a session under test shows the harness.
class ReplaySession {
 public:
  virtual ~ReplaySession() = default;
  // A stream session gets bytes as reads give them, split anywhere; a datagram session one datagram.
  virtual void receive(std::string_view bytes) = 0;
  virtual void end_of_input() {}
  virtual void advance(std::chrono::milliseconds by) { (void)by; }
  // What the session sent since the last call: bytes for a stream (concatenated), one entry per datagram.
  virtual std::vector<std::string> take_output() = 0;
  // What the session noted for its log or transcript since the last call, one entry per note.
  virtual std::vector<std::string> take_notes() { return {}; }
  virtual bool closed() const = 0;
};

enum class Feeding { WholeBlocks, ByteByByte };

// An empty string when every reply matched; else `name:line: what differed`.
std::string replay(const TranscriptScript& script, ReplaySession& session, Feeding feeding);

// Loads `path` and replays it with a fresh session from `make`: in whole blocks, and for stream transcripts
// a byte at a time too. Returns every failure, one per line; empty when it all matched.
std::string replay_file(const std::string& path, const std::function<std::unique_ptr<ReplaySession>()>& make);

// The *.txt files in `dir`, sorted.
std::vector<std::string> transcript_files(const std::string& dir);

}  // namespace endhost::test
