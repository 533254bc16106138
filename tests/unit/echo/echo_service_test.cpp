// The echo service as the registry has it: its options checked by its own table, its transports following
// --tcp and --udp, the lab's defaults (both), and a factory that refuses neither.
#include <gtest/gtest.h>

#include <cstdio>

#include "core/log.hpp"
#include "core/service_host.hpp"
#include "core/service_registry.hpp"
#include "echo/echo_service.hpp"

namespace endhost::echo {
namespace {

const core::ServiceDescriptor& descriptor(core::ServiceRegistry& registry) {
  register_service(registry);
  return *registry.find("echo");
}

core::Settings of(std::initializer_list<std::pair<std::string, std::string>> items) {
  core::Settings s;
  for (const auto& [k, v] : items) s.add(k, v);
  return s;
}

TEST(EchoServiceTest, ChecksItsOwnOptions) {
  core::ServiceRegistry registry;
  const auto& d = descriptor(registry);
  EXPECT_TRUE(d.check(of({{"tcp", "true"}, {"max-line", "4096"}, {"idle-timeout", "0.5"}})));
  auto line = d.check(of({{"max-line", "0"}}));
  ASSERT_FALSE(line);
  EXPECT_EQ(line.error(), "--max-line: '0' is outside 1 … 16777216");
  auto idle = d.check(of({{"idle-timeout", "-1"}}));
  ASSERT_FALSE(idle);
  EXPECT_NE(idle.error().find("--idle-timeout"), std::string::npos) << idle.error();
  auto unknown = d.check(of({{"port", "1"}}));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().rfind("unknown option 'port' (known: tcp, udp, max-line, idle-timeout)", 0), 0u);
}

TEST(EchoServiceTest, TransportsFollowTheFlagsAndTheLabServesBoth) {
  core::ServiceRegistry registry;
  const auto& d = descriptor(registry);
  auto udp = d.transports_of(of({{"udp", "true"}}));
  EXPECT_FALSE(udp.tcp);
  EXPECT_TRUE(udp.udp);
  auto lab = d.transports_of(d.lab_defaults);
  EXPECT_TRUE(lab.tcp && lab.udp);
  EXPECT_FALSE(d.shift_in_high_mode);  // the textbook's 12000 in both of the lab's port modes
  EXPECT_EQ(d.port, kEchoPort);
}

TEST(EchoServiceTest, TheFactoryAsksForTcpOrUdp) {
  core::ServiceRegistry registry;
  const auto& d = descriptor(registry);
  core::Logger log(core::LogFormat::Text, core::LogLevel::Error, stderr);
  core::ServiceHost host({1, std::chrono::milliseconds(100), false}, log);
  core::ServiceEnv env(host.loops(), log, host.metrics(), core::Transcript());
  auto none = d.make(of({}), env);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message, "choose --tcp or --udp (or both)");
  EXPECT_TRUE(none.error().usage);
  auto made = d.make(of({{"tcp", "true"}}), env);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ((*made)->counters().front().name, "messages");
}

}  // namespace
}  // namespace endhost::echo
