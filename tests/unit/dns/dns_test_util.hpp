// Helpers shared by the DNS unit tests: names from text, wire building, and the example zones.
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

inline std::vector<std::uint8_t> bytes(std::initializer_list<int> v) {
  std::vector<std::uint8_t> out;
  for (int b : v) out.push_back(static_cast<std::uint8_t>(b));
  return out;
}

inline std::vector<std::uint8_t> encode(const Message& m) {
  auto w = encode_message(m);
  EXPECT_TRUE(w.has_value()) << (w ? "" : w.error().to_string());
  return w ? *w : std::vector<std::uint8_t>{};
}

inline Zone zone_from_text(std::string_view text, std::string_view origin) {
  ZoneParseOptions o;
  o.origin = N(origin);
  auto z = load_zone(text, "test.zone", o);
  if (!z) ADD_FAILURE() << z.error().to_string();
  return std::move(*z);
}

inline Zone example_zone(const std::string& file, std::string_view origin) {
  ZoneParseOptions o;
  o.origin = N(origin);
  auto z = load_zone_file(std::string(ENDHOST_EXAMPLE_ZONES) + "/" + file, o);
  if (!z) ADD_FAILURE() << z.error().to_string();
  return std::move(*z);
}

}  // namespace endhost::dns::test
