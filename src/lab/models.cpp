#include "lab/models.hpp"

#include <limits>
#include <numeric>

namespace endhost::lab::models {

double transmission_ms(std::uint64_t bytes, std::uint64_t rate_bps) {
  if (rate_bps == 0) return 0;
  return static_cast<double>(bytes) * 8.0 * 1000.0 / static_cast<double>(rate_bps);
}

double non_persistent_rtts(std::size_t objects) {
  return 2.0 * static_cast<double>(objects + 1);
}

double persistent_rtts(std::size_t objects) {
  return 2.0 + static_cast<double>(objects);
}

double parallel_rtts(std::size_t objects, std::size_t connections) {
  if (objects == 0) return 2.0;
  const std::size_t p = connections == 0 ? objects : connections;
  const std::size_t waves = (objects + p - 1) / p;
  return 2.0 + 2.0 * static_cast<double>(waves);
}

double non_persistent_ms(std::size_t objects, double rtt_ms, double t_ms) {
  return non_persistent_rtts(objects) * rtt_ms + t_ms;
}

double persistent_ms(std::size_t objects, double rtt_ms, double t_ms) {
  return persistent_rtts(objects) * rtt_ms + t_ms;
}

double parallel_ms(std::size_t objects, std::size_t connections, double rtt_ms, double t_ms) {
  return parallel_rtts(objects, connections) * rtt_ms + t_ms;
}

double traffic_intensity(double requests_per_s, double object_bits, double rate_bps) {
  if (rate_bps <= 0) return 0;
  return requests_per_s * object_bits / rate_bps;
}

double access_delay_ms(double object_bits, double rate_bps, double requests_per_s) {
  if (rate_bps <= 0) return 0;
  const double delta_s = object_bits / rate_bps;
  const double load = delta_s * requests_per_s;
  if (load >= 1) return std::numeric_limits<double>::infinity();
  return delta_s / (1 - load) * 1000.0;
}

double access_delay_pk_ms(double object_bits, double rate_bps, double requests_per_s, double size_cv2) {
  if (rate_bps <= 0) return 0;
  const double delta_s = object_bits / rate_bps;
  const double load = delta_s * requests_per_s;
  if (load >= 1) return std::numeric_limits<double>::infinity();
  return (delta_s + load * delta_s * (1 + size_cv2) / (2 * (1 - load))) * 1000.0;
}

CacheModel cache_model(double requests_per_s, double object_bits, double rate_bps, double internet_delay_ms,
                       double lan_ms, double hit_ratio) {
  CacheModel m;
  const double misses_per_s = (1 - hit_ratio) * requests_per_s;
  m.intensity_without = traffic_intensity(requests_per_s, object_bits, rate_bps);
  m.intensity_with = traffic_intensity(misses_per_s, object_bits, rate_bps);
  m.access_delay_without_ms = access_delay_ms(object_bits, rate_bps, requests_per_s);
  m.access_delay_with_ms = access_delay_ms(object_bits, rate_bps, misses_per_s);
  m.response_without_ms = internet_delay_ms + m.access_delay_without_ms + lan_ms;
  m.response_with_ms =
      hit_ratio * lan_ms + (1 - hit_ratio) * (internet_delay_ms + m.access_delay_with_ms + lan_ms);
  return m;
}

double lookup_ms(std::span<const double> round_trips_ms) {
  return std::accumulate(round_trips_ms.begin(), round_trips_ms.end(), 0.0);
}

double ping_loss(double round_trip_loss, double server_loss) {
  return 1 - (1 - round_trip_loss) * (1 - server_loss);
}

}  // namespace endhost::lab::models
