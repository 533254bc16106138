// The proxy's route policy over any request head (the first byte picks forward or reverse mode and the
// allowed ports). Whatever the head says, a route never leaves the policy: forward mode reaches only an
// allowed port of the target's host over http, reverse mode only a configured origin, and CONNECT only an
// allowed port in forward mode. This is the open-relay property, checked on every input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "http/proxy/route.hpp"
#include "http/request_parser.hpp"

namespace {

using namespace endhost::http;
using namespace endhost::http::proxy;

bool allowed(const std::vector<PortRange>& ports, std::uint16_t port) {
  return std::any_of(ports.begin(), ports.end(), [&](const PortRange& r) { return r.contains(port); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t choice = data[0];
  std::string_view wire(reinterpret_cast<const char*>(data + 1), size - 1);

  RouteConfig config;
  config.mode = choice & 1 ? ProxyMode::reverse : ProxyMode::forward;
  if (choice & 2) config.forward_ports = {{8000, 8999}};
  if (config.mode == ProxyMode::reverse) {
    config.origins.push_back(OriginRule{"a.test", *parse_url("http://127.0.0.1:8001")});
    if (choice & 4) config.origins.push_back(OriginRule{"", *parse_url("http://[::1]:8002")});
  }
  const std::vector<PortRange> connect_ports =
      choice & 8 ? std::vector<PortRange>{{443, 443}, {5000, 5999}} : std::vector<PortRange>{{443, 443}};

  RequestParser parser;
  auto step = parser.parse_head(wire);
  if (!step || !parser.head_done()) return 0;
  const RequestHead& head = parser.head();

  if (head.method_id == Method::connect) {
    auto target = route_connect(head, config, connect_ports);
    if (target && (config.mode != ProxyMode::forward || !allowed(connect_ports, target->port)))
      __builtin_trap();
    return 0;
  }
  auto route = route_request(head, config);
  if (!route) {
    if (route.error().reason.empty()) __builtin_trap();  // every refusal says why
    return 0;
  }
  if (route->target.scheme != "http" || route->host_header.empty()) __builtin_trap();
  if (config.mode == ProxyMode::forward) {
    if (route->upstream_host != route->target.host || route->upstream_port != route->target.port)
      __builtin_trap();
    if (!allowed(config.forward_ports, route->upstream_port)) __builtin_trap();
  } else {
    const bool configured =
        std::any_of(config.origins.begin(), config.origins.end(), [&](const OriginRule& r) {
          return r.origin.host == route->upstream_host && r.origin.port == route->upstream_port;
        });
    if (!configured) __builtin_trap();
  }
  return 0;
}
