#include "dns/server/address_acl.hpp"

#include <charconv>

namespace endhost::dns::server {

namespace {

bool prefix_matches(const unsigned char* a, const unsigned char* b, unsigned bits) {
  unsigned whole = bits / 8;
  for (unsigned i = 0; i < whole; ++i) {
    if (a[i] != b[i]) return false;
  }
  unsigned rest = bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<unsigned char>(0xFF << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace

Expected<void, std::string> AddressAcl::add(std::string_view cidr) {
  auto bad = [&](const std::string& why) {
    return Unexpected("'" + std::string(cidr) + "' is not an address block: " + why +
                      " (write 127.0.0.1, 10.0.0.0/8 or 2001:db8::/32)");
  };
  std::string_view addr_text = cidr;
  std::string_view prefix_text;
  if (auto slash = cidr.find('/'); slash != std::string_view::npos) {
    addr_text = cidr.substr(0, slash);
    prefix_text = cidr.substr(slash + 1);
  }
  boost::system::error_code ec;
  auto address = asio::ip::make_address(std::string(addr_text), ec);
  if (ec) return bad("'" + std::string(addr_text) + "' is not an IP address");
  Block b;
  b.v6 = address.is_v6();
  unsigned max_bits = b.v6 ? 128 : 32;
  b.prefix = max_bits;
  if (!prefix_text.empty() || cidr.find('/') != std::string_view::npos) {
    unsigned p = 0;
    auto [end, err] = std::from_chars(prefix_text.data(), prefix_text.data() + prefix_text.size(), p);
    if (err != std::errc() || end != prefix_text.data() + prefix_text.size() || prefix_text.empty() ||
        p > max_bits)
      return bad("the prefix length must be 0 to " + std::to_string(max_bits));
    b.prefix = p;
  }
  if (b.v6) {
    b.bytes = address.to_v6().to_bytes();
  } else {
    auto v4 = address.to_v4().to_bytes();
    std::copy(v4.begin(), v4.end(), b.bytes.begin());
  }
  // Host bits set below the prefix: almost always a mistake in the operator's config.
  for (unsigned bit = b.prefix; bit < max_bits; ++bit) {
    if (b.bytes[bit / 8] & (0x80 >> (bit % 8))) return bad("bits are set after the prefix length");
  }
  blocks_.push_back(b);
  return {};
}

bool AddressAcl::allows(const asio::ip::address& address) const {
  bool v6 = address.is_v6();
  asio::ip::address_v6::bytes_type bytes{};
  if (v6 && address.to_v6().is_v4_mapped()) {
    v6 = false;
    auto v4 = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_bytes();
    std::copy(v4.begin(), v4.end(), bytes.begin());
  } else if (v6) {
    bytes = address.to_v6().to_bytes();
  } else {
    auto v4 = address.to_v4().to_bytes();
    std::copy(v4.begin(), v4.end(), bytes.begin());
  }
  for (const auto& b : blocks_) {
    if (b.v6 == v6 && prefix_matches(b.bytes.data(), bytes.data(), b.prefix)) return true;
  }
  return false;
}

}  // namespace endhost::dns::server
