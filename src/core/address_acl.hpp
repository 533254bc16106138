// A list of address blocks (CIDR prefixes, IPv4 and IPv6) that a service consults before doing something a
// stranger must not be able to trigger: answering as a resolver (--allow), a zone transfer or NOTIFY
// (--allow-transfer), a PURGE (--purge-from). No sockets: the sans-I/O cores use it on octets, and
// core/address_acl_asio.hpp matches Asio addresses. Immutable once built, so every loop may read it.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace endhost::core {

// One block: a network address with its host bits clear, and the prefix length.
struct AddressBlock {
  std::array<std::uint8_t, 16> network{};  // IPv4 in the first four octets
  bool v6 = false;
  unsigned prefix = 0;

  // "192.0.2.0/24", "2001:db8::/32", or a bare address (a /32 or /128). An IPv4-mapped IPv6 block
  // (::ffff:10.0.0.0/104) is the IPv4 block it carries. Host bits set after the prefix are refused, since
  // they usually mean a typo ("10.1.2.3/8"). The error is one line naming the text and what to write.
  static Expected<AddressBlock, std::string> parse(std::string_view text);

  // `address` is 4 octets (IPv4) or 16 (IPv6, IPv4-mapped ones matched as IPv4).
  bool contains(std::span<const std::uint8_t> address) const;
  std::string to_string() const;  // 10.0.0.0/8, 2001:db8::/32
};

class AddressAcl {
 public:
  AddressAcl() = default;  // allows nobody
  // 127.0.0.0/8 and ::1: the safe default of every listener that takes an ACL.
  static AddressAcl loopback();
  // Every text parsed as a block; the first bad one is the error.
  static Expected<AddressAcl, std::string> parse(const std::vector<std::string>& blocks);

  Expected<void, std::string> add(std::string_view block);
  void add(const AddressBlock& block) { blocks_.push_back(block); }

  // True if `address` (4 or 16 octets) lies in one of the blocks.
  bool allows(std::span<const std::uint8_t> address) const;
  bool empty() const { return blocks_.empty(); }
  std::size_t size() const { return blocks_.size(); }
  const std::vector<AddressBlock>& blocks() const { return blocks_; }

 private:
  std::vector<AddressBlock> blocks_;
};

}  // namespace endhost::core
