#include "lab/network/lab_exec.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace endhost::lab {

namespace {

std::string host_names(const LabInfo& lab) {
  std::string out;
  for (std::size_t i = 0; i < lab.hosts.size(); ++i) {
    if (i == 8) return out + ", …";
    out += (i == 0 ? "" : ", ") + lab.hosts[i].name;
  }
  return out;
}

}  // namespace

Expected<ExecTarget, std::string> exec_target(const LabInfo& lab, const std::string& state_dir,
                                              std::string_view host) {
  if (lab.network != "emulated") {
    return Unexpected(fmt::format(
        "the lab of {} runs on loopback ({}): its hosts share this machine's network, so run the command "
        "directly",
        state_dir, lab.network_reason.empty() ? "links are not emulated" : lab.network_reason));
  }
  const LabInfo::Host* found = nullptr;
  for (const auto& h : lab.hosts) {
    if (h.name == host) found = &h;
  }
  if (!found) {
    int matches = 0;
    for (const auto& h : lab.hosts) {
      if (std::string_view(h.name).substr(0, h.name.find('.')) == host) {
        found = &h;
        ++matches;
      }
    }
    if (matches > 1) {
      return Unexpected(fmt::format("{} names {} hosts of the lab; give the whole name", host, matches));
    }
  }
  if (!found)
    return Unexpected(
        fmt::format("no host {} in the lab of {} (hosts: {})", host, state_dir, host_names(lab)));
  if (found->netns.empty()) {
    return Unexpected(fmt::format("host {} has no network namespace of its own", found->name));
  }
  return ExecTarget{found->name, found->netns, state_dir};
}

std::string exec_in_namespace(const std::string& netns, const std::vector<std::string>& command) {
  std::vector<std::string> args{"ip", "netns", "exec", netns};
  args.insert(args.end(), command.begin(), command.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execvp("ip", argv.data());
  return fmt::format("cannot run `ip netns exec` (iproute2): {}", std::strerror(errno));
}

}  // namespace endhost::lab
