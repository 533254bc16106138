#include "lab/config_toml.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <sstream>

#include "lab/address_plan.hpp"
#include "lab/recipe.hpp"
#include "lab/topology_plan.hpp"

namespace endhost::lab {

namespace {

// Thrown inside this file only, and turned into the Expected error at the top.
struct ConfigError {
  std::string message;
};

class Reader {
 public:
  explicit Reader(std::string_view file) : file_(file) {}

  [[noreturn]] void fail(const toml::node& at, std::string_view what) const {
    throw ConfigError{fmt::format("{}:{}: {}", file_, at.source().begin.line, what)};
  }

  // Rejects keys a table may not have (typos: "adress", "zone" for "zones").
  void only(const toml::table& t, std::string_view where,
            std::initializer_list<std::string_view> keys) const {
    for (const auto& [key, node] : t) {
      bool known = false;
      for (auto k : keys) known = known || key.str() == k;
      if (!known) {
        std::string list;
        for (auto k : keys) list += (list.empty() ? "" : ", ") + std::string(k);
        fail(node, fmt::format("{}: unknown key '{}' (known: {})", where, key.str(), list));
      }
    }
  }

  const toml::table& table(const toml::node& n, std::string_view where) const {
    if (!n.is_table()) fail(n, fmt::format("{} must be a table ({{ … }})", where));
    return *n.as_table();
  }

  std::string str(const toml::node& n, std::string_view where) const {
    if (!n.is_string()) fail(n, fmt::format("{} must be a string (in double quotes)", where));
    return std::string(n.as_string()->get());
  }

  bool boolean(const toml::node& n, std::string_view where) const {
    if (!n.is_boolean()) fail(n, fmt::format("{} must be true or false", where));
    return n.as_boolean()->get();
  }

  std::int64_t integer(const toml::node& n, std::string_view where, std::int64_t lo, std::int64_t hi) const {
    if (!n.is_integer()) fail(n, fmt::format("{} must be an integer", where));
    std::int64_t v = n.as_integer()->get();
    if (v < lo || v > hi) fail(n, fmt::format("{} is {}, outside {} … {}", where, v, lo, hi));
    return v;
  }

  double number(const toml::node& n, std::string_view where) const {
    if (n.is_integer()) return static_cast<double>(n.as_integer()->get());
    if (!n.is_floating_point()) fail(n, fmt::format("{} must be a number", where));
    return n.as_floating_point()->get();
  }

  // A scalar as the command line would spell it: 4096, 2.5, true, "text".
  std::string text(const toml::node& n, std::string_view where) const {
    if (n.is_string()) return std::string(n.as_string()->get());
    if (n.is_integer()) return std::to_string(n.as_integer()->get());
    if (n.is_floating_point()) return fmt::format("{}", n.as_floating_point()->get());
    if (n.is_boolean()) return n.as_boolean()->get() ? "true" : "false";
    fail(n, fmt::format("{} must be a string, a number or true/false", where));
  }

  std::uint16_t port(const toml::node& n, std::string_view where) const {
    return static_cast<std::uint16_t>(integer(n, where, 1, 65535));
  }

  std::vector<std::string> strings(const toml::node& n, std::string_view where) const {
    if (!n.is_array()) fail(n, fmt::format("{} must be an array of strings ([\"…\", \"…\"])", where));
    std::vector<std::string> out;
    for (const auto& e : *n.as_array()) out.push_back(str(e, where));
    return out;
  }

  // An offset date-time (2015-09-09T09:23:24Z) as Unix seconds.
  std::int64_t unix_time(const toml::node& n, std::string_view where) const {
    if (!n.is_date_time() || !n.as_date_time()->get().offset) {
      fail(n, fmt::format("{} must be a date-time with a zone, like 2015-09-09T09:23:24Z", where));
    }
    const toml::date_time& dt = n.as_date_time()->get();
    using namespace std::chrono;
    auto midnight = sys_days(year_month_day(year(dt.date.year), month(dt.date.month), day(dt.date.day)));
    auto t = midnight + hours(dt.time.hour) + minutes(dt.time.minute) + seconds(dt.time.second) -
             minutes(dt.offset->minutes);
    return duration_cast<seconds>(t.time_since_epoch()).count();
  }

