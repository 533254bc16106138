#include "dns/resolver/acl.hpp"

#include <charconv>

namespace endhost::dns::resolver {

namespace {

bool prefix_matches(const IpAddress& a, const IpAddress& network, std::uint8_t prefix) {
  std::size_t full = prefix / 8;
  for (std::size_t i = 0; i < full; ++i) {
    if (a.bytes[i] != network.bytes[i]) return false;
  }
  if (prefix % 8 == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xFF << (8 - prefix % 8));
  return (a.bytes[full] & mask) == network.bytes[full];
}

}  // namespace

endhost::Expected<Cidr, std::string> Cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  std::string_view addr_text = text.substr(0, slash);
  auto addr = IpAddress::parse(addr_text);
  if (!addr) {
    return endhost::Unexpected("'" + std::string(text) +
                               "' is not an address or prefix (examples: 127.0.0.1, 10.0.0.0/8, ::1/128)");
  }
  unsigned max = addr->v6 ? 128 : 32;
  unsigned prefix = max;
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (p.empty() || ec != std::errc() || end != p.data() + p.size() || prefix > max) {
      return endhost::Unexpected("'" + std::string(text) + "': the prefix length must be 0 to " +
                                 std::to_string(max));
    }
  }
  Cidr c{*addr, static_cast<std::uint8_t>(prefix)};
  IpAddress cleared{};
  cleared.v6 = addr->v6;
  for (std::size_t i = 0; i < addr->size(); ++i) {
    std::size_t bit = i * 8;
    if (bit + 8 <= prefix) {
      cleared.bytes[i] = addr->bytes[i];
    } else if (bit < prefix) {
      cleared.bytes[i] = static_cast<std::uint8_t>(addr->bytes[i] & (0xFF << (8 - (prefix - bit))));
    }
  }
  if (!(cleared == *addr)) {
    return endhost::Unexpected("'" + std::string(text) + "' has host bits set; did you mean " +
                               cleared.to_string() + "/" + std::to_string(prefix) + "?");
  }
  return c;
}

bool Cidr::contains(const IpAddress& a) const {
  return a.v6 == network.v6 && prefix_matches(a, network, prefix);
}

std::string Cidr::to_string() const {
  return network.to_string() + "/" + std::to_string(prefix);
}

Acl Acl::loopback() {
  return Acl({*Cidr::parse("127.0.0.0/8"), *Cidr::parse("::1/128")});
}

bool Acl::allows(const IpAddress& client) const {
  IpAddress a = client.unmapped();
  for (const auto& c : allowed_) {
    if (c.contains(a)) return true;
  }
  return false;
}

}  // namespace endhost::dns::resolver
