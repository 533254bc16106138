// The resolver as a registered service: its options' table (the same sentences from `endhost resolver serve`
// and from a lab host's `resolver = { … }`), the configuration built from them, and the service the
// registry's factory builds. The host drains it once: it registers its listeners with drain_with() and is
// adopted, never added a second time (the old lab unit added it again, and its resolutions were counted
// twice by the drain).
#include <gtest/gtest.h>

#include <poll.h>
#include <unistd.h>
#include <array>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>

#include "core/binder.hpp"
#include "core/log.hpp"
#include "core/net_namespace.hpp"
#include "core/service_host.hpp"
#include "core/service_registry.hpp"
#include "core/socket_place.hpp"
#include "dns/resolver/resolver_settings.hpp"

namespace endhost::dns::resolver {
namespace {

Expected<ResolverOptions, std::string> parse(
    std::initializer_list<std::pair<const char*, const char*>> items) {
  core::Settings s;
  for (const auto& [name, value] : items) s.add(name, value);
  ResolverOptions o;
  if (auto ok = resolver_settings().apply(s, o); !ok) return Unexpected(ok.error());
  return o;
}

// A named.root file with one root server, in a directory of this test's own.
class RootHintsFile {
 public:
  RootHintsFile()
      : path_(std::filesystem::temp_directory_path() /
              ("endhost-resolver-test-" + std::to_string(::getpid()) + ".root")) {
    std::ofstream(path_) << ".  3600000 NS a.root-servers.net.\na.root-servers.net. 3600000 A 127.0.0.2\n";
  }
  ~RootHintsFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(ResolverSettings, DefaultsAreTheCommandLines) {
  auto o = parse({});
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->query_port, 53);
  EXPECT_EQ(o->cache_mib, 64u);
  EXPECT_EQ(o->max_ttl, 86'400u);
  EXPECT_EQ(o->max_negative_ttl, 3'600u);
  EXPECT_EQ(o->max_udp_payload, 1232);
  EXPECT_EQ(o->max_resolutions, 1000u);
  EXPECT_FALSE(o->ipv6);
  EXPECT_TRUE(o->allow.empty());
}

TEST(ResolverSettings, GoodValuesAreStored) {
  auto o = parse({{"root-hints", "lab.root"},
                  {"allow", "127.0.0.0/8"},
                  {"allow", "10.0.0.0/8"},
                  {"query-port", "5300"},
                  {"cache-size", "128"},
                  {"resolution-timeout", "2.5"},
                  {"ipv6", "true"},
                  {"max-udp-payload", "4096"}});
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->root_hints, "lab.root");
  EXPECT_EQ(o->allow, (std::vector<std::string>{"127.0.0.0/8", "10.0.0.0/8"}));
  EXPECT_EQ(o->query_port, 5300);
  EXPECT_EQ(o->cache_mib, 128u);
  EXPECT_DOUBLE_EQ(o->resolution_timeout, 2.5);
  EXPECT_TRUE(o->ipv6);
  EXPECT_EQ(o->max_udp_payload, 4096);
}

TEST(ResolverSettings, BadValuesNameTheOption) {
  auto payload = parse({{"max-udp-payload", "100"}});
  ASSERT_FALSE(payload);
  EXPECT_EQ(payload.error(), "--max-udp-payload: '100' is outside 512 … 65535");
  auto port = parse({{"query-port", "0"}});
  ASSERT_FALSE(port);
  EXPECT_EQ(port.error(), "--query-port: '0' is outside 1 … 65535");
  auto timeout = parse({{"resolution-timeout", "0"}});
  ASSERT_FALSE(timeout);
  EXPECT_EQ(timeout.error(), "--resolution-timeout must be a positive number of seconds");
  auto cache = parse({{"cache-size", "lots"}});
  ASSERT_FALSE(cache);
  EXPECT_EQ(cache.error(), "--cache-size: 'lots' is not a whole number");
}

TEST(ResolverSettings, UnknownOptionIsRefusedWithTheKnownOnes) {
  auto o = parse({{"forwarders", "1.1.1.1"}});
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error().rfind("unknown option 'forwarders' (known: root-hints, allow, query-port", 0), 0u)
      << o.error();
}

TEST(ResolverConfig, BadAllowIsAUsageErrorFoundBeforeTheRootHints) {
  ResolverOptions o;
  o.allow = {"10.0.0.1/8"};
  o.root_hints = "/nonexistent/named.root";
  auto c = resolver_config(o);
  ASSERT_FALSE(c);
  EXPECT_TRUE(c.error().usage);
  EXPECT_NE(c.error().message.find("--allow"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("10.0.0.0/8"), std::string::npos) << c.error().message;
}

TEST(ResolverConfig, UnreadableRootHintsAreNotAUsageError) {
  ResolverOptions o;
  o.root_hints = "/nonexistent/named.root";
  auto c = resolver_config(o);
  ASSERT_FALSE(c);
  EXPECT_FALSE(c.error().usage);
  EXPECT_EQ(c.error().message.rfind("--root-hints /nonexistent/named.root: ", 0), 0u) << c.error().message;
}

TEST(ResolverConfig, OptionsReachTheConfiguration) {
  RootHintsFile hints;
  ResolverOptions o;
  o.root_hints = hints.path();
  o.query_port = 5300;
  o.cache_mib = 2;
  o.resolution_timeout = 1.5;
  o.idle_timeout = 3;
  auto c = resolver_config(o);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->hints.servers.size(), 1u);
  EXPECT_EQ(c->engine.query_port, 5300);
  EXPECT_EQ(c->cache.max_bytes, core::ByteCount(2u << 20));
  EXPECT_EQ(c->engine.timing.resolution_timeout, Millis(1500));
  EXPECT_EQ(c->tcp_idle_timeout, Millis(3000));
  EXPECT_EQ(c->acl.size(), core::AddressAcl::loopback().size());
}

TEST(ResolverService, TheRegistrysResolverIsDrainedOnceAndReportsItsCounters) {
  RootHintsFile hints;
  core::ServiceRegistry registry;
  register_service(registry);
  const core::ServiceDescriptor* d = registry.find("resolver");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->port, 53);
  EXPECT_TRUE(d->transports.tcp && d->transports.udp);

