// Names for the parts of a topology: a node (a host, or a router standing for a site or the Internet's core)
// and a link between two nodes, each with two directions. Strong types so a node index cannot be passed for a
// link index; values are dense indices in the order the Topology created them.
#pragma once

#include <cstdint>

#include "core/strong_int.hpp"

namespace endhost::netem {

using NodeId = core::StrongInt<struct NodeIdTag, std::uint32_t>;
using LinkId = core::StrongInt<struct LinkIdTag, std::uint32_t>;

// A link joins node `a` to node `b` (the order add_link() was given); each direction has its own LinkSpec.
enum class Direction : std::uint8_t { a_to_b = 0, b_to_a = 1 };

constexpr Direction reverse(Direction d) {
  return d == Direction::a_to_b ? Direction::b_to_a : Direction::a_to_b;
}

}  // namespace endhost::netem
