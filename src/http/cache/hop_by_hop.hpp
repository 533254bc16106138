// Hop-by-hop fields (RFC 9110 §7.6.1): what a proxy removes before forwarding a message and a cache before
// storing one (RFC 9111 §3.1): Connection, every field Connection names, and the fields that are
// connection-specific by definition. Shared by the storage path and the proxy's forwarding path.
#pragma once

#include <string_view>
#include <vector>

#include "http/fields.hpp"

namespace endhost::http::cache {

// The fixed set: Connection, Proxy-Connection, Keep-Alive, TE, Transfer-Encoding, Upgrade, Trailer (we
// re-frame bodies, so the sender's framing and trailer announcement never apply downstream), and
// Proxy-Authorization / Proxy-Authenticate (addressed to this proxy; forwarding them would leak a client's
// proxy credentials to the origin).
bool is_hop_by_hop(std::string_view name) noexcept;

// The field names a message's Connection lines nominate (RFC 9110 §7.6.1), minus the connection options
// "close" and "keep-alive" that name no field. Borrow the message's bytes.
class ConnectionOptions {
 public:
  ConnectionOptions() = default;
  explicit ConnectionOptions(FieldsView fields);
  explicit ConnectionOptions(const Fields& fields);

  // Whether a field of this name must not be forwarded: the fixed set or nominated by Connection.
  bool drop(std::string_view name) const noexcept;

 private:
  void add(std::string_view value);
  std::vector<std::string_view> names_;
};

// Removes every hop-by-hop field (fixed set and nominated) from `fields`.
void remove_hop_by_hop(Fields& fields);

}  // namespace endhost::http::cache