  core::Logger log(core::LogFormat::Text, core::LogLevel::Error);
  core::ServiceHost host(core::ServiceHostOptions{1, std::chrono::milliseconds(100), false}, log);
  core::ServiceEnv env(host.loops(), host.log(), host.metrics(), core::Transcript());
  env.udp_listen = {{asio::ip::make_address("127.0.0.1"), 0}};
  env.tcp_listen = {{asio::ip::make_address("127.0.0.1"), 0}};
  core::Settings settings;
  settings.add("root-hints", hints.path());
  auto made = d->make(settings, env);
  ASSERT_TRUE(made) << made.error().message;
  auto& service = dynamic_cast<ResolverService&>(host.adopt(std::move(*made)));
  core::Binder binder(log, "resolver");
  ASSERT_TRUE(service.bind(binder));
  EXPECT_EQ(host.duplicate_registrations(), 0u);
  EXPECT_EQ(host.drainable_count(), 1u);
  ASSERT_EQ(service.udp_endpoints().size(), 1u);
  ASSERT_EQ(service.tcp_endpoints().size(), 1u);
  EXPECT_NE(service.udp_endpoints()[0].port(), 0);
  EXPECT_EQ(service.udp_endpoints()[0].port(), service.tcp_endpoints()[0].port());
  EXPECT_EQ(service.in_flight(), 0u);

