// Internal to the web server: one HTTP/1.x connection, from its first byte to its close. The loop reads into
// a pooled buffer, parses heads in place, answers pipelined requests in order into one reused output buffer,
// and sends file bodies with sendfile(2). Sockets are used non-blocking and directly (recv, send, sendfile);
// Asio is only asked to wait for readiness, which keeps the common case to one system call per step.
#pragma once

#include "core/asio.hpp"
#include "core/connection.hpp"
#include "http/server/server_state.hpp"

namespace endhost::web {

awaitable<void> run_http_session(ServerState& server, core::Connection& conn);

// The answer to a connection over the limit: read a little of the request (so closing does not reset the
// connection before the client reads the answer), send 503 with Retry-After, close.
awaitable<void> refuse_http_connection(ServerState& server, core::Connection& conn);

}  // namespace endhost::web
