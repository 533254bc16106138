// The TCP congestion control the lab's hosts use. Every new network namespace inherits the machine's
// net.ipv4.tcp_congestion_control (per namespace since Linux 4.15), and many machines now default to BBR.
// BBR paces each flow at its estimate of the bottleneck rate, and on a lab connection that estimate comes
// from app-limited samples: a response of one window sent at once and acked one round trip later measures
// about window/RTT (7 segments over 202 ms: 50 kB/s), not the link (15 Mb/s). The next response on a reused
// connection is then paced at that estimate times BBR's startup gain — 2 segments every 14 ms instead of
// the whole window back to back — and each fetch after the first takes ~25 ms more than the textbook's
// window-based model (Kurose & Ross 3.7: slow start and congestion avoidance, no pacing).
//
// So the lab sets each host namespace to CUBIC (Linux's built-in default, RFC 9438) or Reno (RFC 5681):
// both send a window's worth back to back, as the model assumes, and for the lab's objects (within the
// initial window) they behave the same. A namespace other than the machine's may only choose an algorithm
// of net.ipv4.tcp_allowed_congestion_control (EPERM otherwise; that list is the machine's, and the lab
// never changes it); Reno is always in it, CUBIC only when the machine allows it. Only the lab's own
// namespaces change; the machine's setting is never touched.
#pragma once

#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "core/net_namespace.hpp"

namespace endhost::lab {

inline constexpr std::string_view kCongestionControlSysctl = "/proc/sys/net/ipv4/tcp_congestion_control";
inline constexpr std::string_view kAllowedCongestionControlSysctl =
    "/proc/sys/net/ipv4/tcp_allowed_congestion_control";

// Of `allowed` (tcp_allowed_congestion_control: names separated by spaces), the one the lab uses: "cubic"
// when listed, else "reno" (which every namespace may choose, listed or not).
std::string lab_congestion_control(std::string_view allowed);

// Sets `ns`'s tcp_congestion_control to lab_congestion_control() of what the machine allows, reading and
// writing the sysctls from inside `ns` (/proc/sys/net is the opening thread's namespace's). Returns the
// name set.
Expected<std::string, std::string> set_lab_congestion_control(const core::NetNamespace& ns);

}  // namespace endhost::lab
