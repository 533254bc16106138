// What every experiment's model is computed on, and how it shows it. The basis is the lab's network: when
// the lab emulates its links, the path between the user host and the server in lab.json's topology (its
// RTT, bottleneck rate and loss, set by the lab); on loopback, where nothing is emulated, what the
// experiment measured itself (a TCP handshake, a ping), said once. The rows are model beside measured, with
// their ratio, in the table and in --json's `rows` (name, model_ms, measured_ms, ratio and the figures the
// row used).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lab/lab_map.hpp"

namespace endhost::lab {

struct NetworkBasis {
  bool emulated = false;
  std::string from, to;        // the hosts the path joins (the user's side first)
  std::string path;            // the links crossed with their figures (emulated), or ""
  double rtt_ms = 0;           // the path's set RTT, or the one measured
  std::uint64_t rate_bps = 0;  // the bottleneck towards the user (a download's), 0: none set or not known
  double loss = 0;             // a round trip's loss on the path (0 on loopback)
  std::string source;          // where rtt_ms comes from: "set by the topology", "measured: …"
};

// The emulated path from the lab's user host to `server`, or nullopt when the lab runs on loopback, the path
// cannot be found or sets no delay (the experiment then measures its RTT; the reason goes to `why`).
std::optional<NetworkBasis> emulated_basis(const LabInfo& lab, const std::string& server,
                                           std::string* why = nullptr);
// The loopback basis for a measured RTT: the note that links are not emulated and why.
NetworkBasis measured_basis(const LabInfo& lab, const std::string& server, double rtt_ms, std::string source);

// The lines an experiment prints first: the links it ran on (or that they are not emulated) and the RTT,
// rate and loss its model uses.
std::string basis_text(const LabInfo& lab, const NetworkBasis& basis);
boost::json::object basis_json(const NetworkBasis& basis);

struct ModelRow {
  std::string name;
  double model_ms = 0;
  double measured_ms = 0;
  boost::json::object figures;  // what the row used: rtt_ms, rate_bps, objects, bytes, …
};

// "model ms / measured ms / measured ÷ model" per row, as a table.
std::string rows_table(const std::vector<ModelRow>& rows);
// `rows` for --json: each row's name, model_ms, measured_ms, ratio (measured / model; null when the model
// is 0) and its figures.
boost::json::array rows_json(const std::vector<ModelRow>& rows);

}  // namespace endhost::lab
