// What the dashboard's buttons do: a DNS query through the lab's resolver, one ping to the lab's pinger, a
// GET through the lab's Web cache. Each runs on the calling connection's loop with a time limit and returns a
// text for the page; the services' own transcripts show the exchange in the dashboard as it happens.
#pragma once

#include <optional>
#include <string>

#include "core/asio.hpp"
#include "core/socket_place.hpp"
#include "dns/types.hpp"

namespace endhost::lab {

struct ActionResult {
  bool ok = false;
  std::string text;   // dig-like answer, ping reply, response head; or the error
  double millis = 0;  // time from sending to the answer
};

// Types the dashboard offers (the others are for dig).
bool parse_query_type(std::string_view text, dns::RRType& out);
// A host name a user may ask for: letters, digits, '-', '_' and dots, at most 253 characters.
bool valid_query_name(std::string_view name);

// Each sends from `source` when set: the dashboard host's address, so that the lab's logs show who asked.
// `place` (borrowed; null: here): where the sockets are made, the dashboard host's namespace with emulated
// links.
awaitable<ActionResult> resolve_through(asio::ip::udp::endpoint resolver, std::string name, dns::RRType type,
                                        std::optional<asio::ip::address> source,
                                        const core::SocketPlace* place = nullptr);
awaitable<ActionResult> ping_once(asio::ip::udp::endpoint server, std::uint64_t seq,
                                  std::optional<asio::ip::address> source,
                                  const core::SocketPlace* place = nullptr);
// GET `url` (absolute http://) through the forward proxy at `proxy`; the result is the response head and
// the body size.
awaitable<ActionResult> fetch_through(asio::ip::tcp::endpoint proxy, std::string url,
                                      std::optional<asio::ip::address> source,
                                      const core::SocketPlace* place = nullptr);

}  // namespace endhost::lab
