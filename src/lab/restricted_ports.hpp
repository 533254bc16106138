// The ports browsers refuse to fetch from (ERR_UNSAFE_PORT): the Fetch standard's "bad port" list
// (https://fetch.spec.whatwg.org/#port-blocking), which Chromium's kRestrictedPorts and Firefox follow. The
// lab never plans a browsable port on it, or its dashboard and web hosts would not open in a browser.
#pragma once

#include <cstdint>
#include <span>

namespace endhost::lab {

// The whole list, ascending.
std::span<const std::uint16_t> browser_restricted_ports();
bool browser_restricted_port(std::uint16_t port);

}  // namespace endhost::lab
