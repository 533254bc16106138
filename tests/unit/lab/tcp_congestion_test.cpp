// The congestion control the lab gives its hosts (tcp_congestion.hpp): CUBIC when the machine allows it,
// Reno otherwise, never the machine's BBR; and, as root, that a namespace really gets it while the
// machine's own setting stays as it was.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/net_namespace.hpp"
#include "lab/network/tcp_congestion.hpp"

namespace endhost::lab {
namespace {

TEST(LabCongestionControl, CubicWhenAllowed) {
  EXPECT_EQ(lab_congestion_control("reno bbr cubic\n"), "cubic");
  EXPECT_EQ(lab_congestion_control("cubic reno"), "cubic");
}

TEST(LabCongestionControl, RenoWhenCubicIsNotAllowed) {
  EXPECT_EQ(lab_congestion_control("reno bbr\n"), "reno");
  EXPECT_EQ(lab_congestion_control(""), "reno");
  EXPECT_EQ(lab_congestion_control("bbr cubic2"), "reno") << "whole names only";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(LabCongestionControl, SetsTheNamespaceOnly) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)";
  const std::string machine = read_text(std::string(kCongestionControlSysctl));
  const std::string name = "endhost-cctest-" + std::to_string(::getpid());
  auto ns = core::NetNamespace::create(name);
  ASSERT_TRUE(ns) << ns.error();
  auto set = set_lab_congestion_control(*ns);
  std::string inside;
  {
    const core::ScopedNetns in(*ns);
    ASSERT_TRUE(in) << in.message();
    inside = read_text(std::string(kCongestionControlSysctl));
  }
  ASSERT_TRUE(core::NetNamespace::remove(name));
  ASSERT_TRUE(set) << set.error();
  EXPECT_EQ(inside, *set + "\n");
  EXPECT_TRUE(*set == "cubic" || *set == "reno") << *set;
  EXPECT_EQ(read_text(std::string(kCongestionControlSysctl)), machine) << "the machine's stays";
}

}  // namespace
}  // namespace endhost::lab
