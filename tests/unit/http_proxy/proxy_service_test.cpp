// `endhost proxy serve`'s options as the service registry reads them (proxy_service.hpp): each value's own
// check with the option's name in the message, the checks across options, what the lab's recipe sets
// becoming the reverse proxy the old lab unit built, and the service built by the registry's factory.
#include "http/proxy/proxy_service.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdio>
#include <filesystem>
#include <string>

#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"

namespace endhost::http::proxy {
namespace {

Expected<ProxyServiceConfig, std::string> configure(const core::Settings& s) {
  ProxyServiceOptions options;
  if (auto ok = proxy_settings().apply(s, options); !ok) return Unexpected(ok.error());
  return build_proxy_config(options);
}

core::Settings with_dir(std::initializer_list<std::pair<const char*, const char*>> items) {
  core::Settings s;
  s.add("cache-dir", "/tmp/endhost-proxy-service-test");
  for (const auto& [k, v] : items) s.add(k, v);
  return s;
}

std::string error_of(const core::Settings& s) {
  auto c = configure(s);
  EXPECT_FALSE(c);
  return c ? std::string() : c.error();
}

TEST(ProxyServiceTest, DefaultsAreAForwardProxyWithTheStoresDefaults) {
  auto c = configure(with_dir({}));
  ASSERT_TRUE(c) << c.error();
  const cache::StoreOptions store_defaults;
  EXPECT_EQ(c->store.max_bytes, store_defaults.max_bytes);
  EXPECT_EQ(c->store.memory_bytes, store_defaults.memory_bytes);
  EXPECT_EQ(c->store.memory_object_max, store_defaults.memory_object_max);
  EXPECT_EQ(c->store.max_object_bytes, store_defaults.max_object_bytes);
  EXPECT_EQ(c->store.eviction, cache::EvictionKind::s3fifo);
  EXPECT_TRUE(c->store.fsync);
  const ProxyConfig config_defaults;
  EXPECT_EQ(c->proxy.routes.mode, ProxyMode::forward);
  EXPECT_EQ(c->proxy.via, config_defaults.via);
  EXPECT_EQ(c->proxy.cache_name, config_defaults.cache_name);
  EXPECT_EQ(c->proxy.connect_timeout, config_defaults.connect_timeout);
  EXPECT_EQ(c->proxy.upstream_timeout, config_defaults.upstream_timeout);
  EXPECT_EQ(c->proxy.read_timeout, config_defaults.read_timeout);
  EXPECT_EQ(c->proxy.idle_timeout, config_defaults.idle_timeout);
  EXPECT_EQ(c->proxy.header_timeout, config_defaults.header_timeout);
  EXPECT_EQ(c->proxy.request_limits.max_body_size, 16u << 20);
  EXPECT_EQ(c->proxy.request_limits.max_head_bytes, 32u << 10);
  EXPECT_EQ(c->proxy.max_body_buffer, config_defaults.max_body_buffer);
  ASSERT_EQ(c->proxy.connect_ports.size(), 1u);
  EXPECT_EQ(c->proxy.connect_ports[0].first, 443);
  EXPECT_TRUE(c->proxy.collapse);
  EXPECT_EQ(c->proxy.resolver, nullptr);  // the host's, or the system's
  EXPECT_TRUE(c->access_log.empty());
}

TEST(ProxyServiceTest, GoodValuesAreStored) {
  auto c = configure(with_dir({{"cache-size", "2G"},
                               {"max-object-size", "1M"},
                               {"eviction", "lru"},
                               {"origin", "http://127.0.0.1:8000"},
                               {"origin", "B.test=http://10.0.0.2:81/"},
                               {"connect-port", "443"},
                               {"connect-port", "8000-8999"},
                               {"purge-from", "10.0.0.0/8"},
                               {"via", "cache.lab"},
                               {"connect-timeout", "1.5"},
                               {"max-header-size", "64K"},
                               {"no-collapse", "true"},
                               {"no-fsync", "true"},
                               {"dns-servers", "127.0.0.1:5353"},
                               {"access-log", "-"},
                               {"access-log-format", "json"}}));
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->store.max_bytes, 2ull << 30);
  EXPECT_EQ(c->store.max_object_bytes, 1u << 20);
  EXPECT_EQ(c->store.eviction, cache::EvictionKind::lru);
  EXPECT_FALSE(c->store.fsync);
  EXPECT_EQ(c->proxy.routes.mode, ProxyMode::reverse);
  ASSERT_EQ(c->proxy.routes.origins.size(), 2u);
  EXPECT_EQ(c->proxy.routes.origins[0].host, "");
  EXPECT_EQ(c->proxy.routes.origins[0].origin.port, 8000);
  EXPECT_EQ(c->proxy.routes.origins[1].host, "b.test");
  ASSERT_EQ(c->proxy.connect_ports.size(), 2u);
  EXPECT_EQ(c->proxy.connect_ports[1].first, 8000);
  EXPECT_EQ(c->proxy.connect_ports[1].last, 8999);
  EXPECT_EQ(c->proxy.via, "1.1 cache.lab");
  EXPECT_EQ(c->proxy.cache_name, "cache.lab");
  EXPECT_EQ(c->proxy.connect_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(c->proxy.request_limits.max_head_bytes, 64u << 10);
  EXPECT_EQ(c->proxy.request_limits.max_start_line, 8u << 10);
  EXPECT_FALSE(c->proxy.collapse);
  EXPECT_NE(c->proxy.resolver, nullptr);
  EXPECT_EQ(c->access_log, "-");
  EXPECT_EQ(c->access_log_format, AccessLog::Format::json);
}

TEST(ProxyServiceTest, BadValuesNameTheOption) {
  EXPECT_EQ(error_of(with_dir({{"cache-size", "12Q"}})),
            "--cache-size: '12Q' has an unknown unit (use K, M, G or T)");
  EXPECT_EQ(error_of(with_dir({{"eviction", "fifo"}})), "--eviction: 'fifo' is not one of s3fifo, lru");
  EXPECT_EQ(error_of(with_dir({{"idle-timeout", "0"}})),
            "--idle-timeout must be a positive number of seconds");
  EXPECT_EQ(error_of(with_dir({{"max-header-size", "2M"}})), "--max-header-size: '2M' is outside 1K … 1M");
  EXPECT_EQ(error_of(with_dir({{"origin", "https://example.com/"}})),
            "--origin: 'https://example.com/': only http origins are supported (TLS to origins is not "
            "implemented)");
  EXPECT_EQ(error_of(with_dir({{"connect-port", "9-8"}})),
            "--connect-port: '9-8' is not a port or a range like 8000-8999");
  EXPECT_EQ(error_of(with_dir({{"via", "my proxy"}})), "--via: use letters, digits, '-', '.' and '_' only");
  EXPECT_EQ(error_of(with_dir({{"dns-servers", "dns.example"}})),
            "--dns-servers takes an IP address, not a name: 'dns.example'");
  EXPECT_EQ(error_of(with_dir({{"purge-from", "nonsense"}})).rfind("--purge-from ", 0), 0u);
}

TEST(ProxyServiceTest, ChecksAcrossOptions) {
  EXPECT_EQ(error_of(core::Settings{}),
            "--cache-dir is required: the directory where the cache keeps objects");
  EXPECT_EQ(error_of(with_dir({{"cache-size", "1M"}, {"max-object-size", "2M"}})),
            "--max-object-size is larger than --cache-size: no such object could ever be stored");
  EXPECT_EQ(
      error_of(with_dir({{"max-request-body", "2M"}, {"max-body-buffer", "1M"}})),
      "--max-body-buffer is smaller than --max-request-body: a body at the limit could never be buffered "
      "(it would get 503 forever)");
}

TEST(ProxyServiceTest, UnknownOptionsAreRefused) {
  // --admin-listen is the shared admin listener now (service_commands.cpp), not one of the proxy's.
  auto e = error_of(with_dir({{"admin-listen", "127.0.0.1:3129"}}));
  EXPECT_EQ(e.rfind("unknown option 'admin-listen' (known: cache-dir, ", 0), 0u) << e;
}

TEST(ProxyServiceTest, HelpShowsTodaysDefaults) {
  const auto options = proxy_settings().options();
  auto find = [&](const std::string& name) -> const core::OptionInfo* {
    for (const auto& o : options) {
      if (o.name == name) return &o;
    }
    return nullptr;
  };
  for (const auto& [name, shown] :
       std::vector<std::pair<std::string, std::string>>{{"cache-size", "1G"},
                                                        {"memory-size", "64M"},
                                                        {"memory-object-max", "256K"},
                                                        {"max-object-size", "64M"},
                                                        {"max-request-body", "16M"},
                                                        {"max-body-buffer", "256M"},
                                                        {"max-header-size", "32K"},
                                                        {"eviction", "s3fifo"},
                                                        {"access-log-format", "text"},
                                                        {"via", "endhost"},
                                                        {"connect-timeout", "10"},
                                                        {"idle-timeout", "60"}}) {
    const auto* o = find(name);
    ASSERT_NE(o, nullptr) << name;
    EXPECT_EQ(o->default_text, shown) << name;
  }
  ASSERT_NE(find("origin"), nullptr);
  EXPECT_TRUE(find("origin")->repeatable);
  EXPECT_EQ(find("origin")->value_name, "[HOST=]URL");
  EXPECT_TRUE(find("no-fsync")->value_name.empty());  // a flag
  EXPECT_EQ(find("admin-listen"), nullptr);
}

// What src/lab/recipes/proxy_recipe.cpp sets for a host: the reverse proxy the old lab unit built (one
// origin per web host, its name in Via and Cache-Status, the memory tier within the capacity).
TEST(ProxyServiceTest, TheLabRecipesSettingsGiveTheLabUnitsProxy) {
  core::Settings s;
  s.add("cache-dir", "/tmp/lab/cache/cache.someschool.edu");
  s.add("cache-size", std::to_string(64ull << 20));
  s.add("max-object-size", std::to_string(8ull << 20));
  s.add("memory-size", std::to_string(16ull << 20));
  s.add("origin", "www.someschool.edu=http://10.0.0.5:80/");
  s.add("origin", "gaia.cs.umass.edu=http://10.0.1.7:80/");
  s.add("via", "cache.someschool.edu");
  s.add("access-log", "/tmp/lab/logs/cache.someschool.edu.access.log");
  auto c = configure(s);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->store.dir, "/tmp/lab/cache/cache.someschool.edu");
  EXPECT_EQ(c->store.max_bytes, 64ull << 20);
  EXPECT_EQ(c->store.max_object_bytes, 8ull << 20);
  EXPECT_EQ(c->store.memory_bytes, 16ull << 20);
  EXPECT_EQ(c->proxy.routes.mode, ProxyMode::reverse);
  ASSERT_EQ(c->proxy.routes.origins.size(), 2u);
  EXPECT_EQ(c->proxy.routes.origins[0].host, "www.someschool.edu");
  EXPECT_EQ(c->proxy.routes.origins[0].origin.host, "10.0.0.5");
  EXPECT_EQ(c->proxy.routes.origins[0].origin.port, 80);
  EXPECT_EQ(c->proxy.via, "1.1 cache.someschool.edu");
  EXPECT_EQ(c->proxy.cache_name, "cache.someschool.edu");
  EXPECT_EQ(c->access_log_format, AccessLog::Format::text);
}

// The registry's factory: the store opened in the cache directory, the counters the dashboard shows.
TEST(ProxyServiceTest, TheRegisteredFactoryBuildsTheService) {
  core::ServiceRegistry registry;
  register_service(registry);
  const core::ServiceDescriptor* d = registry.find("proxy");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->port, kProxyPort);
  EXPECT_TRUE(d->transports.tcp);
  EXPECT_FALSE(d->transports.udp);

