#include "http/client/pinned_address.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace endhost::http {

namespace {

std::string normal_host(std::string_view host) {
  std::string h(host);
  if (!h.empty() && h.back() == '.') h.pop_back();
  std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return std::tolower(c); });
  return h;
}

}  // namespace

Expected<PinnedAddress, std::string> parse_pinned_address(std::string_view text) {
  const std::string shown = "--resolve '" + std::string(text) + "'";
  const std::size_t c1 = text.find(':');
  const std::size_t c2 = c1 == std::string_view::npos ? c1 : text.find(':', c1 + 1);
  if (c2 == std::string_view::npos || c1 == 0)
    return Unexpected(shown + ": expected HOST:PORT:ADDR (e.g. www.lab:80:127.20.0.10)");
  PinnedAddress pin;
  pin.host = normal_host(text.substr(0, c1));
  const std::string_view port = text.substr(c1 + 1, c2 - c1 - 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535)
    return Unexpected(shown + ": '" + std::string(port) + "' is not a port number (1-65535)");
  pin.port = static_cast<std::uint16_t>(value);
  std::string_view rest = text.substr(c2 + 1);
  while (!rest.empty() || pin.addresses.empty()) {
    const std::size_t comma = rest.find(',');
    std::string_view one = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (one.size() >= 2 && one.front() == '[' && one.back() == ']') one = one.substr(1, one.size() - 2);
    boost::system::error_code bad;
    auto address = asio::ip::make_address(std::string(one), bad);
    if (bad) return Unexpected(shown + ": '" + std::string(one) + "' is not an IP address");
    pin.addresses.push_back(address);
  }
  return pin;
}

const PinnedAddress* find_pinned(const std::vector<PinnedAddress>& pins, std::string_view host,
                                 std::uint16_t port) {
  if (pins.empty()) return nullptr;
  const std::string h = normal_host(host);
  for (const auto& p : pins)
    if (p.port == port && p.host == h) return &p;
  return nullptr;
}

}  // namespace endhost::http
