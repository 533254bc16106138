// Which user a server becomes, and the refusals that must stop it from serving. The drop itself (which needs
// root and is for good) is tested end to end in tests/integration/test_privileges.py.
#include "core/privileges.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace endhost::core {
namespace {

TEST(Privileges, BecomesTheRequestedUser) {
  EXPECT_EQ(user_to_become("daemon", false, 8080), "daemon");
  EXPECT_EQ(user_to_become("daemon", true, 53), "daemon");
}

TEST(Privileges, RootOnAPrivilegedPortBecomesNobodyByDefault) {
  EXPECT_EQ(user_to_become("", true, 53), "nobody");
  EXPECT_EQ(user_to_become("", true, 1023), "nobody");
}

TEST(Privileges, StaysWhenNothingAsksForADrop) {
  EXPECT_EQ(user_to_become("", true, 1024), "");
  EXPECT_EQ(user_to_become("", true, 0), "");  // nothing bound
  EXPECT_EQ(user_to_become("", false, 80), "");
}

TEST(Privileges, AnUnknownUserIsOneClearLine) {
  const std::string users[] = {"/tmp"};
  auto r = drop_privileges("no-such-user-endhost", users);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(),
            "--user no-such-user-endhost: no such user (give a user of this machine, e.g. --user nobody)");
}

TEST(Privileges, AnotherUserNeedsRoot) {
  if (::geteuid() == 0) GTEST_SKIP() << "as root the drop would succeed, for good";
  auto r = drop_privileges("root", {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("only root can change to another user"), std::string::npos) << r.error();
}

}  // namespace
}  // namespace endhost::core
