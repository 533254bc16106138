// One DNS-over-TCP connection of the authoritative server (RFC 1035 §4.2.2, RFC 7766): messages framed by a
// two-octet length, any number per connection, pipelined (every complete query already received is answered
// before reading again, and the answers go out in one write), an idle timeout between queries, and AXFR
// (RFC 5936) streamed to clients in --allow-transfer.
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

#include "core/address_acl.hpp"
#include "core/connection.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "dns/server/query_handler.hpp"

namespace endhost::dns::server {

struct TcpSessionConfig {
  // Silence allowed between two queries before the server closes (RFC 7766 §6.2.3).
  std::chrono::milliseconds idle_timeout{10'000};
  // Time allowed to finish receiving a message once it began, and for each write (a client that stops
  // reading is dropped).
  std::chrono::milliseconds io_timeout{10'000};
  // Clients allowed to transfer zones; empty: nobody (every AXFR is REFUSED).
  const core::AddressAcl* allow_transfer = nullptr;
  // Answers to pipelined queries are collected up to this many octets before they are written.
  std::size_t write_batch = 16 * 1024;
};

class TcpSessions {
 public:
  TcpSessions(QueryHandler& handler, TcpSessionConfig config, core::Logger& log,
              core::MetricsRegistry& metrics);
  awaitable<void> serve(core::Connection& conn);
  // AXFR requests answered, completed or refused (from the metrics). Thread-safe.
  std::uint64_t transfers() const { return transfers_ok_->value() + transfers_refused_->value(); }

 private:
  awaitable<bool> transfer(core::Connection& conn, const ParsedQuery& q,
                           std::span<const std::uint8_t> message);
  // `signer`: the request's verified TSIG, which signs the refusal too (RFC 8945 §5.3); null if unsigned.
  awaitable<bool> refuse(core::Connection& conn, const ParsedQuery& q, Rcode rcode, const char* why,
                         TsigSigner* signer);
  awaitable<bool> flush(core::Connection& conn, std::vector<std::uint8_t>& out);

  QueryHandler& handler_;
  TcpSessionConfig config_;
  core::Logger& log_;
  core::Counter* transfers_ok_;
  core::Counter* transfers_refused_;
};

}  // namespace endhost::dns::server
