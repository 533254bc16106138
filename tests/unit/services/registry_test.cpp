// services::builtin_services() is the one list of services: `endhost <name> serve` exists for each, the lab
// accepts each as a host's table, and a service registered by a test (not built in) reaches both the same
// way, without either having a list of its own.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include <algorithm>

#include "cli/commands.hpp"
#include "cli/service_commands.hpp"
#include "core/service_registry.hpp"
#include "lab/config_toml.hpp"
#include "services/builtin_services.hpp"

namespace endhost {
namespace {

CLI::App* find_subcommand(CLI::App& app, const std::string& name) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == name) return sub;
  }
  return nullptr;
}

TEST(RegistryTest, BuiltInServicesAreTheProgramsServers) {
  const auto registry = services::builtin_services();
  const auto names = registry.names();
  for (const char* expected : {"web", "proxy", "dns", "resolver", "echo", "ping"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
  for (const auto& d : registry.all()) {
    EXPECT_FALSE(d.summary.empty()) << d.name;
    EXPECT_FALSE(d.serve_help.empty()) << d.name;
    EXPECT_NE(d.port, 0) << d.name;
    EXPECT_TRUE(d.transports.tcp || d.transports.udp) << d.name;
  }
}

TEST(RegistryTest, EveryRegisteredServiceHasAServeCommand) {
  const auto registry = services::builtin_services();
  CLI::App app;
  cli::RunFn run;
  cli::add_service_commands(app, registry, run);
  cli::add_all_commands(app, run);
  for (const auto& d : registry.all()) {
    CLI::App* service = find_subcommand(app, d.name);
    ASSERT_NE(service, nullptr) << d.name;
    CLI::App* serve = find_subcommand(*service, "serve");
    ASSERT_NE(serve, nullptr) << d.name;
    for (const auto& o : d.options) {
      EXPECT_NE(serve->get_option_no_throw("--" + o.name), nullptr) << d.name << " --" << o.name;
    }
    EXPECT_NE(serve->get_option_no_throw("--listen"), nullptr) << d.name;
  }
}

TEST(RegistryTest, TheLabAcceptsEveryRegisteredService) {
  const auto registry = services::builtin_services();
  for (const auto& d : registry.all()) {
    const std::string toml = "[[host]]\nname = \"a.test\"\n" + d.name + " = {}\n";
    auto config = lab::parse_config(toml, "test.toml", registry);
    // The table may still be incomplete for a service whose recipe wants keys (web needs a site), but the
    // service itself is known.
    if (!config) {
      EXPECT_EQ(config.error().find("unknown key"), std::string::npos) << config.error();
    }
  }
  auto unknown = lab::parse_config("[[host]]\nname = \"a.test\"\nsmtp = {}\n", "test.toml", registry);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().find("unknown key 'smtp'"), std::string::npos) << unknown.error();
}

// A service only a test knows: one registration, and both the command line and the lab take it.
class NullService final : public core::Service {
 public:
  Expected<void, std::string> bind(core::Binder&) override { return {}; }
  void start() override {}
};

struct NullOptions {
  std::size_t depth = 3;
};

TEST(RegistryTest, ANewServiceIsOneRegistration) {
  core::SettingTable<NullOptions> table;
  table.integer("depth", &NullOptions::depth, std::size_t{1}, std::size_t{9}, "How deep");
  core::ServiceRegistry registry = services::builtin_services();
  core::ServiceDescriptor d;
  d.name = "null";
  d.summary = "A service that does nothing";
  d.serve_help = "Do nothing";
  d.port = 9;
  d.transports = {true, false};
  d.options = table.options();
  d.make = [table](const core::Settings& s,
                   core::ServiceEnv&) -> Expected<std::unique_ptr<core::Service>, core::ServiceError> {
    NullOptions o;
    if (auto ok = table.apply(s, o); !ok) return Unexpected(core::ServiceError{ok.error()});
    return std::unique_ptr<core::Service>(std::make_unique<NullService>());
  };
  registry.add(d);
  EXPECT_THROW(registry.add(d), std::logic_error);

  CLI::App app;
  cli::RunFn run;
  cli::add_service_commands(app, registry, run);
  CLI::App* null = find_subcommand(app, "null");
  ASSERT_NE(null, nullptr);
  ASSERT_NE(find_subcommand(*null, "serve"), nullptr);
  EXPECT_NE(find_subcommand(*null, "serve")->get_option_no_throw("--depth"), nullptr);

  auto config = lab::parse_config("[[host]]\nname = \"a.test\"\nnull = { depth = 4 }\n", "t.toml", registry);
  ASSERT_TRUE(config) << config.error();
  ASSERT_EQ(config->hosts.size(), 1u);
  ASSERT_NE(config->hosts[0].find("null"), nullptr);
  EXPECT_EQ(*config->hosts[0].find("null")->settings.get("depth"), "4");
  auto typo = lab::parse_config("[[host]]\nname = \"a.test\"\nnull = { deep = 4 }\n", "t.toml", registry);
  ASSERT_FALSE(typo);
  EXPECT_NE(typo.error().find("unknown key 'deep' (known: port, depth)"), std::string::npos) << typo.error();
}

}  // namespace
}  // namespace endhost
