#include "lab/topology_view.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

namespace endhost::lab {

namespace json = boost::json;

namespace {

std::string figures_text(const TopologyLink& l) {
  if (l.a_to_b == l.b_to_a) return l.a_to_b.describe();
  return fmt::format("→ {};  ← {}", l.a_to_b.describe(), l.b_to_a.describe());
}

json::object spec_json(const DirectionSpec& d) {
  json::object loss{{"model", d.loss.kind == LossModel::Kind::bernoulli ? "bernoulli" : "gilbert-elliott"},
                    {"p", d.loss.p},
                    {"mean", d.loss.mean()}};
  if (d.loss.kind == LossModel::Kind::gilbert_elliott) {
    loss["r"] = d.loss.r;
    loss["h"] = d.loss.h;
    loss["k"] = d.loss.k;
  }
  return json::object{{"delay_ms", d.delay_ms()},
                      {"jitter_ms", d.jitter_ms()},
                      {"rate_bps", d.rate_bps},
                      {"queue_bytes", d.queue_bytes},
                      {"queue_packets", d.queue_packets},
                      {"loss", std::move(loss)},
                      {"trace", d.trace.empty() ? json::value(nullptr) : json::value(d.trace)}};
}

std::chrono::microseconds micros(double ms) {
  return std::chrono::microseconds(static_cast<std::int64_t>(std::llround(ms * 1000)));
}

DirectionSpec spec_from(const json::value& v) {
  const json::object& o = v.as_object();
  DirectionSpec d;
  d.delay = micros(o.at("delay_ms").to_number<double>());
  d.jitter = micros(o.at("jitter_ms").to_number<double>());
  d.rate_bps = o.at("rate_bps").to_number<std::uint64_t>();
  d.queue_bytes = o.at("queue_bytes").to_number<std::uint64_t>();
  d.queue_packets = o.at("queue_packets").to_number<std::uint32_t>();
  const json::object& loss = o.at("loss").as_object();
  d.loss.kind = json::value_to<std::string>(loss.at("model")) == "gilbert-elliott"
                    ? LossModel::Kind::gilbert_elliott
                    : LossModel::Kind::bernoulli;
  d.loss.p = loss.at("p").to_number<double>();
  if (d.loss.kind == LossModel::Kind::gilbert_elliott) {
    d.loss.r = loss.at("r").to_number<double>();
    d.loss.h = loss.at("h").to_number<double>();
    d.loss.k = loss.at("k").to_number<double>();
  }
  if (const json::value* t = o.if_contains("trace"); t && t->is_string())
    d.trace = json::value_to<std::string>(*t);
  return d;
}

}  // namespace

std::string format_links(const TopologyPlan& t) {
  if (t.implicit) return {};
  std::vector<std::pair<std::string, std::string>> rows;  // what, figures (+ members)
  // A group's LAN once, with its members, rather than a line per member.
  for (std::size_t r = 0; r < t.nodes.size(); ++r) {
    if (t.nodes[r].kind != TopologyNode::Kind::router) continue;
    std::string members;
    const TopologyLink* lan = nullptr;
    for (const auto& l : t.links) {
      if (!l.lan || l.b != r) continue;
      lan = &l;
      members += (members.empty() ? "" : ", ") + t.nodes[l.a].name;
    }
    if (!lan) {
      rows.emplace_back(t.nodes[r].name, "a router");
      continue;
    }
    rows.emplace_back(t.nodes[r].name + " LAN", figures_text(*lan) + "   " + members);
  }
  for (const auto& l : t.links) {
    if (l.lan) continue;
    rows.emplace_back(fmt::format("{} – {}", t.nodes[l.a].name, t.nodes[l.b].name), figures_text(l));
  }
  std::size_t width = 0;
  for (const auto& [what, _] : rows) {
    std::size_t w = 0;
    for (unsigned char c : what) w += (c & 0xC0) != 0x80;
    width = std::max(width, w);
  }
  std::string out = t.emulated ? "\nLinks (emulated; one way each, → from the first end):\n"
                               : "\nLinks (as configured, not emulated on loopback):\n";
  for (const auto& [what, figures] : rows) {
    std::size_t w = 0;
    for (unsigned char c : what) w += (c & 0xC0) != 0x80;
    out += fmt::format("  {}{}  {}\n", what, std::string(width - w, ' '), figures);
  }
  return out;
}

json::object topology_json(const TopologyPlan& t) {
  json::array nodes, sites, links;
  for (std::size_t i = 0; i < t.nodes.size(); ++i) {
    const TopologyNode& n = t.nodes[i];
    nodes.push_back(json::object{{"name", n.name},
                                 {"kind", n.kind == TopologyNode::Kind::host ? "host" : "router"},
                                 {"address", n.address},
                                 {"site", n.site.empty() ? json::value(nullptr) : json::value(n.site)}});
    if (n.kind != TopologyNode::Kind::router) continue;
    json::array members;
    for (const auto& m : t.nodes) {
      if (m.kind == TopologyNode::Kind::host && m.site == n.name) members.push_back(json::string(m.name));
    }
    sites.push_back(json::object{{"name", n.name}, {"address", n.address}, {"hosts", std::move(members)}});
  }
  for (const auto& l : t.links) {
    links.push_back(json::object{{"a", t.nodes[l.a].name},
                                 {"b", t.nodes[l.b].name},
                                 {"lan", l.lan},
                                 {"line", l.line},
                                 {"text", figures_text(l)},
                                 {"a_to_b", spec_json(l.a_to_b)},
                                 {"b_to_a", spec_json(l.b_to_a)}});
  }
  return json::object{{"user_host", t.user_host.empty() ? json::value(nullptr) : json::value(t.user_host)},
                      {"implicit", t.implicit},
                      {"emulated", t.emulated},
                      {"nodes", std::move(nodes)},
                      {"sites", std::move(sites)},
                      {"links", std::move(links)}};
}

Expected<TopologyPlan, std::string> topology_from_json(const json::value& v) {
  try {
    const json::object& o = v.as_object();
    TopologyPlan t;
    if (const json::value* u = o.if_contains("user_host"); u && u->is_string())
      t.user_host = json::value_to<std::string>(*u);
    t.implicit = o.at("implicit").as_bool();
    t.emulated = o.at("emulated").as_bool();
    for (const auto& nv : o.at("nodes").as_array()) {
      TopologyNode n;
      n.name = json::value_to<std::string>(nv.at("name"));
      n.kind = json::value_to<std::string>(nv.at("kind")) == "router" ? TopologyNode::Kind::router
                                                                      : TopologyNode::Kind::host;
      n.address = json::value_to<std::string>(nv.at("address"));
      if (const json::value* s = nv.as_object().if_contains("site"); s && s->is_string())
        n.site = json::value_to<std::string>(*s);
      t.nodes.push_back(std::move(n));
    }
    for (const auto& lv : o.at("links").as_array()) {
      auto a = t.find(json::value_to<std::string>(lv.at("a")));
      auto b = t.find(json::value_to<std::string>(lv.at("b")));
      if (!a || !b)
        return Unexpected(std::string("lab.json: a link names a node that is not in topology.nodes"));
      t.links.push_back({*a, *b, spec_from(lv.at("a_to_b")), spec_from(lv.at("b_to_a")),
                         lv.at("lan").as_bool(), lv.at("line").to_number<std::uint32_t>()});
    }
    return t;
  } catch (const std::exception& e) {
    return Unexpected(std::string("lab.json's topology lacks a field the lab writes: ") + e.what());
  }
}

}  // namespace endhost::lab
