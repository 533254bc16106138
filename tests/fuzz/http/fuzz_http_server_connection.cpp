// Fuzz the HTTP/1 server connection state machine: the input is fed in pieces whose size the first byte
// picks, requests are answered early or late as the second byte's bits say, and every event must keep the
// machine's promises (body spans inside what was fed, a head readable until its response, no event after
// closed). Between requests the connection moves to the other of two objects (park, resume) now and then,
// as a server that lends idle connections' objects to a pool does.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/server_connection.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t piece = data[0] % 64 + 1;
  const std::uint8_t policy = data[1];
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);
  endhost::http::ServerConnection::Options options;
  options.limits.max_head_bytes = 2048;
  options.limits.max_body_size = 4096;
  options.max_drain = policy & 1 ? 16 : 1024;
  options.read_size = 256;
  endhost::http::ServerConnection objects[2] = {endhost::http::ServerConnection(options),
                                                endhost::http::ServerConnection(options)};
  endhost::http::ServerConnection* c = &objects[0];
  using Event = endhost::http::ServerConnection::Event;
  std::size_t fed = 0, body = 0, events = 0;
  unsigned turn = 0;
  for (;;) {
    if (++events > 100000) std::abort();  // every event makes progress
    switch (c->next()) {
      case Event::need_more:
        if (c->lendable() && (turn & 1)) {
          const std::uint64_t requests = c->requests();
          const auto parked = c->park();
          c = c == &objects[0] ? &objects[1] : &objects[0];
          c->resume(parked);
          if (c->requests() != requests || !c->lendable()) std::abort();
        }
        if (fed == input.size()) {
          c->end_of_input();
        } else {
          fed += c->feed(input.substr(fed, piece));
        }
        break;
      case Event::head:
        if (!c->has_head()) std::abort();
        if ((policy >> (++turn % 7 + 1)) & 1) c->response_done(turn % 5 == 0);
        break;
      case Event::body:
        body += c->body_data().size();
        if (c->body_data().empty() || body > fed) std::abort();
        break;
      case Event::error:
        if (c->error().must_close && c->keep_alive()) std::abort();
        c->response_done();
        break;
      case Event::respond:
        if (!c->has_head() || c->head().method.empty()) std::abort();
        c->response_done();
        break;
      case Event::send_continue:
      case Event::body_end:
        break;
      case Event::closed:
        if (c->next() != Event::closed) std::abort();
        return 0;
    }
  }
}
