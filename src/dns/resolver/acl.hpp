// Which clients the resolver answers: a list of CIDR prefixes (`--allow`). Anyone else gets REFUSED, so the
// resolver is never an open resolver that strangers can use for amplification or cache snooping (RFC 5358).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "dns/resolver/ip_address.hpp"

namespace endhost::dns::resolver {

struct Cidr {
  IpAddress network;  // host bits cleared
  std::uint8_t prefix = 0;

  // "127.0.0.0/8", "::1/128", or a bare address (a /32 or /128). Host bits set in the address are an error,
  // since they usually mean a typo ("10.0.0.1/8" for "10.0.0.0/8").
  static endhost::Expected<Cidr, std::string> parse(std::string_view text);
  bool contains(const IpAddress& a) const;
  std::string to_string() const;
};

class Acl {
 public:
  explicit Acl(std::vector<Cidr> allowed) : allowed_(std::move(allowed)) {}
  // The default: loopback only (127.0.0.0/8 and ::1).
  static Acl loopback();

  // IPv4-mapped IPv6 clients are matched as IPv4.
  bool allows(const IpAddress& client) const;
  const std::vector<Cidr>& allowed() const { return allowed_; }

 private:
  std::vector<Cidr> allowed_;
};

}  // namespace endhost::dns::resolver