  const auto dir =
      std::filesystem::temp_directory_path() / ("endhost-proxy-service-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  core::EventLoops loops(1);
  std::FILE* sink = std::tmpfile();
  core::Logger log(core::LogFormat::Text, core::LogLevel::Info, sink);
  core::MetricsRegistry metrics;
  {
    core::ServiceEnv env(loops, log, metrics, core::Transcript());
    core::Settings s;
    s.add("cache-dir", (dir / "cache").string());
    s.add("no-fsync", "true");
    auto made = d->make(s, env);
    ASSERT_TRUE(made) << made.error().message;
    const auto counters = (*made)->counters();
    ASSERT_FALSE(counters.empty());
    EXPECT_EQ(counters.front().name, "requests");
    EXPECT_EQ((*made)->writable_paths().front(), (dir / "cache").string());
    EXPECT_NE((*made)->metrics_text(metrics).find("endhost_proxy_cache_hit_ratio"), std::string::npos);
    (*made)->stopped();
  }
  {
    // A file where the directory should be: not a usage error (exit 1, not 2).
    core::ServiceEnv env(loops, log, metrics, core::Transcript());
    core::Settings s;
    s.add("cache-dir", "/dev/null/cache");
    auto made = d->make(s, env);
    ASSERT_FALSE(made);
    EXPECT_FALSE(made.error().usage);
    EXPECT_EQ(made.error().message.rfind("cannot open the cache: ", 0), 0u) << made.error().message;
  }
  std::fclose(sink);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace endhost::http::proxy
