#include "lab/experiments/model_rows.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <cmath>

#include "lab/experiments/table.hpp"

namespace endhost::lab {

namespace json = boost::json;

std::optional<NetworkBasis> emulated_basis(const LabInfo& lab, const std::string& server, std::string* why) {
  auto say = [why](std::string text) {
    if (why) *why = std::move(text);
    return std::nullopt;
  };
  if (lab.network != "emulated" || !lab.topology) return say("the lab runs on loopback");
  const std::string from = lab.user_host();
  if (from.empty()) return say("the lab has no user host");
  auto p = lab.topology->path(from, server);
  if (!p) return say(p.error());
  // A path without delay (the implicit network of a file that describes none) gives the model nothing to
  // work with: measure, as on loopback.
  if (p->rtt_ms <= 0) return say("the links on the path set no delay");
  NetworkBasis b;
  b.emulated = true;
  b.from = from;
  b.to = server;
  b.path = lab.topology->describe(*p);
  b.rtt_ms = p->rtt_ms;
  b.rate_bps = p->return_rate_bps;
  b.loss = p->round_trip_loss;
  b.source = "set by the lab's topology";
  return b;
}

NetworkBasis measured_basis(const LabInfo& lab, const std::string& server, double rtt_ms,
                            std::string source) {
  NetworkBasis b;
  b.from = lab.user_host();
  b.to = server;
  b.rtt_ms = rtt_ms;
  b.source = std::move(source);
  return b;
}

std::string basis_text(const LabInfo& lab, const NetworkBasis& b) {
  if (b.emulated) {
    return fmt::format(
        "links (emulated): {}\n"
        "path figures: RTT {} ms, bottleneck towards {} {}, loss per round trip {:.3g}%  ({})\n",
        b.path, ms(b.rtt_ms), b.from, format_rate(b.rate_bps), b.loss * 100, b.source);
  }
  // Said once, with the lab's reason ("links are not emulated: …" already, when the lab chose loopback).
  std::string reason = lab.network_reason;
  constexpr std::string_view kSaid = "links are not emulated: ";
  if (reason.starts_with(kSaid)) reason.erase(0, kSaid.size());
  if (lab.network == "emulated") {
    return fmt::format(
        "the links between {} and {} set no delay: the model uses the RTT measured here, {} ms ({})\n",
        b.from, b.to, ms(b.rtt_ms), b.source);
  }
  return fmt::format(
      "links are not emulated (network: {}{}): the model uses the RTT measured here, {} ms ({})\n",
      lab.network, reason.empty() ? std::string() : ", " + reason, ms(b.rtt_ms), b.source);
}

json::object basis_json(const NetworkBasis& b) {
  return json::object{{"emulated", b.emulated}, {"from", b.from},     {"to", b.to},
                      {"path", b.path},         {"rtt_ms", b.rtt_ms}, {"rate_bps", b.rate_bps},
                      {"loss", b.loss},         {"source", b.source}};
}

std::string rows_table(const std::vector<ModelRow>& rows) {
  Table t({"", "model ms", "measured ms", "measured / model"});
  for (const auto& r : rows) {
    t.add({r.name, ms(r.model_ms), ms(r.measured_ms),
           r.model_ms > 0 ? fmt::format("{:.2f}", r.measured_ms / r.model_ms) : std::string("—")});
  }
  return t.render();
}

json::array rows_json(const std::vector<ModelRow>& rows) {
  json::array out;
  for (const auto& r : rows) {
    json::object o{
        {"name", r.name},
        {"model_ms", std::isfinite(r.model_ms) ? json::value(r.model_ms) : json::value(nullptr)},
        {"measured_ms", r.measured_ms},
        {"ratio", r.model_ms > 0 && std::isfinite(r.model_ms) ? json::value(r.measured_ms / r.model_ms)
                                                              : json::value(nullptr)}};
    for (const auto& [k, v] : r.figures) o[k] = v;
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace endhost::lab
