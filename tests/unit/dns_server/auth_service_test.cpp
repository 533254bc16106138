// The "dns" service's options (auth_service.hpp): the table checks each value with a sentence naming the
// option, the lab's `ORIGIN=FILE` zones parse as the old lab unit built them, the registration says what
// `endhost dns serve` is, and the dashboard's "queries" counts what clients actually sent.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

#include "core/binder.hpp"
#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/service_registry.hpp"
#include "dns/message.hpp"
#include "dns/server/auth_service.hpp"
#include "test_util.hpp"

namespace endhost::dns::server {
namespace {

using test::N;

Expected<AuthServiceOptions, std::string> options_of(const core::Settings& s) {
  AuthServiceOptions o;
  if (auto ok = auth_settings().apply(s, o); !ok) return Unexpected(ok.error());
  return o;
}

TEST(AuthService, GoodValuesAreStored) {
  core::Settings s;
  s.add("zone", "examples/zones/com.zone");
  s.add("zone", "example.com=example.com.zone");
  s.add("max-udp-payload", "4096");
  s.add("idle-timeout", "2.5");
  s.add("max-zone-records", "1000");
  s.add("udp-batch", "64");
  s.add("reuseport", "true");
  s.add("allow-transfer", "127.0.0.0/8");
  auto o = options_of(s);
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->zones.size(), 2u);
  EXPECT_EQ(o->max_udp_payload, 4096);
  EXPECT_DOUBLE_EQ(o->idle_timeout, 2.5);
  EXPECT_DOUBLE_EQ(o->io_timeout, 10);
  EXPECT_EQ(o->max_zone_records, 1000u);
  EXPECT_EQ(o->udp_batch, 64u);
  EXPECT_TRUE(o->reuseport);
  auto c = auth_server_config(*o);
  ASSERT_TRUE(c) << c.error();
  ASSERT_EQ(c->zones.primaries.size(), 2u);
  EXPECT_FALSE(c->zones.primaries[0].origin.has_value());  // the file's SOA owner names it
  EXPECT_EQ(c->zones.primaries[1].origin, N("example.com."));
  EXPECT_EQ(c->query.max_udp_payload, 4096);
  EXPECT_EQ(c->tcp.idle_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(c->tcp.io_timeout, std::chrono::milliseconds(10'000));
  EXPECT_EQ(c->zones.limits.max_records, 1000u);
  EXPECT_EQ(c->udp.batch, 64u);
  EXPECT_TRUE(c->udp.reuseport);
}

// The lab's recipe gives `zone = ORIGIN=FILE` with the origin fully qualified ("." for the root) and the
// file under the lab's state directory: the same origins and files the old lab unit put in the config.
TEST(AuthService, TheLabsZonesParseAsTheOldUnitBuiltThem) {
  core::Settings s;
  s.add("zone", "com.=/tmp/lab-state/zones/com.zone");
  s.add("zone", ".=/tmp/lab-state/zones/root.zone");
  s.add("zone", "networkutopia.com.=/tmp/a=b/zones/networkutopia.com.zone");
  auto o = options_of(s);
  ASSERT_TRUE(o) << o.error();
  auto c = auth_server_config(*o);
  ASSERT_TRUE(c) << c.error();
  ASSERT_EQ(c->zones.primaries.size(), 3u);
  EXPECT_EQ(c->zones.primaries[0].origin, N("com."));
  EXPECT_EQ(c->zones.primaries[0].file, "/tmp/lab-state/zones/com.zone");
  EXPECT_EQ(c->zones.primaries[1].origin, N("."));
  EXPECT_EQ(c->zones.primaries[1].file, "/tmp/lab-state/zones/root.zone");
  EXPECT_EQ(c->zones.primaries[2].origin, N("networkutopia.com."));
  EXPECT_EQ(c->zones.primaries[2].file, "/tmp/a=b/zones/networkutopia.com.zone");
  EXPECT_TRUE(c->secondaries.empty());
  EXPECT_TRUE(c->zones.state_dir.empty());
}

TEST(AuthService, BadValuesNameTheOption) {
  core::Settings s;
  s.add("max-udp-payload", "100");
  auto o = options_of(s);
  ASSERT_FALSE(o);
  EXPECT_NE(o.error().find("--max-udp-payload"), std::string::npos) << o.error();
  EXPECT_NE(o.error().find("100"), std::string::npos) << o.error();

  core::Settings t;
  t.add("idle-timeout", "0");
  o = options_of(t);
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error(), "--idle-timeout must be a positive number of seconds");

  core::Settings u;
  u.add("udp-batch", "2000");
  o = options_of(u);
  ASSERT_FALSE(o);
  EXPECT_NE(o.error().find("--udp-batch"), std::string::npos) << o.error();
}

TEST(AuthService, UnknownOptionsAreRefused) {
  core::Settings s;
  s.add("zones", "com.zone");
  auto o = options_of(s);
  ASSERT_FALSE(o);
  EXPECT_NE(o.error().find("unknown option 'zones'"), std::string::npos) << o.error();
  EXPECT_NE(o.error().find("zone, secondary, state"), std::string::npos) << o.error();
}

TEST(AuthService, ChecksOverSeveralOptionsGiveTheCommandLinesSentences) {
  auto nothing = auth_server_config(AuthServiceOptions{});
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error(),
            "nothing to serve: give --zone FILE (a primary zone) or --secondary ZONE=PRIMARY");

  AuthServiceOptions o;
  o.secondaries = {"example.com=127.0.0.1:5300"};
  auto no_state = auth_server_config(o);
  ASSERT_FALSE(no_state);
  EXPECT_EQ(no_state.error(),
            "--secondary needs --state DIR, where transferred zones are kept across restarts");
  o.state_dir = "/tmp/sec";
  auto ok = auth_server_config(o);
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(ok->secondaries.size(), 1u);
  EXPECT_EQ(ok->secondaries[0].port, 5300);

  AuthServiceOptions acl;
  acl.zones = {"com.zone"};
  acl.allow_transfer = {"10.0.0.1/8"};
  auto bad_acl = auth_server_config(acl);
  ASSERT_FALSE(bad_acl);
  EXPECT_NE(bad_acl.error().find("--allow-transfer"), std::string::npos) << bad_acl.error();

  AuthServiceOptions notify;
  notify.zones = {"com.zone"};
  notify.notify = {"ns.example:53"};
  auto bad_notify = auth_server_config(notify);
  ASSERT_FALSE(bad_notify);
  EXPECT_EQ(bad_notify.error(), "--notify ns.example:53: 'ns.example' is not an IP address");
}

TEST(AuthService, IsRegisteredAsDns) {
  core::ServiceRegistry registry;
  register_service(registry);
  const core::ServiceDescriptor* d = registry.find("dns");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->port, 53);
  EXPECT_TRUE(d->transports.tcp);
  EXPECT_TRUE(d->transports.udp);
  const core::OptionInfo* zone = d->option("zone");
  ASSERT_NE(zone, nullptr);
  EXPECT_EQ(zone->alias, "-z");
  EXPECT_EQ(zone->value_name, "[ORIGIN=]FILE");
  EXPECT_TRUE(zone->repeatable);
  const core::OptionInfo* payload = d->option("max-udp-payload");
  ASSERT_NE(payload, nullptr);
  EXPECT_EQ(payload->default_text, "1232");
  const core::OptionInfo* reuseport = d->option("reuseport");
  ASSERT_NE(reuseport, nullptr);
  EXPECT_TRUE(reuseport->value_name.empty());  // a flag
  for (const char* name : {"secondary", "state", "allow-transfer", "notify", "idle-timeout", "io-timeout",
                           "max-zone-records", "max-zone-bytes", "udp-batch"}) {
    EXPECT_NE(d->option(name), nullptr) << name;
  }
}

// Built through the registry as `endhost dns serve` builds it, on a real socket, with no transcript: the
// dashboard's "queries" comes from the server's metrics, not from transcript lines.
TEST(AuthService, QueriesAreCountedWithoutATranscript) {
  core::ServiceRegistry registry;
  register_service(registry);
  core::EventLoops loops(1);
  core::MetricsRegistry metrics;
  core::Logger log(core::LogFormat::Text, core::LogLevel::Error, stderr);
  core::ServiceEnv env(loops, log, metrics, core::Transcript());
  env.udp_listen = {{asio::ip::make_address("127.0.0.1"), 0}};
  env.tcp_listen = {{asio::ip::make_address("127.0.0.1"), 0}};
  core::Settings s;
  s.add("zone", "networkutopia.com.=" + std::string(ENDHOST_EXAMPLE_ZONES) + "/networkutopia.com.zone");
  auto made = registry.find("dns")->make(s, env);
  ASSERT_TRUE(made) << made.error().message;
  std::unique_ptr<core::Service> service = std::move(*made);
  core::Binder binder(log, "dns");
  ASSERT_TRUE(service->bind(binder));
  ASSERT_NE(binder.lowest_port(), 0);
  service->start();
  auto counters = service->counters();
  ASSERT_FALSE(counters.empty());
  EXPECT_EQ(counters[0].name, "queries");
  EXPECT_EQ(counters[0].value, 0u);

  int client = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  ASSERT_GE(client, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(binder.lowest_port());
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const auto known = test::wire(make_query(1, N("www.networkutopia.com."), RRType::A, false));
  const auto elsewhere = test::wire(make_query(2, N("www.example.org."), RRType::A, false));  // REFUSED
  std::uint8_t reply[2048];
  int answered = 0;
  for (const auto* q : {&known, &elsewhere, &known}) {
    ASSERT_EQ(::sendto(client, q->data(), q->size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
              static_cast<ssize_t>(q->size()));
  }
  for (int spins = 0; answered < 3 && spins < 100000; ++spins) {
    loops[0].io().poll();
    while (::recv(client, reply, sizeof reply, 0) > 0) ++answered;
  }
  ASSERT_EQ(answered, 3);
  EXPECT_EQ(service->counters()[0].value, 3u);
  ::close(client);
  service->drain();
  loops[0].io().poll();
  loops.shutdown();
}

}  // namespace
}  // namespace endhost::dns::server
