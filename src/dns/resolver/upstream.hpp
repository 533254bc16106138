// Carries out one query the engine asks for (a Transmit) over the network and feeds back what arrives, on
// the calling coroutine's event loop. UDP queries leave from a fresh socket bound to a random port (RFC 5452
// §9.2: with the random ID, about 2^32 guesses for an off-path spoofer), and every datagram that reaches it
// before the timeout is offered to the engine, which accepts only the real answer; TCP queries open a
// connection, send the length-prefixed query and read length-prefixed messages until one is accepted.
#pragma once

#include <cstddef>
#include <optional>

#include "core/asio.hpp"
#include "core/random.hpp"
#include "core/socket_place.hpp"
#include "dns/resolver/resolution.hpp"

namespace endhost::dns::resolver {

// Conversions between the engine's address values and Boost.Asio's.
IpAddress to_ip(const asio::ip::address& a);
asio::ip::address to_asio(const IpAddress& a);
Instant engine_now();

// Sends r.transmit() and returns once the engine accepted an answer or was told of the timeout (then the
// Resolution has moved on: done, or with a new transmit). `source`, when set, is the address the query leaves
// from (the lab host's own, ServiceEnv::source_address), and `place` where its socket is made (the lab host's
// namespace, ServiceEnv::socket_place); both must outlive the call.
awaitable<void> exchange(Resolution& r, core::RandomSource& random,
                         const std::optional<asio::ip::address>& source, const core::SocketPlace& place);

}  // namespace endhost::dns::resolver
