// The session code's view: Asio addresses, the way an accepted socket reports its peer.
#include "core/address_acl_asio.hpp"

#include <gtest/gtest.h>

namespace endhost::core {
namespace {

TEST(AddressAclAsio, MatchesV4V6AndMappedPeers) {
  const AddressAcl acl = AddressAcl::parse({"192.0.2.0/24", "2001:db8::/32"}).value();
  EXPECT_TRUE(allows(acl, asio::ip::make_address("192.0.2.9")));
  EXPECT_TRUE(allows(acl, asio::ip::make_address("::ffff:192.0.2.9")));
  EXPECT_TRUE(allows(acl, asio::ip::make_address("2001:db8::9")));
  EXPECT_FALSE(allows(acl, asio::ip::make_address("198.51.100.1")));
  EXPECT_FALSE(allows(acl, asio::ip::make_address("::1")));
}

}  // namespace
}  // namespace endhost::core
