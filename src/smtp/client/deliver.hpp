// The SMTP client's I/O: one mail transaction over a connected stream, driving client_session.hpp's
// ClientSession with RFC 5321 §4.5.3.2's deadlines (greeting 5 min, commands 5 min, each block of the body
// 3 min, the reply after the end of data 10 min), STARTTLS through core::starttls_client (which drops what
// the server sent with its 220, the reply-injection twin of CVE-2011-0411), and the conversation as C:/S:
// lines on a transcript. Used by the relay (mail-queue) and `endhost mail send`.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/asio.hpp"
#include "core/stream.hpp"
#include "core/tls_client.hpp"
#include "core/transcript.hpp"
#include "smtp/client/client_session.hpp"

namespace endhost::smtp::client {

struct ClientOptions {
  std::string helo_name;  // "" : "localhost"
  TlsMode tls = TlsMode::Opportunistic;
  bool verify_certificate = false;  // opportunistic TLS does not verify (RFC 7435); --starttls/--tls may
  std::string tls_server_name;      // SNI and the name checked; "" : the peer name given to deliver()
  std::optional<std::pair<std::string, std::string>> auth;  // AUTH PLAIN, or LOGIN when PLAIN is not offered
  std::chrono::seconds connect_timeout{30}, greeting_timeout{300}, command_timeout{300},
      data_block_timeout{180}, data_end_timeout{600};  // RFC 5321 §4.5.3.2
  core::Transcript* trace = nullptr;                   // C:/S: lines; null: none
  // The TLS context to use (trust store, verification); null: a shared one made on first use that trusts
  // the system's store (and verifies only with verify_certificate).
  std::shared_ptr<const core::TlsClientContext> tls_context;
  bool use_chunking = false;  // BDAT (RFC 3030) instead of DATA when CHUNKING is offered
  // The trace's peer column: "" : the result's peer text.
  std::string trace_peer;
};

// One transaction over a connected stream (taken over; closed at the end), QUIT at the end. `peer_name` is
// the host name dialled (the MX name), for the result's peer text and TLS. Never throws; errors are in the
// result (code 0 for the network's).
awaitable<DeliveryResult> deliver(std::unique_ptr<core::Stream> stream, std::string peer_name,
                                  const Transaction& t, const ClientOptions& options);

}  // namespace endhost::smtp::client
