// The UDP pinger's server with the configured loss and delay: the lab's delay_ms and jitter_ms are the
// command line's --delay MS:JITTER.
#include <fmt/format.h>

#include "lab/recipes/recipes.hpp"

namespace endhost::lab {

namespace {

Expected<std::uint64_t, std::string> millis(const HostService& s, const std::string& key) {
  const std::string* v = s.settings.get(key);
  if (!v) return 0;
  return core::parse_unsigned_setting(toml_key(key), *v, 0, 60'000);
}

}  // namespace

LabRecipe ping_recipe() {
  LabRecipe r;
  r.keys = {"delay-ms", "jitter-ms"};
  r.sets = {"delay"};
  r.validate = [](const HostService& s, const LabConfig&) -> Expected<void, std::string> {
    for (const char* key : {"delay-ms", "jitter-ms"}) {
      if (auto v = millis(s, key); !v) return Unexpected(v.error());
    }
    return {};
  };
  r.note = [](const core::Settings& s) {
    const std::string* loss = s.get("loss");
    auto fraction = core::parse_number_setting("loss", loss ? *loss : "0", 0, 1);
    return fmt::format("{:g}% loss", fraction ? *fraction * 100 : 0.0);
  };
  r.prepare = [](const RecipeContext&, const HostService& table,
                 core::Settings& settings) -> Expected<void, std::string> {
    auto delay = millis(table, "delay-ms");
    auto jitter = millis(table, "jitter-ms");
    if (!delay || !jitter) return Unexpected(!delay ? delay.error() : jitter.error());
    if (*delay || *jitter) settings.set("delay", fmt::format("{}:{}", *delay, *jitter));
    return {};
  };
  return r;
}

}  // namespace endhost::lab
