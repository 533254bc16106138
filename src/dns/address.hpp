// IPv4 and IPv6 addresses in text, for A and AAAA RDATA (RFC 1035 §3.4.1, RFC 3596 §2.2). Written here
// rather than with inet_pton so the codec stays standard-library only and identical on every platform.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace endhost::dns {

// Strict dotted quad: four decimal octets 0..255, no leading '+', no extra characters.
std::optional<std::array<std::uint8_t, 4>> parse_ipv4(std::string_view text);
// RFC 4291 §2.2 text forms, including "::" and a trailing dotted quad.
std::optional<std::array<std::uint8_t, 16>> parse_ipv6(std::string_view text);
std::string format_ipv4(const std::array<std::uint8_t, 4>& a);
// RFC 5952 canonical form: lower case, leading zeros dropped, the longest run of two or more zero groups
// replaced by "::".
std::string format_ipv6(const std::array<std::uint8_t, 16>& a);

}  // namespace endhost::dns
