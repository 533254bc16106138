// Everything `endhost proxy serve` can be told, in one value: routing (forward or reverse), which tunnels
// and PURGEs are allowed, timeouts and limits on both sides, and what the proxy calls itself in Via and
// Cache-Status.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/address_acl.hpp"
#include "core/asio.hpp"
#include "core/name_resolver.hpp"
#include "core/socket_place.hpp"
#include "core/transcript.hpp"
#include "http/limits.hpp"
#include "http/proxy/route.hpp"

namespace endhost::http::proxy {

struct ProxyConfig {
  RouteConfig routes;
  std::vector<PortRange> connect_ports{{443, 443}};            // CONNECT destinations (RFC 9110 §9.3.6)
  core::AddressAcl purge_from = core::AddressAcl::loopback();  // clients allowed to PURGE
  // Forward mode: destinations let through the guard against loopback, link-local and our own addresses
  // (destination.hpp). Reverse mode dials only its configured origins and is not guarded.
  core::AddressAcl allow_destinations;
  // Our Via entry (RFC 9110 §7.6.3), whose received-protocol is that of the message we forward: `via` for
  // what came over HTTP/1.1 (responses from the origin, requests from HTTP/1.1 clients), `via_h2` for a
  // request that came over HTTP/2 ("2", as §7.6.3 names it).
  std::string via = "1.1 endhost";
  std::string via_h2 = "2 endhost";
  std::string cache_name = "endhost";  // our Cache-Status name (RFC 9211 §2)
  // Reverse mode: what we add as Surrogate-Capability to requests for the origin (surrogate_control.hpp).
  std::string surrogate_capability;
  bool collapse = true;  // collapse concurrent misses (docs/internals/cache.md)

  // Client side.
  std::chrono::milliseconds idle_timeout{60'000};    // between requests on a keep-alive connection
  std::chrono::milliseconds header_timeout{30'000};  // to receive a whole request head
  std::chrono::milliseconds send_timeout{60'000};    // a client that stops reading is dropped
  Limits request_limits;                             // request heads and bodies (max_body_size: 413)
  // Request bodies are read whole before they are forwarded: all connections together hold at most this
  // many body bytes (a request that would go over is refused with 503). Without it the bound would be
  // max_body_size × connections.
  std::uint64_t max_body_buffer = 256ull << 20;

  // Upstream side.
  std::chrono::milliseconds connect_timeout{10'000};
  // Origin and CONNECT host names become addresses through this (IP literals skip it); null: the system's.
  std::shared_ptr<const core::NameResolver> resolver;
  // Where origin connections leave from (core::ServiceEnv::source_address); empty: any.
  std::optional<asio::ip::address> source_address;
  // Where origin connections are made (core::ServiceEnv::socket_place: the lab host's namespace).
  core::SocketPlace socket_place{};
  std::chrono::milliseconds upstream_timeout{30'000};  // request sent → response head (504 after)
  std::chrono::milliseconds read_timeout{30'000};      // longest silence inside a body (response or request)
  std::chrono::milliseconds tunnel_idle_timeout{300'000};
  Limits response_limits = Limits::for_responses();  // upstream heads: over the limit → 502

  core::Transcript client_transcript;    // browser ↔ cache
  core::Transcript upstream_transcript;  // cache ↔ origin
};

}  // namespace endhost::http::proxy
