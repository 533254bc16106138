#include "lab/address_plan.hpp"

#include <fmt/format.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <charconv>
#include <set>

#include "core/asio.hpp"
#include "core/privileged_ports.hpp"
#include "lab/recipe.hpp"
#include "lab/restricted_ports.hpp"

namespace endhost::lab {

namespace {

std::optional<unsigned> parse_octet(std::string_view s) {
  unsigned v = 0;
  if (s.empty() || s.size() > 3) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > 255) return std::nullopt;
  return v;
}

}  // namespace

const PlannedService* PlannedHost::find(std::string_view kind) const {
  for (const auto& s : services) {
    if (s.kind == kind) return &s;
  }
  return nullptr;
}

const PlannedHost* AddressPlan::find_host(std::string_view name) const {
  for (const auto& h : hosts) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

const PlannedHost* AddressPlan::host_with(std::string_view kind) const {
  for (const auto& h : hosts) {
    if (h.find(kind)) return &h;
  }
  return nullptr;
}

std::optional<std::uint8_t> parse_net(std::string_view net) {
  if (net.substr(0, 4) != "127.") return std::nullopt;
  auto second = parse_octet(net.substr(4));
  if (!second) return std::nullopt;
  return static_cast<std::uint8_t>(*second);
}

std::optional<std::uint32_t> parse_loopback(std::string_view address) {
  auto v = parse_ipv4(address);
  if (!v || (*v >> 24) != 127 || *v == 0x7f000000u || *v == 0x7fffffffu) return std::nullopt;
  return v;
}

std::optional<std::uint32_t> parse_ipv4(std::string_view address) {
  std::uint32_t v = 0;
  std::size_t start = 0;
  for (int i = 0; i < 4; ++i) {
    std::size_t dot = i < 3 ? address.find('.', start) : address.size();
    if (dot == std::string_view::npos) return std::nullopt;
    auto octet = parse_octet(address.substr(start, dot - start));
    if (!octet) return std::nullopt;
    v = (v << 8) | *octet;
    start = dot + 1;
  }
  return v;
}

std::string Ipv4Net::to_string() const {
  return fmt::format("{}/{}", format_ipv4(base), prefix);
}

std::optional<Ipv4Net> parse_subnet(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto base = parse_ipv4(text.substr(0, slash));
  auto prefix = parse_octet(text.substr(slash + 1));
  if (!base || !prefix || *prefix < 8 || *prefix > 30) return std::nullopt;
  Ipv4Net net{*base, *prefix};
  if ((net.base & static_cast<std::uint32_t>(net.size() - 1)) != 0) return std::nullopt;  // host bits set
  const std::uint32_t first = net.base >> 24;
  const std::uint32_t last = static_cast<std::uint32_t>((net.base + net.size() - 1) >> 24);
  if (first == 0 || (first <= 127 && last >= 127) || last >= 224) return std::nullopt;
  return net;
}

Expected<NetworkChoice, std::string> choose_network(NetworkMode asked, bool may_emulate,
                                                    std::string_view why) {
  if (asked == NetworkMode::loopback)
    return NetworkChoice{NetworkMode::loopback, "as asked by network = \"loopback\""};
  if (asked == NetworkMode::emulated) {
    if (!may_emulate) {
      return Unexpected(fmt::format(
          "network = \"emulated\" needs CAP_NET_ADMIN ({}): run the lab as root, or set network = \"auto\"",
          why));
    }
    return NetworkChoice{NetworkMode::emulated, "as asked by network = \"emulated\""};
  }
  if (may_emulate) return NetworkChoice{NetworkMode::emulated, std::string(why)};
  return NetworkChoice{NetworkMode::loopback, fmt::format("links are not emulated: {}", why)};
}

std::string format_ipv4(std::uint32_t a) {
  return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

PrivilegedPorts privileged_ports(unsigned euid, std::uint64_t cap_eff, unsigned unprivileged_port_start) {
  return core::privileged_ports(euid, cap_eff, unprivileged_port_start, kDnsPort);
}

PrivilegedPorts privileged_ports() {
  return core::privileged_ports(kDnsPort);  // the lowest the lab binds: 80 then needs no more
}

bool may_bind_privileged_ports() {
  return privileged_ports().allowed;
}

std::string probe_real_ports(const std::string& address) {
  asio::io_context io(1);
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(address, ec);
  if (ec) return "the address " + address + " is not valid";
  asio::ip::udp::socket udp(io);
  asio::ip::tcp::acceptor dns_tcp(io), http(io);
  auto try_bind = [&](auto& sock, auto endpoint, const char* what) -> std::string {
    sock.open(endpoint.protocol(), ec);
    if (!ec) sock.bind(endpoint, ec);
    if (ec) return fmt::format("{} on {} is not free ({})", what, address, ec.message());
    return {};
  };
  if (auto why = try_bind(udp, asio::ip::udp::endpoint(addr, kDnsPort), "UDP port 53"); !why.empty())
    return why;
  if (auto why = try_bind(dns_tcp, asio::ip::tcp::endpoint(addr, kDnsPort), "TCP port 53"); !why.empty())
    return why;
  if (auto why = try_bind(http, asio::ip::tcp::endpoint(addr, kHttpPort), "TCP port 80"); !why.empty())
    return why;
  return {};
}

PortChoice choose_port_mode(PortMode asked, const std::string& probe_address, const PortProbe& probe) {
  if (asked == PortMode::real) return {PortMode::real, "as asked by --ports real"};
  if (asked == PortMode::high) return {PortMode::high, "as asked by --ports high"};
  PrivilegedPorts may = privileged_ports();
  if (!may.allowed) return {PortMode::high, may.why};
  std::string why = probe(probe_address);
  if (!why.empty()) return {PortMode::high, why};
  return {PortMode::real, may.why + ", and ports 53 and 80 are free"};
}

std::string first_host_address(const LabConfig& config, const core::ServiceRegistry& services) {
  if (!config.hosts.empty() && config.hosts.front().address && parse_loopback(*config.hosts.front().address))
    return *config.hosts.front().address;
  auto plan = plan_addresses(config, {PortMode::high, ""}, services);
  return plan && !plan->hosts.empty() ? plan->hosts.front().address : "127.0.0.1";
}

Expected<AddressPlan, std::string> plan_addresses(const LabConfig& c, PortChoice ports,
                                                  const core::ServiceRegistry& services,
                                                  NetworkChoice network) {
  AddressPlan plan;
  plan.mode = ports.mode;
  plan.reason = ports.reason;
  plan.network = network;
  const bool real = ports.mode == PortMode::real;
  auto well_known = [&](std::uint16_t p) {
    return static_cast<std::uint16_t>(real ? p : c.lab.port_base + p);
  };
  plan.dns_port = well_known(kDnsPort);

  auto net = parse_net(c.lab.net);
  if (!net) return Unexpected(fmt::format("lab.net '{}' is not like \"127.20\"", c.lab.net));
  auto subnet = parse_subnet(c.lab.subnet);
  if (!subnet) return Unexpected(fmt::format("lab.subnet '{}' is not like \"198.18.0.0/15\"", c.lab.subnet));
  plan.subnet = subnet->to_string();
  const bool emulated = network.mode == NetworkMode::emulated;
  // An explicit address counts in the plan of its own range only.
  auto explicit_address = [&](const HostConfig& h) -> std::optional<std::uint32_t> {
    if (!h.address) return std::nullopt;
    auto a = parse_ipv4(*h.address);
    if (!a) return std::nullopt;
    if (emulated ? subnet->contains(*a) : parse_loopback(*h.address).has_value()) return a;
    return std::nullopt;
  };
  auto skipped = [](std::uint32_t a) { return (a & 0xff) == 0 || (a & 0xff) == 255; };
  std::set<std::uint32_t> taken;
  for (const auto& h : c.hosts) {
    if (auto a = explicit_address(h)) taken.insert(*a);
  }
  // The routers, from the top of the subnet down: adding a group moves no host.
  const std::uint32_t subnet_last = static_cast<std::uint32_t>(subnet->base + subnet->size() - 1);
  std::uint32_t router = subnet_last;
  for (const GroupConfig& g : c.groups) {
    while (router > subnet->base && (taken.count(router) || skipped(router))) --router;
    if (router <= subnet->base) {
      return Unexpected(fmt::format("group {}: no address left in lab.subnet {}", g.name, plan.subnet));
    }
    plan.routers.emplace_back(g.name, format_ipv4(router));
    taken.insert(router--);
  }
  std::uint32_t next = emulated ? subnet->base + 1 : (127u << 24) | (std::uint32_t{*net} << 16) | 1u;
  const std::uint32_t end = emulated ? router + 1 : (127u << 24) | (std::uint32_t{*net} << 16) | 0xffffu;
  const std::string range = emulated ? "lab.subnet " + plan.subnet : c.lab.net + ".0.0/16";

  std::set<std::pair<std::string, std::uint16_t>> tcp_used, udp_used;
  for (const HostConfig& h : c.hosts) {
    PlannedHost ph;
    ph.config = &h;
    ph.name = h.name;
    if (auto a = explicit_address(h)) {
      ph.address = format_ipv4(*a);
    } else {
      // Skip explicit addresses and the .0 / .255 of each /24, which some tools read as network and
      // broadcast.
      while (next < end && (taken.count(next) || skipped(next))) ++next;
      if (next >= end) {
        return Unexpected(fmt::format("host {}: no address left in {}: use fewer hosts", h.name, range));
      }
      ph.address = format_ipv4(next++);
    }
    for (const HostService& hs : h.services) {
      PlannedService ps;
      ps.kind = hs.name;
      core::Settings settings = hs.settings;
      if (hs.name == kDashboard) {
        ps.tcp = true;
        ps.port = hs.port.value_or(well_known(kHttpPort));
        ps.note = "live status, transcripts, plots";
      } else {
        const core::ServiceDescriptor* d = services.find(hs.name);
        if (!d) return Unexpected(fmt::format("host {}: no service '{}' in this build", h.name, hs.name));
        settings = d->lab_defaults;
        for (const auto& [k, v] : hs.settings.items()) settings.add(k, v);
        const core::Transports t = d->transports_of(settings);
        ps.tcp = t.tcp;
        ps.udp = t.udp;
        if (!hs.port && d->shift_in_high_mode && !real && c.lab.port_base + d->port > 65535) {
          return Unexpected(fmt::format(
              "host {}: {}'s high port would be {} + {}, above 65535: lower lab.port_base or give {}.port",
              h.name, hs.name, c.lab.port_base, d->port, hs.name));
        }
        ps.port = hs.port.value_or(d->shift_in_high_mode ? well_known(d->port) : d->port);
      }
      if (const LabRecipe* recipe = find_recipe(hs.name); recipe && recipe->note)
        ps.note = recipe->note(settings);
      ps.settings = settings;
      // Browsers refuse the Fetch standard's bad ports (ERR_UNSAFE_PORT), so no lab port may be one; the
      // only exceptions are DNS's own 53, FTP's own 21 and SMTP's own 25 on the real ports: the list is there
      // to keep browsers' HTTP off those protocols' servers, and no browser asks them anything (browsers
      // dropped ftp:// in 2021; they never spoke SMTP). The mail hosts' submission port (587, or
      // port_base + 587) is the mail recipe's, outside the plan.
      constexpr std::uint16_t kFtpControlPort = 21;  // RFC 959 §3.2
      constexpr std::uint16_t kSmtpPort = 25;        // RFC 5321 §4.5.4.2
      const bool own_real_port =
          real && (ps.port == kDnsPort || (hs.name == "ftp" && ps.port == kFtpControlPort) ||
                   (hs.name == "mail" && ps.port == kSmtpPort));
      if (browser_restricted_port(ps.port) && !own_real_port) {
        return Unexpected(fmt::format(
            "host {}: {} would be on port {}, which browsers refuse (a \"bad port\" of the Fetch standard): "
            "{}",
            h.name, hs.name, ps.port,
            hs.port ? fmt::format("give {}.port another value", hs.name)
                    : std::string("choose another lab.port_base (--port-base), or give the service a port")));
      }
      ph.services.push_back(std::move(ps));
    }
    for (const auto& s : ph.services) {
      auto key = std::make_pair(ph.address, s.port);
      if ((s.tcp && !tcp_used.insert(key).second) || (s.udp && !udp_used.insert(key).second)) {
        return Unexpected(fmt::format("host {}: two services on {} port {}: give one of them another port",
                                      h.name, ph.address, s.port));
      }
    }
    plan.hosts.push_back(std::move(ph));
  }
  return plan;
}

}  // namespace endhost::lab
