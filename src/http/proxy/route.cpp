#include "http/proxy/route.hpp"

#include <algorithm>

namespace endhost::http::proxy {

std::string host_without_port(std::string_view v) {
  std::string_view host = v;
  if (!v.empty() && v.front() == '[') {
    host = v.substr(1, v.find(']') == std::string_view::npos ? v.size() - 1 : v.find(']') - 1);
  } else if (auto colon = v.rfind(':'); colon != std::string_view::npos) {
    host = v.substr(0, colon);
  }
  std::string out(host);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

namespace {

// One Via member, "1.1 name [(comment)]": does its received-by (the second word) equal `name`?
bool member_names(std::string_view member, std::string_view name) noexcept {
  auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  std::size_t i = 0;
  while (i < member.size() && is_space(member[i])) ++i;
  while (i < member.size() && !is_space(member[i])) ++i;  // received-protocol
  while (i < member.size() && is_space(member[i])) ++i;
  const std::size_t start = i;
  while (i < member.size() && !is_space(member[i]) && member[i] != '(') ++i;
  return i > start && iequals(member.substr(start, i - start), name);
}

}  // namespace

bool via_names(FieldsView fields, std::string_view received_by) noexcept {
  if (received_by.empty()) return false;
  for (const FieldView& f : fields) {
    if (!iequals(f.name, "via")) continue;
    const std::string_view v = f.value;
    int depth = 0;  // comments may hold commas and nest (RFC 9110 §5.6.5)
    std::size_t start = 0;
    for (std::size_t i = 0; i <= v.size(); ++i) {
      if (i < v.size()) {
        if (v[i] == '\\' && depth > 0) {
          ++i;
          continue;
        }
        if (v[i] == '(') ++depth;
        if (v[i] == ')' && depth > 0) --depth;
        if (v[i] != ',' || depth > 0) continue;
      }
      if (member_names(v.substr(start, i - start), received_by)) return true;
      start = i + 1;
    }
  }
  return false;
}

const OriginRule* find_origin(std::string_view host, const RouteConfig& config) noexcept {
  // "a.test." is a.test written as a fully qualified name (RFC 1034 §3.1): the same host.
  if (host.size() > 1 && host.back() == '.') host.remove_suffix(1);
  const OriginRule* fallback = nullptr;
  for (const OriginRule& rule : config.origins) {
    if (rule.host.empty()) {
      if (!fallback) fallback = &rule;
    } else if (iequals(rule.host, host)) {
      return &rule;
    }
  }
  return fallback;
}

Expected<Route, RouteFailure> route_request(const RequestHead& head, const RouteConfig& config) {
  Route route;
  route.keep_underscore_fields = config.keep_underscore_fields;
  if (head.target_form == TargetForm::absolute) {
    // Browsers send '{', '|', '"'… unencoded in queries; the parser already refused CTLs and spaces, and
    // the target is forwarded as received (UrlChars::as_sent).
    auto url = parse_url(head.target, UrlChars::as_sent);
    if (!url) return Unexpected(RouteFailure{Status::bad_request, url.error()});
    route.target = std::move(*url);
  } else if (head.target_form == TargetForm::origin) {
    if (config.mode == ProxyMode::forward)
      return Unexpected(RouteFailure{Status::bad_request,
                                     "this is a forward proxy: send requests in absolute form (curl -x)"});
    // Reverse mode: the client's view of the URI is its Host and path (RFC 9112 §3.3).
    std::string_view host = head.host;
    const OriginRule* rule = find_origin(host_without_port(host), config);
    if (!rule)
      return Unexpected(RouteFailure{Status::misdirected_request, "no origin is configured for this host"});
    // HTTP/1.0 may leave Host out: the URI is then the origin's (owned here, as `host` only borrows).
    const std::string authority = host.empty() ? rule->origin.authority() : std::string(host);
    auto url = parse_url("http://" + authority + std::string(head.target), UrlChars::as_sent);
    if (!url) return Unexpected(RouteFailure{Status::bad_request, url.error()});
    route.target = std::move(*url);
    route.upstream_host = rule->origin.host;
    route.upstream_port = rule->origin.port;
    route.host_header = std::string(head.host.empty() ? rule->origin.authority() : head.host);
    return route;
  } else {
    return Unexpected(RouteFailure{Status::bad_request, "this request form cannot be proxied"});
  }

  // Absolute form.
  if (route.target.scheme != "http")
    return Unexpected(RouteFailure{Status::not_implemented,
                                   "https URLs go through a CONNECT tunnel (curl does this with -x)"});
  route.host_header = route.target.authority();
  if (config.mode == ProxyMode::reverse) {
    // An accelerator only serves its own origins, whatever the client writes in the target.
    const OriginRule* rule = find_origin(route.target.host, config);
    if (!rule)
      return Unexpected(RouteFailure{Status::misdirected_request, "no origin is configured for this host"});
    route.upstream_host = rule->origin.host;
    route.upstream_port = rule->origin.port;
    return route;
  }
  const bool allowed = std::any_of(config.forward_ports.begin(), config.forward_ports.end(),
                                   [&](const PortRange& r) { return r.contains(route.target.port); });
  if (!allowed)
    return Unexpected(RouteFailure{Status::forbidden, "port " + std::to_string(route.target.port) +
                                                          " is not allowed through this proxy"});
  route.upstream_host = route.target.host;
  route.upstream_port = route.target.port;
  return route;
}

Expected<core::HostPort, RouteFailure> route_connect(const RequestHead& head, const RouteConfig& config,
                                                     std::span<const PortRange> ports) {
  if (config.mode == ProxyMode::reverse)
    return Unexpected(RouteFailure{Status::method_not_allowed, "CONNECT is for forward proxies"});
  auto target = core::parse_host_port(head.target);
  if (!target) return Unexpected(RouteFailure{Status::bad_request, target.error()});
  const bool allowed =
      std::any_of(ports.begin(), ports.end(), [&](const PortRange& r) { return r.contains(target->port); });
  if (!allowed)
    return Unexpected(RouteFailure{Status::forbidden, "CONNECT to port " + std::to_string(target->port) +
                                                          " is not allowed (see --connect-port)"});
  return std::move(*target);
}

void http2_request_to_proxy(const RequestHead& in, ProxyMode mode, Request& owned,
                            std::vector<FieldView>& views, RequestHead& out) {
  owned = in.to_owned();
  if (!in.host.empty() && !owned.fields.contains("host")) owned.fields.add("Host", std::string(in.host));
  out = in;
  if (mode == ProxyMode::forward && in.target_form == TargetForm::origin && !in.host.empty()) {
    owned.target = std::string(in.scheme.empty() ? std::string_view("http") : in.scheme) + "://" +
                   std::string(in.host) + owned.target;
    out.target_form = TargetForm::absolute;
  }
  views.clear();
  for (const Field& f : owned.fields) views.push_back({f.name, f.value});
  out.method = owned.method;
  out.target = owned.target;
  out.fields = FieldsView(views);
  out.host = out.fields.get("host").value_or(std::string_view());
  out.scheme = {};
}

}  // namespace endhost::http::proxy
