// The lab's network as the configuration gives it: groups of hosts behind one router (`[[group]]`, the sites
// of the topology: the institutional LAN of Figure 2.12, the Internet's core) and links between hosts or
// groups
// (`[[link]]`), each direction with a delay, a rate, a loss model, jitter and a queue. Values only, as read
// from TOML (config_toml.cpp); topology_plan.hpp checks them as a whole and turns them into the run-time
// plan the emulator wiring translates into netem's Topology. Nothing here touches the network.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace endhost::lab {

// Where the lab's hosts live (lab.network): "emulated" gives each host a network namespace with an address
// of lab.subnet and the links' delay, rate and loss; "loopback" puts every host on its own 127.x address,
// links not emulated; "auto" is emulated when the process may (CAP_NET_ADMIN), else loopback.
enum class NetworkMode { automatic, emulated, loopback };

// A packet loss model: independent losses (Bernoulli), or bursts from a two-state Gilbert-Elliott chain with
// the parameters as tc-netem(8)'s "loss gemodel p r 1-h 1-k" and Hasslinger & Hohlfeld (2008) name them.
struct LossModel {
  enum class Kind { bernoulli, gilbert_elliott };
  Kind kind = Kind::bernoulli;
  double p = 0;  // bernoulli: the loss probability; gilbert-elliott: P(good → bad) per packet
  double r = 1;  // gilbert-elliott: P(bad → good) per packet
  double h = 0;  // gilbert-elliott: P(delivered | bad state)  (netem's 1-h is the loss in the bad state)
  double k = 1;  // gilbert-elliott: P(delivered | good state) (netem's 1-k is the loss in the good state)

  // The long-run fraction of packets lost: p for Bernoulli; for Gilbert-Elliott the stationary mix of the two
  // states, π_bad = p/(p+r): (1-k)·π_good + (1-h)·π_bad.
  double mean() const;
  bool lossless() const { return mean() == 0; }
};

// One direction's figures as written: every field optional, so a direction's override (a_to_b = { … }) can
// change one of them and keep the link's others.
struct LinkFigures {
  std::optional<double> delay_ms;
  std::optional<double> jitter_ms;
  std::optional<std::uint64_t> rate_bps;       // 0: unlimited
  std::optional<std::uint64_t> queue_bytes;    // queue = "64KiB"
  std::optional<std::uint32_t> queue_packets;  // queue = 100
  std::optional<LossModel> loss;
  std::optional<std::string> trace;  // a packet-delivery trace file (Mahimahi's format) instead of the rate

  // These, with `over`'s set fields taking precedence.
  LinkFigures merged(const LinkFigures& over) const;
};

// [[group]]: hosts behind one router, each attached to it by a link with the group's figures (a LAN).
struct GroupConfig {
  std::string name;                // "campus"; neither a host's name nor another group's
  std::vector<std::string> hosts;  // at most one group per host; may be empty (a router only)
  LinkFigures lan;                 // every member's link to the router, both directions
  std::uint32_t line = 0;          // where the file defines it, for errors (0: not from a file)
};

// [[link]]: between two endpoints, each a host or a group (its router), the same figures both ways unless
// a_to_b or b_to_a says otherwise (an asymmetric access link).
struct LinkConfig {
  std::string a, b;
  LinkFigures both;
  LinkFigures a_to_b, b_to_a;  // overrides of `both`
  std::uint32_t line = 0;
};

// Limits on a link's figures, so that a typo (delay_ms = 20000) is refused rather than run.
inline constexpr double kMaxLinkDelayMs = 10'000;
inline constexpr std::uint64_t kMinLinkRateBps = 1'000;
inline constexpr std::uint64_t kMaxLinkRateBps = 100'000'000'000ull;  // 100 Gbit/s
inline constexpr std::uint64_t kMinQueueBytes = 1'500;                // one full-sized packet
inline constexpr std::uint64_t kMaxQueueBytes = 1ull << 30;
inline constexpr std::uint32_t kMaxQueuePackets = 1'000'000;
inline constexpr std::uint64_t kDefaultQueueBytes = 1ull << 20;  // a queue the figures leave unset
inline constexpr std::uint32_t kQueuePacketBytes = 1'500;        // a queue given in packets, in bytes (MTU)
inline constexpr std::size_t kMaxLinks = 10'000;
inline constexpr std::size_t kMaxGroups = 1'000;

// The figures against the limits above (each set field; a rate and a trace together are refused); "" when
// they hold, else what is wrong ("delay_ms 20000 is outside 0 … 10000").
std::string figures_error(const LinkFigures& figures);

// "15Mbit", "100Mbit/s", "1.5Gbit", "64kbit", "2000000" (bits per second; k, M, G are powers of 10, as tc's
// "kbit", "mbit" and "gbit"; the suffix "bit" is needed after a prefix so that "15M" is not read as bytes).
Expected<std::uint64_t, std::string> parse_rate(std::string_view text);
// "64KiB", "1MiB", "1500", "100kB" (bytes; KiB/MiB/GiB binary, kB/MB/GB decimal).
Expected<std::uint64_t, std::string> parse_queue_bytes(std::string_view text);
// 15000000 → "15 Mbit/s"; 0 → "unlimited".
std::string format_rate(std::uint64_t bps);
// "1 MiB", "64 KiB", "100 packets".
std::string format_queue(std::uint64_t bytes, std::uint32_t packets);
// "2%", "gilbert-elliott p=0.01 r=0.3 (mean 3.2%)".
std::string format_loss(const LossModel& loss);

// The lab.network spelling: "auto", "emulated", "loopback".
std::string_view to_string(NetworkMode mode);

}  // namespace endhost::lab
