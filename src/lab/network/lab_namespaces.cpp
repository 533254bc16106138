#include "lab/network/lab_namespaces.hpp"

#include <dirent.h>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <set>

#include "core/durable_file.hpp"
#include "core/net_namespace.hpp"
#include "lab/state_dir.hpp"

namespace endhost::lab {

std::string lab_network_id(std::int64_t pid) {
  return std::to_string(pid);
}

std::string host_namespace_name(std::string_view lab_id, std::size_t index) {
  return fmt::format("{}{}-{}", kNamespacePrefix, lab_id, index);
}

std::optional<std::int64_t> namespace_owner(std::string_view name) {
  if (name.substr(0, kNamespacePrefix.size()) != kNamespacePrefix) return std::nullopt;
  name.remove_prefix(kNamespacePrefix.size());
  const auto dash = name.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == name.size()) return std::nullopt;
  std::int64_t pid = 0;
  auto [p, ec] = std::from_chars(name.data(), name.data() + dash, pid);
  if (ec != std::errc() || p != name.data() + dash || pid <= 0) return std::nullopt;
  const std::string_view index = name.substr(dash + 1);
  if (!std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return pid;
}

std::vector<std::string> stale_namespaces(const std::vector<std::string>& names,
                                          const std::function<bool(std::int64_t)>& alive) {
  std::vector<std::string> out;
  for (const auto& n : names) {
    const auto owner = namespace_owner(n);
    if (owner && !alive(*owner)) out.push_back(n);
  }
  return out;
}

Expected<void, std::string> write_netns_resolv_conf(const std::string& ns, const std::string& resolver,
                                                    const std::string& comment) {
  const std::string dir = std::string(kNetnsEtcDir) + "/" + ns;
  if (auto ok = make_directories(dir); !ok) return ok;
  return core::write_file_durably(dir + "/resolv.conf",
                                  fmt::format("# {}\nnameserver {}\n", comment, resolver));
}

Expected<void, std::string> remove_netns_etc(const std::string& ns) {
  std::error_code ec;
  std::filesystem::remove_all(std::filesystem::path(std::string(kNetnsEtcDir)) / ns, ec);
  if (ec) return Unexpected(fmt::format("cannot remove {}/{}: {}", kNetnsEtcDir, ns, ec.message()));
  return {};
}

namespace {

std::vector<std::string> etc_netns_names() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(std::string(kNetnsEtcDir), ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(kNamespacePrefix, 0) == 0) out.push_back(name);
  }
  return out;
}

}  // namespace

Expected<std::vector<std::string>, std::string> remove_stale_namespaces() {
  auto listed = core::NetNamespace::list(kNamespacePrefix);
  if (!listed) return Unexpected(listed.error());
  std::set<std::string> names(listed->begin(), listed->end());
  for (auto& n : etc_netns_names()) names.insert(std::move(n));
  const auto alive = [](std::int64_t pid) { return lab_process_alive(pid); };
  std::vector<std::string> removed;
  std::string first_error;
  for (const auto& n : stale_namespaces({names.begin(), names.end()}, alive)) {
    if (std::binary_search(listed->begin(), listed->end(), n)) {
      if (auto ok = core::NetNamespace::remove(n); !ok && first_error.empty()) first_error = ok.error();
    }
    if (auto ok = remove_netns_etc(n); !ok && first_error.empty()) first_error = ok.error();
    removed.push_back(n);
  }
  if (!first_error.empty()) return Unexpected(first_error);
  return removed;
}

}  // namespace endhost::lab
