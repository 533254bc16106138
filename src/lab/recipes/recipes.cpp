#include <algorithm>
#include <map>
#include <string>

#include "lab/recipes/recipes.hpp"

namespace endhost::lab {

std::string toml_key(std::string key) {
  std::replace(key.begin(), key.end(), '-', '_');
  return key;
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
