// Drives an imap::Session as the I/O does (src/mail/server/imap_session.cpp), synchronously: bytes in
// through a text::CommandReader, every Step carried out at once (execute()/resume() inline, STARTTLS as a
// successful handshake), the output collected.
#pragma once

#include <string>
#include <string_view>

#include "imap/session/session.hpp"
#include "text/command_reader.hpp"

namespace endhost::imap::testing {

class Driver {
 public:
  Driver(SessionConfig config, Directory& directory)
      : session(std::move(config), directory), reader(session.reader_config()) {}

  std::string greet() {
    session.greeting();
    return take();
  }

  // Sends `bytes`; returns everything the session wrote in answer.
  std::string send(std::string_view bytes) {
    while (!bytes.empty() && !closed) {
      const std::size_t n = reader.feed(bytes);
      bytes.remove_prefix(n);
      pump();
      if (n == 0) break;
    }
    return take();
  }

  // The session was idling: a mailbox changed (the I/O's listener).
  std::string idle_update() {
    session.idle_update();
    return take();
  }

  bool closed = false;
  int more_steps = 0;
  int tls_upgrades = 0;
  imap::Session session;
  text::CommandReader reader;

 private:
  std::string take() {
    std::string out(session.output());
    session.consumed(out.size());
    return out;
  }
  void act(Step s) {
    for (;;) {
      switch (s) {
        case Step::None:
        case Step::Idle:
          return;
        case Step::Execute:
          s = session.execute();
          continue;
        case Step::More:
          ++more_steps;
          s = session.resume();
          continue;
        case Step::StartTls:
          ++tls_upgrades;
          reader.discard_buffered();
          s = session.tls_ready(true);
          continue;
        case Step::Close:
          closed = true;
          return;
      }
    }
  }
  void pump() {
    for (;;) {
      if (closed) return;
      const text::ReadEvent e = reader.next();
      switch (e.kind) {
        case text::ReadEvent::Kind::NeedMore:
        case text::ReadEvent::Kind::AwaitingDecision:
          return;
        case text::ReadEvent::Kind::Line:
          act(session.on_line(e.text));
          break;
        case text::ReadEvent::Kind::LiteralAnnounced:
          if (session.on_literal(e.text, e.literal_size, e.non_synchronizing) == LiteralDecision::Accept &&
              reader.accept_literal())
            break;
          act(session.literal_refused(reader.refuse_literal()));
          break;
        case text::ReadEvent::Kind::LiteralChunk:
          session.literal_chunk(e.text);
          break;
        case text::ReadEvent::Kind::LiteralEnd:
          act(session.literal_end());
          break;
        case text::ReadEvent::Kind::Error:
          act(session.on_read_error(e.error));
          break;
        default:
          break;
      }
    }
  }
};

}  // namespace endhost::imap::testing
