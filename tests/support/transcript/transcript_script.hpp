// A conversation written down the textbook's way, to be replayed against a sans-I/O session:
//
//   # a comment; blank lines are skipped
//   ! eol lf            C:/S: lines end with LF (the default is CRLF); `! eol none` adds nothing
//   ! datagram          each C: line is one datagram and each S: line one reply datagram (no line ends)
//   ! whole reads       replay in whole blocks only: the session depends on what arrives in one read
//                       (bytes pipelined behind STARTTLS), so feeding a byte at a time would mean otherwise
//   C: HELO crepes.fr   the client sends the text and the line end
//   C< NOOP\n           the client sends exactly the text: no line end is added
//   S: 250-first        the server answers; consecutive S: lines are one expected block, so a multi-line
//   S: 250 last         reply is its lines one after the other
//   S< 250 ok\r\n       the server sends exactly the text
//   ! eof               the client closes its sending side
//   ! closed            the session has ended (it closes the connection)
//   ! advance 250       the session's clock moves on by 250 ms
//   N: text             the session notes this for its log or transcript (not sent to the peer); when a
//                       file has N: lines, every note the session makes must be written down
//
// Texts take escapes: \r \n \t \\ \xHH, and {{N*TEXT}} for TEXT repeated N times (long lines).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/expected.hpp"

namespace endhost::test {

struct TranscriptStep {
  enum class Kind { Client, Server, Note, Eof, Closed, Advance };
  Kind kind = Kind::Client;
  std::string bytes;                  // Client, Server: exact bytes, line end included; Note: the text
  std::chrono::milliseconds delay{};  // Advance
  int line = 0;                       // in the file, for messages
  std::string source;                 // the line as written, for messages
};

struct TranscriptScript {
  std::string name;  // the file's name, for messages
  bool datagram = false;
  bool notes = false;        // it has N: lines, so notes are compared
  bool whole_reads = false;  // `! whole reads`: not replayed a byte at a time
  std::vector<TranscriptStep> steps;
};

// Parses a transcript; errors say `name:line: what`.
Expected<TranscriptScript, std::string> parse_transcript(std::string_view text, std::string name);
Expected<TranscriptScript, std::string> load_transcript(const std::string& path);

// `\r\n` and other control bytes made visible again, for messages.
std::string visible(std::string_view bytes);

}  // namespace endhost::test
