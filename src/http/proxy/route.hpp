// Where a request goes: the target URI as the client sees it (the cache key, and the base for invalidation)
// and the upstream to connect to. A forward proxy takes absolute-form requests (RFC 9112 §3.2.2) to any
// allowed port; a reverse proxy maps the Host of origin-form requests to one of its configured origins.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/expected.hpp"
#include "core/host_port.hpp"
#include "http/request_parser.hpp"
#include "http/status.hpp"
#include "http/url.hpp"

namespace endhost::http::proxy {

enum class ProxyMode : std::uint8_t { forward, reverse };

struct OriginRule {
  std::string host;  // lower-case Host (without port) this rule serves; "" serves every Host
  Url origin;        // where requests go: scheme http, host, port (its path is not used)
};

struct PortRange {
  std::uint16_t first = 0;
  std::uint16_t last = 0;
  bool contains(std::uint16_t p) const noexcept { return p >= first && p <= last; }
};

struct RouteConfig {
  ProxyMode mode = ProxyMode::forward;
  std::vector<OriginRule> origins;  // reverse mode
  // Forward mode: ports an http:// request may reach. Squid's Safe_ports idea: 80 and the unprivileged
  // range, so the proxy cannot be used to talk HTTP at SMTP (25), SSH (22) or other internal services.
  std::vector<PortRange> forward_ports{{80, 80}, {1024, 65535}};
  // Forward client fields whose names contain '_' (dropped by default: messages.cpp).
  bool keep_underscore_fields = false;
};

struct Route {
  Url target;                 // the URI the client asked for
  std::string upstream_host;  // connect here…
  std::uint16_t upstream_port = 0;
  std::string host_header;              // …and send this Host
  bool keep_underscore_fields = false;  // RouteConfig's
};

struct RouteFailure {
  Status status;
  std::string reason;  // for the error body and the log
};

// RFC 9112 §3.2.2: in absolute-form the target's authority replaces Host. Never fails for CONNECT callers:
// they are routed by the tunnel code.
Expected<Route, RouteFailure> route_request(const RequestHead& head, const RouteConfig& config);

// RFC 9110 §9.3.6: where a CONNECT (authority-form target host:port) may go. Only a forward proxy tunnels,
// and only to `ports` (--connect-port, 443 by default): an open CONNECT proxy would let anyone reach SMTP
// or SSH servers through it.
Expected<core::HostPort, RouteFailure> route_connect(const RequestHead& head, const RouteConfig& config,
                                                     std::span<const PortRange> ports);

// The origin rule for a Host (without port, any case): the exact rule, else the default, else nullptr.
const OriginRule* find_origin(std::string_view host, const RouteConfig& config) noexcept;

// RFC 9110 §7.6.3: whether a Via field of the request already names `received_by` (our pseudonym), i.e.
// the request passed through us before and forwarding it again would loop. Members are split at commas
// outside comments; received-by is compared without case.
bool via_names(FieldsView fields, std::string_view received_by) noexcept;

// An HTTP/2 request (http2/request_head.hpp) as route_request takes it (RFC 9113 §8.3.1). A forward proxy's
// client names the origin in :scheme and :authority: the target becomes the absolute form
// "scheme://authority/path". A reverse proxy's keeps the origin form. Either way :authority becomes a Host
// field, as the HTTP/1.1 request upstream needs. `owned` and `views` hold what `out` points to; nothing of
// `in` is referenced afterwards (its stream may be reset while the request is still being served).
void http2_request_to_proxy(const RequestHead& in, ProxyMode mode, Request& owned,
                            std::vector<FieldView>& views, RequestHead& out);

// "host" of a Host value "host:port" / "[v6]:port", lower-cased.
std::string host_without_port(std::string_view host_value);

}  // namespace endhost::http::proxy
