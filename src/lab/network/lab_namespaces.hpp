// The names the lab gives its network namespaces, and the clean-up of a lab that died without its own.
// Every namespace of a lab is `endhost-<labid>-<n>` (n: the host's index in the plan), where the lab id is
// the lab process's pid in decimal: so a name says whose it is, and a namespace whose owner is no longer
// alive (a lab ended by kill -9) is stale, to be removed by the next lab that starts. Names stay short
// (at most 20 bytes: a 7-digit pid and 4 digits of host index), well within iproute2's and /run/netns's
// limits; interface names (15 bytes) are per namespace and never carry it.
//
// Beside each namespace, /etc/netns/<name>/resolv.conf names the lab's resolver, which `ip netns exec`
// (and `endhost lab exec`) bind-mounts over /etc/resolv.conf.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace endhost::lab {

inline constexpr std::string_view kNamespacePrefix = "endhost-";
inline constexpr std::string_view kNetnsEtcDir = "/etc/netns";

std::string lab_network_id(std::int64_t pid);
// "endhost-<lab_id>-<index>".
std::string host_namespace_name(std::string_view lab_id, std::size_t index);
// The pid of the lab a namespace name belongs to; nullopt for a name that is not a lab's.
std::optional<std::int64_t> namespace_owner(std::string_view name);
// Of `names`, those of a lab whose pid `alive` says is gone. Names that are not a lab's are never stale.
std::vector<std::string> stale_namespaces(const std::vector<std::string>& names,
                                          const std::function<bool(std::int64_t)>& alive);

// /etc/netns/<ns>/resolv.conf naming `resolver` (an IPv4 address; the resolver listens on port 53 in every
// namespace), written durably. `comment` goes on a first line starting with '#'.
Expected<void, std::string> write_netns_resolv_conf(const std::string& ns, const std::string& resolver,
                                                    const std::string& comment);
// Removes /etc/netns/<ns> and what the lab put in it; a missing directory is no error.
Expected<void, std::string> remove_netns_etc(const std::string& ns);

// The clean-up of dead labs: every namespace under /run/netns and every directory under /etc/netns named by
// a lab that is not alive (lab_process_alive), removed. Returns the names removed; the error is the first
// removal that failed (the others are still tried).
Expected<std::vector<std::string>, std::string> remove_stale_namespaces();

}  // namespace endhost::lab
