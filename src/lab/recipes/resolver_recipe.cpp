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
    return {};
  };
  return r;
}

}  // namespace endhost::lab
