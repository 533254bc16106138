// The hosts' side of an emulated lab: for each host a network namespace `endhost-<labid>-<n>`
// (lab_namespaces.hpp) with `lo` up, a TUN device `eth0` holding the host's address and a default route out
// of it (core::TunDevice), and /etc/netns/<ns>/resolv.conf naming the lab's resolver. The TUN devices'
// descriptors are the ports of the link pump (link_pump.hpp); each host's services make their sockets in its
// namespace through place(host).
//
// Created before any service is built; destroyed after the ServiceHost (whose services hold sockets in the
// namespaces): the destructor removes every namespace's name and its /etc/netns directory, so a lab that
// ends normally or by SIGINT/SIGTERM leaves nothing. A lab killed with SIGKILL leaves them; create() first
// removes what dead labs left.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "core/log.hpp"
#include "core/net_namespace.hpp"
#include "core/socket_place.hpp"
#include "core/tun_device.hpp"

namespace endhost::lab {

struct NetworkHost {
  std::string name;     // the lab host
  std::string address;  // its IPv4 address in lab.subnet
};

class LabNetwork {
 public:
  struct Host {
    std::string name;
    std::string address;
    std::shared_ptr<const core::NetNamespace> netns;
    core::TunDevice tun;
  };

  // `resolver`: the lab resolver's address for every namespace's resolv.conf ("" none); `resolver_port` is
  // noted there when it is not 53 (resolv.conf cannot say a port). `prefix_length`: lab.subnet's.
  static Expected<std::unique_ptr<LabNetwork>, std::string> create(std::span<const NetworkHost> hosts,
                                                                   const std::string& resolver,
                                                                   std::uint16_t resolver_port,
                                                                   unsigned prefix_length, core::Logger& log);
  ~LabNetwork();
  LabNetwork(const LabNetwork&) = delete;
  LabNetwork& operator=(const LabNetwork&) = delete;

  const std::string& lab_id() const { return lab_id_; }
  const std::vector<Host>& hosts() const { return hosts_; }
  const Host* find(std::string_view host) const;
  // Where the host's sockets are made; the default place for a host the network does not have.
  core::SocketPlace place(std::string_view host) const;

 private:
  LabNetwork(std::string lab_id, core::Logger& log) : lab_id_(std::move(lab_id)), log_(log) {}
  void remove_all();

  std::string lab_id_;
  core::Logger& log_;
  std::vector<Host> hosts_;
  std::vector<std::string> names_;  // every namespace made, even one whose device then failed
};

}  // namespace endhost::lab
