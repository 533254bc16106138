// AddressAcl over Asio's address type, for the session code that has a peer's endpoint in hand.
#pragma once

#include "core/address_acl.hpp"
#include "core/asio.hpp"

namespace endhost::core {

inline bool allows(const AddressAcl& acl, const asio::ip::address& address) {
  if (address.is_v4()) {
    const auto octets = address.to_v4().to_bytes();
    return acl.allows(octets);
  }
  const auto octets = address.to_v6().to_bytes();
  return acl.allows(octets);
}

}  // namespace endhost::core
