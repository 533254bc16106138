// curl's `--resolve HOST:PORT:ADDR[,ADDR…]` for `endhost fetch`: connections to HOST on PORT go to these
// addresses without asking any resolver (a lab name without the lab's proxy or DNS). The pool consults the
// pins before its resolver; only the exact host and port match, as in curl.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/asio.hpp"
#include "core/expected.hpp"

namespace endhost::http {

struct PinnedAddress {
  std::string host;  // lower-case, without a final dot
  std::uint16_t port = 0;
  std::vector<asio::ip::address> addresses;  // in the order to try
};

// Parses one --resolve value; IPv6 addresses may be bracketed ("[::1]"). The error is a sentence naming
// the option.
Expected<PinnedAddress, std::string> parse_pinned_address(std::string_view text);

// The addresses pinned for host:port, or null.
const PinnedAddress* find_pinned(const std::vector<PinnedAddress>& pins, std::string_view host,
                                 std::uint16_t port);

}  // namespace endhost::http
