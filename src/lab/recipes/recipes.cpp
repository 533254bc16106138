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

Expected<void, std::string> set_access_log(const RecipeContext& ctx, core::Settings& settings) {
  const std::string logs = ctx.files.state_dir + "/logs";
  if (auto ok = make_directories(logs); !ok) return ok;
  settings.set("access-log", logs + "/" + ctx.host.name + ".access.log");
  return {};
}

const LabRecipe* find_recipe(std::string_view service) {
  static const std::map<std::string, LabRecipe, std::less<>> recipes = {
      {"dns", dns_recipe()},     {"resolver", resolver_recipe()}, {"web", web_recipe()},
      {"proxy", proxy_recipe()}, {"ping", ping_recipe()},         {"ftp", ftp_recipe()},
      {"mail", mail_recipe()},
  };
  auto it = recipes.find(service);
  return it == recipes.end() ? nullptr : &it->second;
}

}  // namespace endhost::lab
