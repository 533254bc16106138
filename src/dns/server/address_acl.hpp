// A list of address prefixes (CIDR blocks) that a server consults before doing something a stranger must not
// be able to trigger: a zone transfer (--allow-transfer) or a NOTIFY from a primary. Empty means "nobody".
// Immutable once built and read from every loop, so it needs no lock.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/asio.hpp"
#include "core/expected.hpp"

namespace endhost::dns::server {

class AddressAcl {
 public:
  // Adds "192.0.2.0/24", "2001:db8::/32", or a bare address (a /32 or /128). The error is a sentence naming
  // the bad text. Host bits beyond the prefix are refused, as they usually mean a typo ("10.1.2.3/8").
  Expected<void, std::string> add(std::string_view cidr);
  // True if `address` lies in one of the blocks. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is matched
  // as the IPv4 address it carries.
  bool allows(const asio::ip::address& address) const;
  bool empty() const { return blocks_.empty(); }
  std::size_t size() const { return blocks_.size(); }

 private:
  struct Block {
    bool v6 = false;
    asio::ip::address_v6::bytes_type bytes{};  // IPv4 in the first four octets
    unsigned prefix = 0;
  };
  std::vector<Block> blocks_;
};

}  // namespace endhost::dns::server
