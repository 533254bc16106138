#include "core/host_port.hpp"

#include <charconv>

namespace endhost::core {

std::string HostPort::to_string() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Expected<std::uint16_t, std::string> parse_port(std::string_view text) {
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value > 65535) {
    return Unexpected("'" + std::string(text) + "' is not a port number (0-65535)");
  }
  return static_cast<std::uint16_t>(value);
}

Expected<HostPort, std::string> parse_host_port(std::string_view text,
                                                std::optional<std::uint16_t> default_port) {
  auto quoted = "'" + std::string(text) + "'";
  if (text.empty()) return Unexpected(std::string("the address is empty; expected HOST:PORT"));
  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  if (text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return Unexpected(quoted + " has no closing ']'");
    host = text.substr(1, close - 1);
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Unexpected(quoted + " has text after ']' that is not ':PORT'");
      port_text = rest.substr(1);
      has_port = true;
    }
    if (host.find(':') == std::string_view::npos)
      return Unexpected(quoted + ": brackets are for IPv6 addresses");
  } else {
    auto colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') != colon) {
      return Unexpected(quoted + " looks like an IPv6 address; write it as [ADDRESS]:PORT");
    }
    if (colon == std::string_view::npos) {
      host = text;
    } else {
      host = text.substr(0, colon);
      port_text = text.substr(colon + 1);
      has_port = true;
    }
  }
  if (host.empty()) return Unexpected(quoted + " has no host part; expected HOST:PORT");
  HostPort hp{std::string(host), 0};
  if (has_port) {
    auto port = parse_port(port_text);
    if (!port) return Unexpected(quoted + ": " + port.error());
    hp.port = *port;
  } else if (default_port) {
    hp.port = *default_port;
  } else {
    return Unexpected(quoted + " has no port; expected HOST:PORT");
  }
  return hp;
}

}  // namespace endhost::core
