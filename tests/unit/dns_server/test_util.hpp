// Helpers for the server and client unit tests: names, zones from text, and responses built from Messages.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dns/message.hpp"
#include "dns/name.hpp"
#include "dns/zone_parser.hpp"

#ifndef ENDHOST_EXAMPLE_ZONES
#define ENDHOST_EXAMPLE_ZONES "examples/zones"
#endif

namespace endhost::dns::test {

inline Name N(std::string_view text) {
  auto n = Name::from_string(text);
  EXPECT_TRUE(n.has_value()) << text;
  return n ? *n : Name();
}

inline std::vector<ResourceRecord> records_from_text(std::string_view text, std::string_view origin) {
  ZoneParseOptions o;
  o.origin = N(origin);
  auto r = parse_master_file(text, "test.zone", o);
  if (!r) ADD_FAILURE() << r.error().to_string();
  return r ? *r : std::vector<ResourceRecord>{};
}

inline std::vector<std::uint8_t> wire(const Message& m) {
  auto w = encode_message(m);
  EXPECT_TRUE(w.has_value());
  return w ? *w : std::vector<std::uint8_t>{};
}

inline ResourceRecord rr(std::string_view owner, RRType type, Rdata rdata, std::uint32_t ttl = 3600) {
  return ResourceRecord{N(owner), type, RRClass::IN, Ttl{ttl}, std::move(rdata)};
}

inline rdata::Soa soa(std::uint32_t serial, std::string_view mname = "ns1.example.com.") {
  return rdata::Soa{N(mname), N("hostmaster.example.com."), serial, 3600, 600, 86400, 300};
}

inline rdata::A a(std::uint8_t a0, std::uint8_t a1, std::uint8_t a2, std::uint8_t a3) {
  return rdata::A{{a0, a1, a2, a3}};
}

}  // namespace endhost::dns::test
