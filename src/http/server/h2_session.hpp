// Internal to the web server: one HTTP/2 connection (RFC 9113), after ALPN chose h2 on TLS or the client
// opened a plain connection with the preface (h2c with prior knowledge, §3.3). The sans-I/O
// http2::ServerConnection does the protocol; this session moves bytes, serves each stream through the same
// router and handlers as HTTP/1.1 (request_router.hpp), and sends file bodies by sendfile(2) between the
// frame bytes.
#pragma once

#include <string>

#include "core/asio.hpp"
#include "core/connection.hpp"
#include "http/server/server_state.hpp"

namespace endhost::web {

// `preread`: what the HTTP/1.1 session had already read (the preface and whatever followed it).
awaitable<void> run_h2_session(ServerState& server, core::Connection& conn, std::string& preread);

}  // namespace endhost::web
