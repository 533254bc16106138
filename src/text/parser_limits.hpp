// The bounds of the client sides' reply parsers: a server's reply can be as hostile as a client's command.
#pragma once

#include <cstddef>
#include <cstdint>

#include "text/command_reader.hpp"

namespace endhost::text {

struct ParserLimits {
  std::size_t max_line = 2048;         // a reply line without CRLF (RFC 5321 says 512; EHLO lines run longer)
  std::size_t max_lines = 256;         // lines in one SMTP/FTP reply
  std::size_t max_buffer = 16 * 1024;  // bytes held at once
  std::uint64_t max_body = 64 << 20;   // a POP3 multi-line body
  std::uint64_t max_literal = 64 << 20;  // an IMAP literal from the server
};

// The command reader under a reply parser, bounded by `limits`; IMAP's also takes the server's literals.
inline ReaderConfig reply_reader_config(const ParserLimits& limits, bool literals = false) {
  ReaderConfig config;
  config.literals = literals;
  config.limits.max_line = limits.max_line;
  config.limits.max_buffer = limits.max_buffer;
  if (literals) config.limits.max_literal = limits.max_literal;
  return config;
}

}  // namespace endhost::text
