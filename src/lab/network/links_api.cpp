#include "lab/network/links_api.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <cmath>

#include "lab/topology_config.hpp"

namespace endhost::lab {

namespace json = boost::json;

namespace {

double ms(netem::Duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

std::string link_name(const netem::Topology& t, netem::LinkId id) {
  const netem::Link& l = t.link(id);
  return t.node(l.a).name + "<->" + t.node(l.b).name;
}

json::object direction_json(const netem::Emulator& e, netem::LinkId id, netem::Direction d) {
  const netem::LinkSpec& s = e.topology().link(id).spec(d);
  const netem::LinkStats st = e.stats(id, d);
  json::object loss{{"model", s.loss.kind == netem::LossSpec::Kind::gilbert_elliott ? "gilbert-elliott"
                              : s.loss.kind == netem::LossSpec::Kind::bernoulli     ? "bernoulli"
                                                                                    : "none"},
                    {"mean", s.loss.mean_loss()}};
  return json::object{
      {"delay_ms", ms(s.delay)},
      {"jitter_ms", ms(s.jitter)},
      {"rate_bps", s.rate_bps},
      {"trace", s.trace != nullptr},
      {"queue_bytes", s.queue_bytes},
      {"loss", s.loss.mean_loss()},
      {"loss_model", std::move(loss)},
      {"stats", json::object{{"packets_in", st.packets_in},
                             {"bytes_in", st.bytes_in},
                             {"delivered", st.delivered},
                             {"delivered_bytes", st.delivered_bytes},
                             {"dropped_queue", st.dropped_queue},
                             {"dropped_loss", st.dropped_loss},
                             {"queue_packets", st.queue_packets},
                             {"queue_bytes", st.queue_bytes},
                             {"peak_queue_bytes", st.peak_queue_bytes},
                             {"in_flight", st.in_flight}}},
  };
}

// A link by the body's "link": an index, "A<->B" (either order) or a node touched by exactly one link.
Expected<netem::LinkId, std::string> find_link(const json::value& v, const netem::Topology& t) {
  const std::size_t count = t.link_count();
  if (v.is_int64() || v.is_uint64()) {
    const std::int64_t i = v.is_int64() ? v.as_int64() : static_cast<std::int64_t>(v.as_uint64());
    if (i < 0 || static_cast<std::size_t>(i) >= count)
      return Unexpected(fmt::format("there is no link {} (the lab has {})", i, count));
    return netem::LinkId(static_cast<std::uint32_t>(i));
  }
  if (!v.is_string())
    return Unexpected(std::string("\"link\" is a link's name, like \"user<->campus\", or index"));
  const std::string name(v.as_string());
  if (const auto sep = name.find("<->"); sep != std::string::npos) {
    const auto a = t.find_node(name.substr(0, sep));
    const auto b = t.find_node(name.substr(sep + 3));
    if (!a || !b)
      return Unexpected("no node " + (a ? name.substr(sep + 3) : name.substr(0, sep)) + " in the topology");
    if (auto l = t.find_link(*a, *b)) return *l;
    return Unexpected("no link joins " + name.substr(0, sep) + " and " + name.substr(sep + 3));
  }
  const auto node = t.find_node(name);
  if (!node) return Unexpected("no link or node named " + name + " (GET /api/links lists them)");
  std::optional<netem::LinkId> found;
  for (std::size_t i = 0; i < count; ++i) {
    const netem::LinkId id(static_cast<std::uint32_t>(i));
    const netem::Link& l = t.link(id);
    if (l.a != *node && l.b != *node) continue;
    if (found) return Unexpected(name + " has several links: name one as \"A<->B\"");
    found = id;
  }
  if (!found) return Unexpected(name + " has no link");
  return *found;
}

Expected<double, std::string> number(const json::value& v, const char* key, double lo, double hi) {
  if (!v.is_number()) return Unexpected(fmt::format("\"{}\" must be a number", key));
  const double d = v.to_number<double>();
  if (!std::isfinite(d) || d < lo || d > hi)
    return Unexpected(fmt::format("\"{}\" must be within {} … {}", key, lo, hi));
  return d;
}

netem::Duration from_ms(double v) {
  return std::chrono::duration_cast<netem::Duration>(std::chrono::duration<double, std::milli>(v));
}

}  // namespace

json::object link_json(const netem::Emulator& e, netem::LinkId id) {
  const netem::Topology& t = e.topology();
  const netem::Link& l = t.link(id);
  return json::object{{"index", id.value()},
                      {"name", link_name(t, id)},
                      {"a", t.node(l.a).name},
                      {"b", t.node(l.b).name},
                      {"a_to_b", direction_json(e, id, netem::Direction::a_to_b)},
                      {"b_to_a", direction_json(e, id, netem::Direction::b_to_a)}};
}

json::object links_json(const netem::Emulator& e) {
  json::array links;
  for (std::size_t i = 0; i < e.topology().link_count(); ++i)
    links.push_back(link_json(e, netem::LinkId(static_cast<std::uint32_t>(i))));
  const netem::EmulatorCounters& c = e.counters();
  return json::object{{"mode", "emulated"},
                      {"links", std::move(links)},
                      {"counters", json::object{{"submitted", c.submitted},
                                                {"delivered", c.delivered},
                                                {"not_ipv4", c.not_ipv4},
                                                {"malformed", c.malformed},
                                                {"no_route", c.no_route},
                                                {"pool_full", c.pool_full},
                                                {"held", e.packets_held()}}}};
}

Expected<LinkChange, std::string> parse_link_change(std::string_view body, const netem::Topology& topology) {
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return Unexpected(std::string("the body must be a JSON object"));
  const json::object& o = v.as_object();
  const json::value* link = o.if_contains("link");
  if (!link) return Unexpected(std::string("name the link: {\"link\": \"A<->B\" or its index, …}"));
  auto id = find_link(*link, topology);
  if (!id) return Unexpected(id.error());
  LinkChange c;
  c.link = *id;
  for (const auto& [key, value] : o) {
    if (key == "link") continue;
    if (key == "direction") {
      const std::string d = value.is_string() ? std::string(value.as_string()) : std::string();
      if (d == "a_to_b") {
        c.b_to_a = false;
      } else if (d == "b_to_a") {
        c.a_to_b = false;
      } else if (d != "both") {
        return Unexpected(std::string("\"direction\" is \"both\", \"a_to_b\" or \"b_to_a\""));
      }
    } else if (key == "delay_ms" || key == "jitter_ms") {
      const bool delay = key == "delay_ms";
      auto d = number(value, delay ? "delay_ms" : "jitter_ms", 0, kMaxLinkDelayMs);
      if (!d) return Unexpected(d.error());
      (delay ? c.delay : c.jitter) = from_ms(*d);
    } else if (key == "rate") {
      if (value.is_string()) {
        auto r = parse_rate(value.as_string());
        if (!r) return Unexpected(r.error());
        c.rate_bps = *r;
      } else {
        auto r = number(value, "rate", 0, static_cast<double>(kMaxLinkRateBps));
        if (!r) return Unexpected(r.error());
        c.rate_bps = static_cast<std::uint64_t>(*r);
      }
    } else if (key == "loss") {
      auto p = number(value, "loss", 0, 1);
      if (!p) return Unexpected(p.error());
      c.loss = *p;
    } else if (key == "queue_bytes") {
      auto q = number(value, "queue_bytes", static_cast<double>(kMinQueueBytes),
                      static_cast<double>(kMaxQueueBytes));
      if (!q) return Unexpected(q.error());
      c.queue_bytes = static_cast<std::size_t>(*q);
    } else {
      return Unexpected("unknown field \"" + std::string(key) +
                        "\" (link, direction, delay_ms, jitter_ms, rate, loss, queue_bytes)");
    }
  }
  return c;
}

Expected<json::object, std::string> apply_link_change(netem::Emulator& e, const LinkChange& c,
                                                      netem::TimePoint now) {
  const netem::Link& l = e.topology().link(c.link);
  auto changed = [&c](netem::LinkSpec s) {
    if (c.delay) s.delay = *c.delay;
    if (c.jitter) s.jitter = *c.jitter;
    if (c.rate_bps) {
      s.rate_bps = *c.rate_bps;
      s.trace.reset();  // a rate replaces a delivery trace
    }
    if (c.loss) s.loss = *c.loss > 0 ? netem::LossSpec::bernoulli(*c.loss) : netem::LossSpec{};
    if (c.queue_bytes) s.queue_bytes = *c.queue_bytes;
    return s;
  };
  const netem::LinkSpec ab = changed(l.a_to_b), ba = changed(l.b_to_a);
  // Both checked before either is applied, so a refused change leaves the link as it was.
  if (c.a_to_b) {
    if (auto ok = ab.validate(); !ok) return Unexpected(ok.error());
  }
  if (c.b_to_a) {
    if (auto ok = ba.validate(); !ok) return Unexpected(ok.error());
  }
  if (c.a_to_b) {
    if (auto ok = e.set_link(c.link, netem::Direction::a_to_b, ab, now); !ok) return Unexpected(ok.error());
  }
  if (c.b_to_a) {
    if (auto ok = e.set_link(c.link, netem::Direction::b_to_a, ba, now); !ok) return Unexpected(ok.error());
  }
  return link_json(e, c.link);
}

}  // namespace endhost::lab
