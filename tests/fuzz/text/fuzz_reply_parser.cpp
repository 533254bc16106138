// Feeds arbitrary bytes, in pieces the input picks, to the client-side reply parsers (SMTP, FTP, POP3, IMAP).
// Checks that they stay within their limits and never crash or spin, whatever the server sends.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "text/coded_reply_parser.hpp"
#include "text/imap_response_parser.hpp"
#include "text/pop3_reply_parser.hpp"

namespace {

using namespace endhost::text;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

ParserLimits limits() {
  ParserLimits l;
  l.max_line = 64;
  l.max_lines = 8;
  l.max_buffer = 256;
  l.max_body = 200;
  l.max_literal = 32;
  return l;
}

// Feeds `input` in pieces, calling `drain` after each; `parser` must take something each time.
template <class Parser, class Drain>
void run(Parser& parser, std::string_view input, std::size_t piece, Drain drain) {
  for (std::size_t at = 0; at < input.size(); at += piece) {
    std::string_view chunk = input.substr(at, piece);
    while (!chunk.empty()) {
      const std::size_t n = parser.feed(chunk);
      if (n == 0) return;  // an error stopped the parser: it takes nothing more once it has failed
      chunk.remove_prefix(n);
      if (!drain()) return;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t piece = 1 + data[0] % 17;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const ParserLimits l = limits();

  for (const ReplyDialect dialect : {ReplyDialect::Smtp, ReplyDialect::Ftp}) {
    CodedReplyParser p(dialect, l);
    run(p, input, piece, [&] {
      for (;;) {
        auto r = p.next();
        if (!r) return false;
        if (!*r) return true;
        check((*r)->code >= 100 && (*r)->code <= 599);
        check(!(*r)->lines.empty() && (*r)->lines.size() <= l.max_lines);
        for (const auto& line : (*r)->lines) check(line.size() <= l.max_line);
      }
    });
  }

  Pop3ReplyParser pop3(l);
  std::uint64_t body = 0;
  run(pop3, input, piece, [&] {
    for (;;) {
      const Pop3Event e = pop3.next();
      switch (e.kind) {
        case Pop3Event::Kind::NeedMore:
          return true;
        case Pop3Event::Kind::Error:
          return false;
        case Pop3Event::Kind::Status:
          if (e.ok) pop3.expect_body();  // every +OK as if it answered RETR
          body = 0;
          break;
        case Pop3Event::Kind::BodyChunk:
          body += e.text.size();
          check(body <= l.max_body);
          break;
        default:
          break;
      }
    }
  });

  ImapResponseParser imap(l);
  std::uint64_t literal = 0;
  run(imap, input, piece, [&] {
    for (;;) {
      const ImapEvent e = imap.next();
      switch (e.kind) {
        case ImapEvent::Kind::NeedMore:
          return true;
        case ImapEvent::Kind::Error:
          return false;
        case ImapEvent::Kind::LiteralChunk:
          literal += e.text.size();
          check(literal <= l.max_literal);
          break;
        case ImapEvent::Kind::LiteralEnd:
          literal = 0;
          break;
        default:
          check(e.text.size() <= l.max_line);
          break;
      }
    }
  });
  return 0;
}
