// How an HTTP exchange with a server can fail, in the categories that callers treat differently: the proxy
// maps them to 502 or 504, `endhost fetch` to distinct exit codes (as curl's 6, 7, 28…).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace endhost::http {

enum class ClientErrc : std::uint8_t {
  dns,          // the host name did not resolve
  connect,      // no TCP connection (refused, unreachable)
  timeout,      // connect, send or a read took longer than allowed
  send,         // the connection broke while sending the request
  protocol,     // the response is not valid HTTP/1.x (or its head is over the limits)
  closed,       // the server closed the connection before the response was complete
  tls,          // the TLS handshake failed (not TLS, no common version or cipher…)
  certificate,  // the server's certificate does not verify (untrusted, expired, another name)
  refused,      // policy: the destination is not allowed
};

struct ClientError {
  ClientErrc code;
  std::string message;  // one line for logs and users: "connect to 127.0.0.1:8080: connection refused"
};

std::string_view to_string(ClientErrc code) noexcept;

}  // namespace endhost::http
