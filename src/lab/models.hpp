// The textbook's models that the lab's experiments measure against, as plain arithmetic on the figures of a
// path (topology_plan.hpp) or on figures an experiment measured: page loads (Kurose & Ross §2.2.2), the
// institutional cache's access link (§2.2.5), DNS lookups (§2.4.2) and the UDP pinger (§2.7, the
// socket-programming assignment). Times in milliseconds, rates in bits per second.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace endhost::lab::models {

// T: the time to push `bytes` through a link of `rate_bps` (L/R); 0 when the rate is 0 (unlimited).
double transmission_ms(std::uint64_t bytes, std::uint64_t rate_bps);

// §2.2.2, non-persistent HTTP: a TCP connection per object, one after the other, each costing a handshake
// RTT and a request/response RTT, for the base file and its N objects: (N+1)·2RTT + T.
double non_persistent_ms(std::size_t objects, double rtt_ms, double t_ms);
// §2.2.2, persistent HTTP without pipelining: one handshake and the base file (2 RTT), then one RTT per
// object on the same connection: 2RTT + N·RTT + T.
double persistent_ms(std::size_t objects, double rtt_ms, double t_ms);
// §2.2.2, non-persistent with P parallel connections (the browsers' 5 to 10): the base file (2 RTT), then
// the N objects in ceil(N/P) waves of 2 RTT each: 2RTT + ceil(N/P)·2RTT + T; all at once (P ≥ N): 4RTT + T.
double parallel_ms(std::size_t objects, std::size_t connections, double rtt_ms, double t_ms);
// The same three as round trips only (the multiplier of RTT).
double non_persistent_rtts(std::size_t objects);
double persistent_rtts(std::size_t objects);
double parallel_rtts(std::size_t objects, std::size_t connections);

// §2.2.5: the access link's traffic intensity La/R, for `requests_per_s` objects of `object_bits` a second
// over a link of `rate_bps`.
double traffic_intensity(double requests_per_s, double object_bits, double rate_bps);
// §2.2.5 (and the chapter's homework problem on Figure 2.12): the access delay Δ/(1 − Δβ), with Δ = L/R
// the time to send one object over the access link and β the objects' arrival rate; infinite once Δβ ≥ 1 (the
// queue grows without bound: the textbook's "intensity 1.0" case).
double access_delay_ms(double object_bits, double rate_bps, double requests_per_s);

// The same access link as an M/G/1 queue (Pollaczek–Khinchine): Δ + ρΔ(1 + c²)/(2(1 − ρ)), ρ = Δβ, with c
// the coefficient of variation of the objects' transmission times. With c = 1 (exponential sizes, M/M/1) it
// is the textbook's Δ/(1 − Δβ); objects all of one size (c = 0, M/D/1) queue half as long. Infinite once ρ
// ≥ 1.
double access_delay_pk_ms(double object_bits, double rate_bps, double requests_per_s, double size_cv2);

// §2.2.5 with and without the cache at hit rate h: response time = Internet delay + access delay (+ LAN),
// and with the cache h·(LAN time) + (1 − h)·(Internet delay + access delay at the misses' rate (1 − h)β).
struct CacheModel {
  double intensity_without = 0;  // La/R
  double intensity_with = 0;     // (1 − h)·La/R
  double access_delay_without_ms = 0;
  double access_delay_with_ms = 0;
  double response_without_ms = 0;
  double response_with_ms = 0;
};
CacheModel cache_model(double requests_per_s, double object_bits, double rate_bps, double internet_delay_ms,
                       double lan_ms, double hit_ratio);

// §2.4.2: a lookup asks its servers one after the other, so it takes the sum of their round trips.
double lookup_ms(std::span<const double> round_trips_ms);

// The pinger's loss: a ping is answered when neither the network (a request or its reply lost:
// `round_trip_loss`) nor the server's own simulation (`server_loss`) drops it: 1 − (1 − l)(1 − s).
double ping_loss(double round_trip_loss, double server_loss);

}  // namespace endhost::lab::models
