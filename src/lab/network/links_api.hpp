// The dashboard's view of the emulated links (GET /api/links) and its way to change one at run time
// (POST /api/link), as JSON over a netem::Emulator: sans-I/O, so both are tested without a network. The
// handlers call these on the link pump's loop (run_on_pump), the only thread that touches the emulator.
//
// A link is named "A<->B" by its two nodes (hosts, or groups' routers), in either order, or by its index in
// GET /api/links, or by one node's name when exactly one link touches it ("user": the user host's access
// link). POST /api/link's body:
//   {"link": "user<->campus" | 3 | "user",
//    "direction": "both" (default) | "a_to_b" | "b_to_a",
//    "delay_ms": 50, "jitter_ms": 0, "rate": 10000000 | "10Mbit" | 0 (unlimited), "loss": 0.01,
//    "queue_bytes": 150000}
// Unnamed fields keep their values; the answer is the link as GET shows it.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "netem/emulator.hpp"

namespace endhost::lab {

// {"links": [{"index", "name", "a", "b", "a_to_b": {figures, "stats": {…}}, "b_to_a": {…}}], "counters": {…}}
boost::json::object links_json(const netem::Emulator& emulator);
// One link as in links_json.
boost::json::object link_json(const netem::Emulator& emulator, netem::LinkId link);

struct LinkChange {
  netem::LinkId link;
  bool a_to_b = true, b_to_a = true;
  std::optional<netem::Duration> delay, jitter;
  std::optional<std::uint64_t> rate_bps;
  std::optional<double> loss;  // Bernoulli
  std::optional<std::size_t> queue_bytes;
};

// The body as a change to one link of `topology`; the error is one sentence for the 400 answer.
Expected<LinkChange, std::string> parse_link_change(std::string_view body, const netem::Topology& topology);
// Applies it from `now` on (each direction's spec validated by the emulator; nothing changes when one is
// refused). Returns the link as link_json shows it.
Expected<boost::json::object, std::string> apply_link_change(netem::Emulator& emulator,
                                                             const LinkChange& change, netem::TimePoint now);

}  // namespace endhost::lab
