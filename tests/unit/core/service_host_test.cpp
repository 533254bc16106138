// ServiceHost's start-up: the open-file limit every service relies on to hold many connections.
#include "core/service_host.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

namespace endhost::core {
namespace {

TEST(ServiceHost, RaisesTheOpenFileLimitToTheHardLimit) {
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_max <= 64) GTEST_SKIP() << "the hard limit is too low to lower the soft one below it";
  // Start from a soft limit below the hard one, as a shell's default of 1024 usually is.
  limit.rlim_cur = 64;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &limit), 0);
  Logger log(LogFormat::Text, LogLevel::Error);
  ServiceHost host(ServiceHostOptions{1, std::chrono::milliseconds(100), false}, log);
  rlimit now{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_EQ(now.rlim_cur, limit.rlim_max);
  EXPECT_EQ(raise_open_file_limit(), static_cast<std::uint64_t>(limit.rlim_max));
}

}  // namespace
}  // namespace endhost::core