  const auto counters = service.counters();
  ASSERT_EQ(counters.size(), 3u);
  EXPECT_EQ(counters[0].name, "queries");
  EXPECT_EQ(counters[1].name, "from cache");
  EXPECT_EQ(counters[2].name, "upstream queries");
  EXPECT_TRUE(service.flush_cache());
}

TEST(ResolverService, SettingsErrorsComeBackFromTheFactory) {
  core::ServiceRegistry registry;
  register_service(registry);
  core::Logger log(core::LogFormat::Text, core::LogLevel::Error);
  core::ServiceHost host(core::ServiceHostOptions{1, std::chrono::milliseconds(100), false}, log);
  core::ServiceEnv env(host.loops(), host.log(), host.metrics(), core::Transcript());
  core::Settings settings;
  settings.add("max-ttl", "0");
  auto made = registry.find("resolver")->make(settings, env);
  ASSERT_FALSE(made);
  EXPECT_TRUE(made.error().usage);
  EXPECT_EQ(made.error().message, "--max-ttl: '0' is outside 1 … 2147483647");
}

// With ServiceEnv::socket_place naming a network namespace, everything the resolver opens is made there:
// its listeners (through the Binder) and its upstream sockets, made at run time for each query. Inside a
// namespace of its own, 127.0.0.2 is that namespace's loopback; a root server listening there only hears the
// resolver's upstream query if that socket was made inside too. Needs root; skips without it.
TEST(ResolverService, ItsSocketsAreMadeInTheNamespaceOfItsPlace) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to make a network namespace";
  const std::string name = "endhost-test-" + std::to_string(::getpid()) + "-resolver";
  auto made_ns = core::NetNamespace::create(name);
  if (!made_ns && made_ns.error().find("cannot make network namespace") == 0)
    GTEST_SKIP() << "unshare(CLONE_NEWNET) is refused here: " << made_ns.error();
  ASSERT_TRUE(made_ns) << made_ns.error();
  struct Remove {
    std::string name;
    ~Remove() { EXPECT_TRUE(core::NetNamespace::remove(name)); }
  } remove_at_end{name};
  const core::SocketPlace place(std::make_shared<core::NetNamespace>(std::move(*made_ns)));

  // The root server of the hints (127.0.0.2:53), inside the namespace.
  asio::io_context io;
  asio::ip::udp::socket root(io);
  boost::system::error_code ec;
  core::open_socket(root, asio::ip::udp::v4(), ec, place);
  ASSERT_FALSE(ec) << ec.message();
  root.bind({asio::ip::make_address("127.0.0.2"), 53}, ec);
  ASSERT_FALSE(ec) << ec.message();

  RootHintsFile hints;
  core::ServiceRegistry registry;
  register_service(registry);
  core::Logger log(core::LogFormat::Text, core::LogLevel::Error);
  core::ServiceHost host(core::ServiceHostOptions{1, std::chrono::milliseconds(100), false}, log);
  core::ServiceEnv env(host.loops(), host.log(), host.metrics(), core::Transcript());
  env.udp_listen = {{asio::ip::make_address("127.0.0.1"), 0}};
  env.tcp_listen = {{asio::ip::make_address("127.0.0.1"), 0}};
  env.socket_place = place;
  core::Settings settings;
  settings.add("root-hints", hints.path());
  auto made = registry.find("resolver")->make(settings, env);
  ASSERT_TRUE(made) << made.error().message;
  auto& service = dynamic_cast<ResolverService&>(host.adopt(std::move(*made)));
  core::Binder binder(log, "resolver", "local", env.socket_place);
  ASSERT_TRUE(service.bind(binder));
  service.start();
  auto runner = std::async(std::launch::async, [&host] { return host.run(); });

  // A client inside the namespace asks for example. A (RFC 1035 §4.1: ID 0x1234, RD, one question).
  asio::ip::udp::socket client(io);
  core::open_socket(client, asio::ip::udp::v4(), ec, place);
  ASSERT_FALSE(ec) << ec.message();
  const std::uint8_t query[] = {0x12, 0x34, 0x01, 0x00, 0,   1,   0,   0, 0, 0, 0, 0, 7,
                                'e',  'x',  'a',  'm',  'p', 'l', 'e', 0, 0, 1, 0, 1};
  client.send_to(asio::buffer(query), service.udp_endpoints().at(0), 0, ec);
  ASSERT_FALSE(ec) << ec.message();

  pollfd ready{root.native_handle(), POLLIN, 0};
  const bool heard = ::poll(&ready, 1, 5000) == 1;
  std::string asked;
  if (heard) {
    std::array<char, 512> buf{};
    asio::ip::udp::endpoint from;
    const std::size_t n = root.receive_from(asio::buffer(buf), from, 0, ec);
    asked.assign(buf.data(), n);
  }
  host.request_shutdown();
  runner.wait();
  ASSERT_TRUE(heard) << "the root server inside the namespace heard no upstream query";
  EXPECT_NE(asked.find("\x07"
                       "example"),
            std::string::npos);
}

}  // namespace
}  // namespace endhost::dns::resolver
