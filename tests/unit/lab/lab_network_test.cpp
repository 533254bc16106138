// The lab's network decisions that need no privilege: whether links can be emulated and why
// (network_probe.hpp), and the namespace names with the rule that says which a dead lab left
// (lab_namespaces.hpp).
#include <gtest/gtest.h>

#include "lab/network/lab_namespaces.hpp"
#include "lab/network/network_probe.hpp"

namespace endhost::lab {
namespace {

NetworkProbe everything() {
  NetworkProbe p;
  p.net_admin = p.sys_admin = p.unshare = p.tun = true;
  return p;
}

TEST(NetworkProbe, EverythingItNeedsMeansEmulated) {
  const auto m = emulation_means(everything());
  EXPECT_TRUE(m.possible);
  EXPECT_NE(m.why.find("CAP_NET_ADMIN"), std::string::npos) << m.why;
}

TEST(NetworkProbe, SaysTheFirstThingMissingAndTheFix) {
  NetworkProbe user;  // nothing at all: not root
  auto m = emulation_means(user);
  EXPECT_FALSE(m.possible);
  EXPECT_NE(m.why.find("not root"), std::string::npos) << m.why;
  EXPECT_EQ(m.why.find('\n'), std::string::npos) << "one line";

  NetworkProbe no_tun = everything();
  no_tun.tun = false;
  no_tun.tun_error = "No such device";
  m = emulation_means(no_tun);
  EXPECT_FALSE(m.possible);
  EXPECT_NE(m.why.find("/dev/net/tun (No such device"), std::string::npos) << m.why;

  NetworkProbe seccomp = everything();
  seccomp.unshare = false;
  seccomp.unshare_error = "Operation not permitted";
  m = emulation_means(seccomp);
  EXPECT_FALSE(m.possible);
  EXPECT_NE(m.why.find("unshare: Operation not permitted"), std::string::npos) << m.why;

  NetworkProbe no_sys_admin = everything();
  no_sys_admin.sys_admin = false;
  m = emulation_means(no_sys_admin);
  EXPECT_FALSE(m.possible);
  EXPECT_NE(m.why.find("no CAP_SYS_ADMIN"), std::string::npos) << m.why;
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
  const std::vector<std::string> names{"endhost-100-0", "endhost-100-1", "endhost-200-0", "mine",
                                       "endhost-x-0"};
  const auto stale = stale_namespaces(names, [](std::int64_t pid) { return pid == 200; });
  EXPECT_EQ(stale, (std::vector<std::string>{"endhost-100-0", "endhost-100-1"}));
  EXPECT_TRUE(stale_namespaces(names, [](std::int64_t) { return true; }).empty());
}

}  // namespace
}  // namespace endhost::lab
