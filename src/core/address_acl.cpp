#include "core/address_acl.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace endhost::core {

namespace {

// RFC 4291 §2.5.5.2: ::ffff:0:0/96 carries an IPv4 address in its last 32 bits.
constexpr std::array<std::uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool is_v4_mapped(std::span<const std::uint8_t> a) {
  return a.size() == 16 && std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), a.begin());
}

bool prefix_matches(const std::uint8_t* a, const std::uint8_t* network, unsigned bits) {
  const unsigned whole = bits / 8;
  if (!std::equal(a, a + whole, network)) return false;
  const unsigned rest = bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (a[whole] & mask) == network[whole];
}

}  // namespace

Expected<AddressBlock, std::string> AddressBlock::parse(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Unexpected("'" + std::string(text) + "' is not an address block: " + why +
                      " (write 127.0.0.1, 10.0.0.0/8 or 2001:db8::/32)");
  };
  const auto slash = text.find('/');
  const std::string address(text.substr(0, slash));
  AddressBlock b;
  if (::inet_pton(AF_INET, address.c_str(), b.network.data()) == 1) {
    b.v6 = false;
  } else if (::inet_pton(AF_INET6, address.c_str(), b.network.data()) == 1) {
    b.v6 = true;
  } else {
    return bad("'" + address + "' is not an IP address");
  }
  const unsigned max = b.v6 ? 128 : 32;
  b.prefix = max;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    unsigned p = 0;
    auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), p);
    if (digits.empty() || err != std::errc() || end != digits.data() + digits.size() || p > max)
      return bad("the prefix length must be 0 to " + std::to_string(max));
    b.prefix = p;
  }
  if (b.v6 && is_v4_mapped(b.network) && b.prefix >= 96) {
    std::copy(b.network.begin() + 12, b.network.end(), b.network.begin());
    std::fill(b.network.begin() + 4, b.network.end(), 0);
    b.v6 = false;
    b.prefix -= 96;
  }
  AddressBlock cleared = b;
  for (unsigned bit = b.prefix; bit < (b.v6 ? 128u : 32u); ++bit)
    cleared.network[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  if (cleared.network != b.network)
    return bad("bits are set after the prefix length; did you mean " + cleared.to_string() + "?");
  return b;
}

bool AddressBlock::contains(std::span<const std::uint8_t> address) const {
  const bool mapped = is_v4_mapped(address);
  const bool a_v6 = address.size() == 16 && !mapped;
  if (a_v6 != v6 || (address.size() != 4 && address.size() != 16)) return false;
  return prefix_matches(mapped ? address.data() + 12 : address.data(), network.data(), prefix);
}

std::string AddressBlock::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(v6 ? AF_INET6 : AF_INET, network.data(), text, sizeof text);
  return std::string(text) + "/" + std::to_string(prefix);
}

AddressAcl AddressAcl::loopback() {
  AddressAcl acl;
  acl.add(*AddressBlock::parse("127.0.0.0/8"));
  acl.add(*AddressBlock::parse("::1"));
  return acl;
}

Expected<AddressAcl, std::string> AddressAcl::parse(const std::vector<std::string>& blocks) {
  AddressAcl acl;
  for (const std::string& text : blocks) {
    auto added = acl.add(text);
    if (!added) return Unexpected(added.error());
  }
  return acl;
}

Expected<void, std::string> AddressAcl::add(std::string_view block) {
  auto b = AddressBlock::parse(block);
  if (!b) return Unexpected(b.error());
  blocks_.push_back(*b);
  return {};
}

bool AddressAcl::allows(std::span<const std::uint8_t> address) const {
  return std::any_of(blocks_.begin(), blocks_.end(),
                     [&](const AddressBlock& b) { return b.contains(address); });
}

}  // namespace endhost::core
