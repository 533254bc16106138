// The lab's network decisions that need no privilege: emulated or loopback and why (network_mode.hpp), and
// the namespace names with the rule that says which a dead lab left (lab_namespaces.hpp).
#include <gtest/gtest.h>

#include "lab/network/lab_namespaces.hpp"
#include "lab/network/network_mode.hpp"

namespace endhost::lab {
namespace {

NetworkProbe everything() {
  NetworkProbe p;
  p.net_admin = p.sys_admin = p.unshare = p.tun = true;
  return p;
}

TEST(NetworkMode, AutoIsEmulatedWithEverythingItNeeds) {
  auto c = choose_network(NetworkAsk::automatic, everything());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->mode, NetworkMode::emulated);
  EXPECT_STREQ(network_mode_name(c->mode), "emulated");
}

TEST(NetworkMode, AutoFallsBackToLoopbackAndSaysWhy) {
  NetworkProbe user;  // nothing at all: not root
  auto c = choose_network(NetworkAsk::automatic, user);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->mode, NetworkMode::loopback);
  EXPECT_NE(c->reason.find("links are not emulated"), std::string::npos) << c->reason;
  EXPECT_NE(c->reason.find("not root"), std::string::npos) << c->reason;
  EXPECT_NE(c->reason.find("sudo endhost lab"), std::string::npos) << c->reason;

  NetworkProbe no_tun = everything();
  no_tun.tun = false;
  no_tun.tun_error = "No such device";
  c = choose_network(NetworkAsk::automatic, no_tun);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->mode, NetworkMode::loopback);
  EXPECT_NE(c->reason.find("/dev/net/tun (No such device"), std::string::npos) << c->reason;

  NetworkProbe seccomp = everything();
  seccomp.unshare = false;
  seccomp.unshare_error = "Operation not permitted";
  c = choose_network(NetworkAsk::automatic, seccomp);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->mode, NetworkMode::loopback);
  EXPECT_NE(c->reason.find("unshare: Operation not permitted"), std::string::npos) << c->reason;

  NetworkProbe no_sys_admin = everything();
  no_sys_admin.sys_admin = false;
  c = choose_network(NetworkAsk::automatic, no_sys_admin);
  ASSERT_TRUE(c);
  EXPECT_NE(c->reason.find("no CAP_SYS_ADMIN"), std::string::npos) << c->reason;
}

TEST(NetworkMode, EmulatedWithoutThePrivilegeIsAnErrorWithTheFix) {
  NetworkProbe user;
  auto c = choose_network(NetworkAsk::emulated, user);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().find('\n'), std::string::npos) << "one line";
  EXPECT_NE(c.error().find("sudo endhost lab"), std::string::npos) << c.error();
  EXPECT_NE(c.error().find("network = \"auto\""), std::string::npos) << c.error();
  EXPECT_TRUE(choose_network(NetworkAsk::emulated, everything()));
}

TEST(NetworkMode, LoopbackAskedStaysLoopbackEvenAsRoot) {
  auto c = choose_network(NetworkAsk::loopback, everything());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->mode, NetworkMode::loopback);
  EXPECT_NE(c->reason.find("network = \"loopback\""), std::string::npos) << c->reason;
}

TEST(LabNamespaces, NamesCarryTheLabsPidAndFitIproute2) {
  const std::string name = host_namespace_name(lab_network_id(4194304), 3999);
  EXPECT_EQ(name, "endhost-4194304-3999");
  EXPECT_LE(name.size(), 20u);
  EXPECT_EQ(namespace_owner(name), 4194304);
  EXPECT_EQ(namespace_owner("endhost-12-0"), 12);
}

TEST(LabNamespaces, OtherNamesAreNeverALabs) {
  for (const char* n : {"endhost-", "endhost-12", "endhost-12-", "endhost--1", "endhost-x-1", "endhost-12-a",
                        "endhost-0-1", "blue", "myendhost-12-1", "endhost-12-1-2"}) {
    EXPECT_FALSE(namespace_owner(n)) << n;
  }
}

TEST(LabNamespaces, OnlyThoseOfDeadLabsAreStale) {
  const std::vector<std::string> names{"endhost-100-0", "endhost-100-1", "endhost-200-0", "mine", "endhost-x-0"};
  const auto stale = stale_namespaces(names, [](std::int64_t pid) { return pid == 200; });
  EXPECT_EQ(stale, (std::vector<std::string>{"endhost-100-0", "endhost-100-1"}));
  EXPECT_TRUE(stale_namespaces(names, [](std::int64_t) { return true; }).empty());
}

}  // namespace
}  // namespace endhost::lab