 private:
  std::string file_;
};

PortMode port_mode(const Reader& r, const toml::node& n) {
  std::string s = r.str(n, "lab.ports");
  if (s == "auto") return PortMode::automatic;
  if (s == "real") return PortMode::real;
  if (s == "high") return PortMode::high;
  r.fail(n, fmt::format("lab.ports is '{}': use \"auto\", \"real\" or \"high\"", s));
}

NetworkMode network_mode(const Reader& r, const toml::node& n) {
  std::string s = r.str(n, "lab.network");
  if (s == "auto") return NetworkMode::automatic;
  if (s == "emulated") return NetworkMode::emulated;
  if (s == "loopback") return NetworkMode::loopback;
  r.fail(n, fmt::format("lab.network is '{}': use \"auto\", \"emulated\" or \"loopback\"", s));
}

void read_lab(const Reader& r, const toml::table& t, LabSettings& lab) {
  r.only(t, "[lab]",
         {"net", "ports", "port_base", "transcript_lines", "threads", "network", "subnet", "user_host"});
  if (auto* n = t.get("network")) lab.network = network_mode(r, *n);
  if (auto* n = t.get("subnet")) lab.subnet = r.str(*n, "lab.subnet");
  if (auto* n = t.get("user_host")) {
    lab.user_host = normalize_name(r.str(*n, "lab.user_host"));
    lab.user_host_line = n->source().begin.line;
  }
  if (auto* n = t.get("net")) lab.net = r.str(*n, "lab.net");
  if (auto* n = t.get("ports")) lab.ports = port_mode(r, *n);
  if (auto* n = t.get("port_base"))
    lab.port_base = static_cast<std::uint16_t>(r.integer(*n, "lab.port_base", 1024, kMaxPortBase));
  if (auto* n = t.get("transcript_lines")) {
    lab.transcript_lines = static_cast<std::size_t>(
        r.integer(*n, "lab.transcript_lines", 1, static_cast<std::int64_t>(kMaxTranscriptLines)));
  }
  if (auto* n = t.get("threads"))
    lab.threads = static_cast<std::size_t>(r.integer(*n, "lab.threads", 0, 256));
}

// A key as the settings spell it: TOML's max_line is the option max-line.
std::string dashed(std::string_view key) {
  std::string out(key);
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
}

// A service's message in the lab's words: "--max-line: '5' is outside …" → "max_line: '5' is outside …".
std::string toml_spelling(std::string message) {
  if (message.rfind("--", 0) != 0) return message;
  const std::size_t end = message.find_first_of(": ", 2);
  std::string key = message.substr(2, end - 2);
  std::replace(key.begin(), key.end(), '-', '_');
  return key + (end == std::string::npos ? "" : message.substr(end));
}

// The keys a service's table may have: `port`, its recipe's and its options (lab spelling, with '_').
std::string known_keys(const core::ServiceDescriptor* d, const LabRecipe* recipe) {
  std::string list = "port";
  auto add = [&list](std::string key) {
    std::replace(key.begin(), key.end(), '-', '_');
    list += ", " + key;
  };
  if (recipe) {
    for (const auto& k : recipe->keys) add(k);
  }
  if (d) {
    for (const auto& o : d->options) add(o.name);
  }
  return list;
}

// One service's table (`web = { site = "x", max_line = 4096 }`, or `resolver = {}`): each key must be an
// option of the service or a key of its lab recipe; values become the settings' text.
HostService read_service(const Reader& r, const std::string& where, std::string name, const toml::node& node,
                         const core::ServiceRegistry& services) {
  const std::string at = where + "." + name;
  const toml::table& t = r.table(node, at);
  const core::ServiceDescriptor* d = name == kDashboard ? nullptr : services.find(name);
  const LabRecipe* recipe = find_recipe(name);
  HostService s;
  s.name = std::move(name);
  for (const auto& [key, value] : t) {
    const std::string option = dashed(key.str());
    if (option == "port") {
      s.port = r.port(value, at + ".port");
      continue;
    }
    const bool lab_key =
        recipe && std::find(recipe->keys.begin(), recipe->keys.end(), option) != recipe->keys.end();
    if (recipe && std::find(recipe->sets.begin(), recipe->sets.end(), option) != recipe->sets.end()) {
      r.fail(value, fmt::format("{}.{} is set by the lab from the rest of the configuration: remove it", at,
                                key.str()));
    }
    const core::OptionInfo* info = d ? d->option(option) : nullptr;
    if (!lab_key && !info) {
      r.fail(value, fmt::format("{}: unknown key '{}' (known: {})", at, key.str(), known_keys(d, recipe)));
    }
    if (value.is_array()) {
      if (info && !info->repeatable)
        r.fail(value, fmt::format("{}.{} takes one value, not an array", at, key.str()));
      for (const auto& e : *value.as_array())
        s.settings.add(option, r.text(e, at + "." + std::string(key.str())));
    } else {
      if (info && info->value_name.empty() && !value.is_boolean())
        r.fail(value, fmt::format("{}.{} must be true or false", at, key.str()));
      s.settings.add(option, r.text(value, at + "." + std::string(key.str())));
    }
  }
  // Each value as the service itself checks it, now rather than when the lab builds the service.
  if (d && d->check) {
    core::Settings values = d->lab_defaults;
    for (const auto& [k, v] : s.settings.items()) {
      const bool lab_key =
          recipe && std::find(recipe->keys.begin(), recipe->keys.end(), k) != recipe->keys.end();
      if (!lab_key) values.add(k, v);
    }
    if (auto ok = d->check(values); !ok) r.fail(node, fmt::format("{}: {}", at, toml_spelling(ok.error())));
  }
  return s;
}

HostConfig read_host(const Reader& r, const toml::node& node, const core::ServiceRegistry& services) {
  const toml::table& t = r.table(node, "[[host]]");
  HostConfig h;
  h.line = node.source().begin.line;
  const toml::node* name = t.get("name");
  if (!name) r.fail(node, "[[host]] without a name: add name = \"www.example.com\"");
  h.name = normalize_name(r.str(*name, "host name"));
  std::string where = "host " + h.name;
  for (const auto& [key, value] : t) {
    const std::string k(key.str());
    if (k == "name") continue;
    if (k == "address") {
      h.address = r.str(value, where + ".address");
      continue;
    }
    if (k != kDashboard && !services.find(k)) {
      std::string list = "name, address";
      for (const auto& n : services.names()) list += ", " + n;
      list += std::string(", ") + kDashboard;
      r.fail(value, fmt::format("{}: unknown key '{}' (known: {})", where, k, list));
    }
    h.services.push_back(read_service(r, where, k, value, services));
  }
  return h;
}

ZoneExtra read_zone(const Reader& r, const toml::node& node) {
  const toml::table& t = r.table(node, "[[zone]]");
  const toml::node* name = t.get("name");
  if (!name) r.fail(node, "[[zone]] without a name: add name = \"example.com\"");
  ZoneExtra z;
  z.origin = normalize_name(r.str(*name, "zone name"));
  r.only(t, "zone " + z.origin, {"name", "records"});
  if (auto* n = t.get("records")) z.records = r.strings(*n, "zone " + z.origin + ".records");
  return z;
}

SiteFile read_file(const Reader& r, const toml::node& node, const std::string& site) {
  std::string where = "site " + site + " file";
  const toml::table& t = r.table(node, where);
  r.only(t, where, {"path", "text", "gif", "objects", "object_bytes", "last_modified"});
  SiteFile f;
  const toml::node* path = t.get("path");
  if (!path) r.fail(node, where + " without a path: add path = \"/index.html\"");
  f.path = r.str(*path, where + ".path");
  where += " " + f.path;
  if (auto* n = t.get("text")) f.text = r.str(*n, where + ".text");
  if (auto* n = t.get("gif")) {
    if (!n->is_array() || n->as_array()->size() != 2) r.fail(*n, where + ".gif must be [width, height]");
    const auto& a = *n->as_array();
    f.gif.emplace(static_cast<std::uint32_t>(r.integer(a[0], where + " gif width", 1, 65535)),
                  static_cast<std::uint32_t>(r.integer(a[1], where + " gif height", 1, 65535)));
  }
  if (auto* n = t.get("objects"))
    f.objects = static_cast<std::uint32_t>(r.integer(*n, where + ".objects", 1, kMaxPageObjects));
  if (auto* n = t.get("object_bytes")) {
    f.object_bytes =
        static_cast<std::uint32_t>(r.integer(*n, where + ".object_bytes", 1, kMaxGeneratedFileBytes));
  }
  if (auto* n = t.get("last_modified")) f.last_modified = r.unix_time(*n, where + ".last_modified");
  return f;
}

SiteConfig read_site(const Reader& r, std::string name, const toml::node& node) {
  std::string where = "site " + name;
  const toml::table& t = r.table(node, "[site." + name + "]");
  r.only(t, where, {"file", "last_modified"});
  SiteConfig s;
  s.name = std::move(name);
  if (auto* n = t.get("last_modified")) s.last_modified = r.unix_time(*n, where + ".last_modified");
  if (auto* n = t.get("file")) {
    if (!n->is_array())
      r.fail(*n, where + ": file must be an array of tables ([[site." + s.name + ".file]])");
    for (const auto& f : *n->as_array()) s.files.push_back(read_file(r, f, s.name));
  }
  return s;
}

// loss = 0.01 (Bernoulli), or { model = "gilbert-elliott", p, r, h, k } (bursts; h and k the chances a
// packet gets through in the bad and the good state).
LossModel read_loss(const Reader& r, const toml::node& n, const std::string& where) {
  LossModel loss;
  if (!n.is_table()) {
    loss.p = r.number(n, where);
    return loss;
  }
  const toml::table& t = *n.as_table();
  r.only(t, where, {"model", "p", "r", "h", "k"});
  std::string model = "bernoulli";
  if (auto* m = t.get("model")) model = r.str(*m, where + ".model");
  if (model == "gilbert-elliott") {
    loss.kind = LossModel::Kind::gilbert_elliott;
  } else if (model != "bernoulli") {
    r.fail(*t.get("model"),
           fmt::format("{}.model is '{}': use \"bernoulli\" or \"gilbert-elliott\"", where, model));
  }
  const toml::node* p = t.get("p");
  if (!p) r.fail(n, where + " needs p (the loss, or for gilbert-elliott the chance of going bad)");
  loss.p = r.number(*p, where + ".p");
  if (loss.kind == LossModel::Kind::bernoulli) {
    for (const char* k : {"r", "h", "k"}) {
      if (auto* x = t.get(k)) r.fail(*x, fmt::format("{}.{} is a gilbert-elliott parameter", where, k));
    }
    return loss;
  }
  if (auto* x = t.get("r")) loss.r = r.number(*x, where + ".r");
  if (auto* x = t.get("h")) loss.h = r.number(*x, where + ".h");
  if (auto* x = t.get("k")) loss.k = r.number(*x, where + ".k");
  return loss;
}

// A link's (or a group's LAN's) figures from the keys of `t` that are figures; the caller checked the keys.
LinkFigures read_figures(const Reader& r, const toml::table& t, const std::string& where) {
  LinkFigures f;
  if (auto* n = t.get("delay_ms")) f.delay_ms = r.number(*n, where + ".delay_ms");
  if (auto* n = t.get("jitter_ms")) f.jitter_ms = r.number(*n, where + ".jitter_ms");
  if (auto* n = t.get("rate")) {
    if (n->is_integer()) {
      f.rate_bps = static_cast<std::uint64_t>(
          r.integer(*n, where + ".rate (bits per second)", 0, static_cast<std::int64_t>(kMaxLinkRateBps)));
    } else {
      auto rate = parse_rate(r.str(*n, where + ".rate"));
      if (!rate) r.fail(*n, where + ": " + rate.error());
      f.rate_bps = *rate;
    }
  }
  if (auto* n = t.get("queue")) {
    if (n->is_integer()) {
      f.queue_packets =
          static_cast<std::uint32_t>(r.integer(*n, where + ".queue (packets)", 1, kMaxQueuePackets));
    } else {
      auto bytes = parse_queue_bytes(r.str(*n, where + ".queue"));
      if (!bytes) r.fail(*n, where + ": " + bytes.error());
      f.queue_bytes = *bytes;
    }
  }
  if (auto* n = t.get("loss")) f.loss = read_loss(r, *n, where + ".loss");
  if (auto* n = t.get("trace")) f.trace = r.str(*n, where + ".trace");
  // Each figure against its limits here too, so the error has the line of the value.
  for (const char* key : {"delay_ms", "jitter_ms", "rate", "queue", "loss"}) {
    const toml::node* n = t.get(key);
    if (!n) continue;
    LinkFigures one;
    if (std::string_view(key) == "delay_ms") one.delay_ms = f.delay_ms;
    if (std::string_view(key) == "jitter_ms") one.jitter_ms = f.jitter_ms;
    if (std::string_view(key) == "rate") one.rate_bps = f.rate_bps;
    if (std::string_view(key) == "queue") {
      one.queue_bytes = f.queue_bytes;
      one.queue_packets = f.queue_packets;
    }
    if (std::string_view(key) == "loss") one.loss = f.loss;
    if (auto why = figures_error(one); !why.empty()) r.fail(*n, where + ": " + why);
  }
  return f;
}

GroupConfig read_group(const Reader& r, const toml::node& node) {
  const toml::table& t = r.table(node, "[[group]]");
  GroupConfig g;
  g.line = node.source().begin.line;
  const toml::node* name = t.get("name");
  if (!name) r.fail(node, "[[group]] without a name: add name = \"campus\"");
  g.name = normalize_name(r.str(*name, "group name"));
  const std::string where = "group " + g.name;
  r.only(t, where, {"name", "hosts", "delay_ms", "jitter_ms", "rate", "queue", "loss", "trace"});
  if (auto* n = t.get("hosts")) {
    for (auto& h : r.strings(*n, where + ".hosts")) g.hosts.push_back(normalize_name(h));
  }
  g.lan = read_figures(r, t, where);
  return g;
}

LinkConfig read_link(const Reader& r, const toml::node& node) {
  const toml::table& t = r.table(node, "[[link]]");
  LinkConfig l;
  l.line = node.source().begin.line;
  const toml::node* a = t.get("a");
  const toml::node* b = t.get("b");
  if (!a || !b) r.fail(node, "[[link]] needs both ends: a = \"HOST-or-GROUP\" and b = \"HOST-or-GROUP\"");
  l.a = normalize_name(r.str(*a, "link a"));
  l.b = normalize_name(r.str(*b, "link b"));
  const std::string where = fmt::format("link {} – {}", l.a, l.b);
  r.only(t, where, {"a", "b", "delay_ms", "jitter_ms", "rate", "queue", "loss", "trace", "a_to_b", "b_to_a"});
  l.both = read_figures(r, t, where);
  for (const char* side : {"a_to_b", "b_to_a"}) {
    const toml::node* n = t.get(side);
    if (!n) continue;
    const std::string at = where + "." + side;
    const toml::table& d = r.table(*n, at);
    r.only(d, at, {"delay_ms", "jitter_ms", "rate", "queue", "loss", "trace"});
    (std::string_view(side) == "a_to_b" ? l.a_to_b : l.b_to_a) = read_figures(r, d, at);
  }
  return l;
}

LabConfig read_config(const Reader& r, const toml::table& root, const core::ServiceRegistry& services) {
  r.only(root, "the top level", {"lab", "host", "zone", "site", "group", "link"});
  LabConfig c;
  if (auto* n = root.get("lab")) read_lab(r, r.table(*n, "[lab]"), c.lab);
  if (auto* n = root.get("host")) {
    if (!n->is_array()) r.fail(*n, "host must be an array of tables: write [[host]]");
    for (const auto& h : *n->as_array()) c.hosts.push_back(read_host(r, h, services));
  }
  if (auto* n = root.get("zone")) {
    if (!n->is_array()) r.fail(*n, "zone must be an array of tables: write [[zone]]");
    for (const auto& z : *n->as_array()) c.zones.push_back(read_zone(r, z));
  }
  if (auto* n = root.get("site")) {
    for (const auto& [name, site] : r.table(*n, "[site]"))
      c.sites.push_back(read_site(r, std::string(name.str()), site));
  }
  if (auto* n = root.get("group")) {
    if (!n->is_array()) r.fail(*n, "group must be an array of tables: write [[group]]");
    for (const auto& g : *n->as_array()) c.groups.push_back(read_group(r, g));
  }
  if (auto* n = root.get("link")) {
    if (!n->is_array()) r.fail(*n, "link must be an array of tables: write [[link]]");
    for (const auto& l : *n->as_array()) c.links.push_back(read_link(r, l));
  }
  return c;
}

}  // namespace

Expected<LabConfig, std::string> parse_config(std::string_view text, std::string_view file_name,
                                              const core::ServiceRegistry& services) {
  LabConfig config;
  try {
    toml::table root = toml::parse(text, file_name);
    config = read_config(Reader(file_name), root, services);
  } catch (const toml::parse_error& e) {
    return Unexpected(fmt::format("{}:{}:{}: {}", file_name, e.source().begin.line, e.source().begin.column,
                                  e.description()));
  } catch (const ConfigError& e) {
    return Unexpected(e.message);
  }
  // The network's errors point at the line of the [[group]], [[link]] or [[host]] they are about.
  if (auto ok = validate_topology(config, config.lab.network); !ok) {
    const TopologyProblem& p = ok.error();
    if (p.line) return Unexpected(fmt::format("{}:{}: {}", file_name, p.line, p.message));
    return Unexpected(fmt::format("{}: {}", file_name, p.message));
  }
  if (auto ok = validate(config); !ok) return Unexpected(fmt::format("{}: {}", file_name, ok.error()));
  return config;
}

Expected<LabConfig, std::string> load_config_file(const std::string& path,
                                                  const core::ServiceRegistry& services) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unexpected(fmt::format("{}: cannot open it: check the path (--config FILE)", path));
  std::string text;
  char buf[64 * 1024];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes) {
      return Unexpected(
          fmt::format("{}: longer than {} bytes: not a lab configuration", path, kMaxConfigBytes));
    }
  }
  return parse_config(text, path, services);
}

}  // namespace endhost::lab
