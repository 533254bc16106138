// The addresses FTP carries in its text: the arguments of PORT (RFC 959 §4.1.2: `h1,h2,h3,h4,p1,p2`) and EPRT
// (RFC 2428 §2: `|1|132.235.1.2|6275|`, `|2|1080::8:800:200C:417A|5282|`), and the texts of the passive
// replies 227 (RFC 959 §4.2.2, `Entering Passive Mode (h1,h2,h3,h4,p1,p2).`) and 229 (RFC 2428 §3,
// `Entering Extended Passive Mode (|||6446|)`). Parsing and formatting for the server and the client alike;
// standard library only. Addresses are kept in canonical text (dotted quad, RFC 5952 IPv6) so the server can
// compare a PORT address with the control connection's peer by string equality (same_host does it for
// IPv4-mapped peers too).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace endhost::ftp {

struct HostPort {
  std::string address;  // canonical: `192.0.2.7` or `2001:db8::1` (no brackets, lower case, RFC 5952)
  std::uint16_t port = 0;
  bool v6 = false;
  friend bool operator==(const HostPort&, const HostPort&) = default;
};

enum class HostPortError {
  Malformed,            // not the syntax at all (501)
  BadNumber,            // a field that is not a decimal number, or an octet over 255 (501)
  BadPort,              // port 0 or over 65535 (501)
  BadAddress,           // not an IPv4 / IPv6 literal (501)
  UnsupportedProtocol,  // EPRT net-prt other than 1 and 2: 522 with the list (RFC 2428 §2)
};

std::string_view describe(HostPortError error);

// 16 bytes of an address; IPv4 as ::ffff:a.b.c.d (RFC 4291 §2.5.5.2) so both families compare.
using IpBytes = std::array<std::uint8_t, 16>;
Expected<IpBytes, HostPortError> parse_ip(std::string_view text);  // IPv4 dotted quad or IPv6 literal
// The canonical text of `text` (IPv4 for mapped addresses), e.g. `::FFFF:10.0.0.1` → `10.0.0.1`.
Expected<std::string, HostPortError> canonical_ip(std::string_view text);
// Whether two address texts name the same host (`10.0.0.1` and `::ffff:10.0.0.1` do).
bool same_host(std::string_view a, std::string_view b);

// PORT's argument (RFC 959 §4.1.2). Whitespace around the fields is refused, as vsftpd does.
Expected<HostPort, HostPortError> parse_port_argument(std::string_view args);
// `h1,h2,h3,h4,p1,p2`; `hp` must be IPv4 (v6 false).
std::string format_port_argument(const HostPort& hp);

// EPRT's argument (RFC 2428 §2): any delimiter from 33 to 126, net-prt 1 (IPv4) or 2 (IPv6), the family of
// the address must match the net-prt.
Expected<HostPort, HostPortError> parse_eprt_argument(std::string_view args);
// `|1|a.b.c.d|port|` or `|2|v6|port|`.
std::string format_eprt_argument(const HostPort& hp);

// 227's text, e.g. `Entering Passive Mode (192,0,2,7,19,137).`; `hp` must be IPv4.
std::string format_227_text(const HostPort& hp);
// The client's side: the first run of six comma-separated numbers in the text (RFC 1123 §4.1.2.6: the
// client must scan for them, the parentheses are not guaranteed).
Expected<HostPort, HostPortError> parse_227_text(std::string_view text);

// 229's text (RFC 2428 §3): `Entering Extended Passive Mode (|||6446|)`.
std::string format_229_text(std::uint16_t port);
// The client's side: the `(<d><d><d>port<d>)` group; the address is the control connection's.
Expected<std::uint16_t, HostPortError> parse_229_text(std::string_view text);

}  // namespace endhost::ftp
