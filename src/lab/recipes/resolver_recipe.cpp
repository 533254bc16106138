// The local DNS server: recursive for the lab's clients, iterative from the lab's root servers (the root
// hints the lab wrote), every outgoing query to the lab's one DNS port.
#include "lab/recipes/recipes.hpp"

namespace endhost::lab {

LabRecipe resolver_recipe() {
  LabRecipe r;
  r.sets = {"root-hints", "query-port"};
  r.note = [](const core::Settings&) { return std::string("recursive, root hints: the lab root"); };
  r.prepare = [](const RecipeContext& ctx, const HostService&,
                 core::Settings& settings) -> Expected<void, std::string> {
    settings.set("root-hints", ctx.files.zones_dir + "/root.hints");
    settings.set("query-port", std::to_string(ctx.files.plan->dns_port));
    // With emulated links the lab's clients (the user host, the other hosts) ask from lab.subnet, not from
    // loopback, the resolver's default; a table's own `allow` stays as it is.
    if (ctx.files.plan->network.mode == NetworkMode::emulated && !settings.has("allow")) {
      settings.add("allow", "127.0.0.0/8");
      settings.add("allow", ctx.files.plan->subnet);
    }
    return {};
  };
  return r;
}

}  // namespace endhost::lab
