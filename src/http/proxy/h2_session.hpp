// Internal to the proxy: one HTTP/2 connection from a client (RFC 9113), after ALPN chose h2 on TLS or the
// client opened a plain connection with the preface (h2c with prior knowledge, §3.4). The sans-I/O
// http2::ServerConnection does the protocol; each stream is served by its own Session (session.hpp) through
// a StreamSink, so HTTP/2 and HTTP/1.1 clients get the same cache. The origin side stays HTTP/1.1.
#pragma once

#include <string>

#include "core/asio.hpp"
#include "core/connection.hpp"
#include "http/proxy/proxy_state.hpp"

namespace endhost::http::proxy {

// `preread`: what the HTTP/1.1 session had already read (the preface and whatever followed it).
awaitable<void> run_h2_session(ProxyState& state, core::Connection& conn, std::string& preread);

}  // namespace endhost::http::proxy
