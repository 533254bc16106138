// Which proxy a request goes through, the way curl decides: an explicit -x/--proxy wins; otherwise the
// scheme's variable (http_proxy for http, https_proxy or HTTPS_PROXY for https; the upper-case HTTP_PROXY is
// ignored, as curl does, because a CGI program gets it from a request's Proxy: header), unless no_proxy
// lists the host ("*", exact names, domain suffixes with or without a leading dot, IP addresses).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "http/url.hpp"

namespace endhost::http {

using Getenv = std::function<std::optional<std::string>(const char*)>;

// The proxy URL for `target` ("" = explicit none, e.g. --proxy ""), or nullopt for a direct connection.
// A proxy given without a scheme is taken as http://.
Expected<std::optional<Url>, std::string> choose_proxy(const Url& target,
                                                       const std::optional<std::string>& explicit_proxy,
                                                       const std::optional<std::string>& explicit_no_proxy,
                                                       const Getenv& getenv);

// Whether `host` is excluded by a no_proxy list.
bool no_proxy_matches(std::string_view no_proxy, std::string_view host) noexcept;

}  // namespace endhost::http
