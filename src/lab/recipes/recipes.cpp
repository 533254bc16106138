#include <algorithm>
#include <map>
#include <string>

#include "lab/recipes/recipes.hpp"
#include "lab/state_dir.hpp"

namespace endhost::lab {

std::string toml_key(std::string key) {
  std::replace(key.begin(), key.end(), '-', '_');
  return key;
}

Expected<std::string, std::string> access_log_path(const RecipeContext& ctx) {
  const std::string logs = ctx.files.state_dir + "/logs";
  if (auto ok = make_directories(logs); !ok) return Unexpected(ok.error());
  return logs + "/" + ctx.host.name + ".access.log";
}

const LabRecipe* find_recipe(std::string_view service) {
  static const std::map<std::string, LabRecipe, std::less<>> recipes = {
      {"dns", dns_recipe()},     {"resolver", resolver_recipe()}, {"web", web_recipe()},
      {"proxy", proxy_recipe()}, {"ping", ping_recipe()},
  };
  auto it = recipes.find(service);
  return it == recipes.end() ? nullptr : &it->second;
}

}  // namespace endhost::lab
