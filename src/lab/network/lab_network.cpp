#include "lab/network/lab_network.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include "lab/address_plan.hpp"
#include "lab/network/lab_namespaces.hpp"
#include "lab/network/tcp_congestion.hpp"

namespace endhost::lab {

Expected<std::unique_ptr<LabNetwork>, std::string> LabNetwork::create(std::span<const NetworkHost> hosts,
                                                                      const std::string& resolver,
                                                                      std::uint16_t resolver_port,
                                                                      unsigned prefix_length,
                                                                      core::Logger& log) {
  // What labs killed with SIGKILL left: their names carry their pid, and only a dead one's are removed.
  auto swept = remove_stale_namespaces();
  if (!swept) {
    log.warn("links: cannot remove what a dead lab left", {{"error", swept.error()}});
  } else if (!swept->empty()) {
    std::string names;
    for (const auto& n : *swept) names += (names.empty() ? "" : " ") + n;
    log.info("links: removed the namespaces of a lab that is gone",
             {{"count", swept->size()}, {"namespaces", names}});
  }
  std::unique_ptr<LabNetwork> net(new LabNetwork(lab_network_id(::getpid()), log));
  const std::string comment = resolver_port == 53 || resolver.empty()
                                  ? std::string("the endhost lab's resolver")
                                  : fmt::format("the endhost lab's resolver listens on port {}: dig -p {}",
                                                resolver_port, resolver_port);
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    const NetworkHost& h = hosts[i];
    const std::string name = host_namespace_name(net->lab_id_, i);
    auto ns = core::NetNamespace::create(name);
    if (!ns) return Unexpected(fmt::format("host {}: {}", h.name, ns.error()));
    net->names_.push_back(name);
    auto shared = std::make_shared<const core::NetNamespace>(std::move(*ns));
    // Before any socket is made here: a socket keeps the congestion control it was made with.
    if (auto cc = set_lab_congestion_control(*shared); !cc) {
      log.warn("links: cannot set the TCP congestion control; the host keeps the machine's",
               {{"host", h.name}, {"error", cc.error()}});
    } else if (i == 0) {
      log.info("links: TCP congestion control in every host", {{"algorithm", *cc}});
    }
    boost::system::error_code ec;
    const auto address = asio::ip::make_address_v4(h.address, ec);
    if (ec) return Unexpected(fmt::format("host {}: {} is not an IPv4 address", h.name, h.address));
    core::TunConfig tun;
    tun.address = address;
    tun.prefix_length = prefix_length;
    auto device = core::TunDevice::create(*shared, tun);
    if (!device) return Unexpected(fmt::format("host {} ({}): {}", h.name, name, device.error()));
    if (!resolver.empty()) {
      if (auto ok = write_netns_resolv_conf(name, resolver, comment); !ok)
        return Unexpected(fmt::format("host {}: {}", h.name, ok.error()));
    }
    net->hosts_.push_back(Host{h.name, h.address, std::move(shared), std::move(*device)});
  }
  return net;
}

LabNetwork::~LabNetwork() {
  remove_all();
}

void LabNetwork::remove_all() {
  // The names go now; each namespace itself ends once its last socket and its TUN device are closed.
  for (const auto& n : names_) {
    if (auto ok = core::NetNamespace::remove(n); !ok)
      log_.warn("links: cannot remove a namespace", {{"netns", n}, {"error", ok.error()}});
    if (auto ok = remove_netns_etc(n); !ok) log_.warn("links: cannot remove", {{"error", ok.error()}});
  }
  names_.clear();
}

const LabNetwork::Host* LabNetwork::find(std::string_view host) const {
  for (const auto& h : hosts_) {
    if (h.name == host) return &h;
  }
  return nullptr;
}

core::SocketPlace LabNetwork::place(std::string_view host) const {
  const Host* h = find(host);
  return h ? core::SocketPlace{h->netns} : core::SocketPlace{};
}

}  // namespace endhost::lab
