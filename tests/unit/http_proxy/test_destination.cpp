// The forward proxy's destination guard (destination.hpp) and the access log's time order (access_log.hpp).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "http/proxy/access_log.hpp"
#include "http/proxy/destination.hpp"

namespace endhost::http::proxy {
namespace {

asio::ip::address a(const char* text) {
  return asio::ip::make_address(text);
}

// Issue 18: every address form of this host is refused: loopback, unspecified, link-local, mapped.
TEST(DestinationGuard, RefusesLoopbackLinkLocalUnspecifiedInEveryForm) {
  const DestinationGuard guard{core::AddressAcl()};
  for (const char* text : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "::127.0.0.1", "0.0.0.0",
                           "0.1.2.3", "::", "169.254.169.254", "fe80::1", "::ffff:169.254.1.1"})
    EXPECT_NE(guard.refuse(a(text)), "") << text;
  // Addresses of other machines pass (TEST-NET, documentation prefix).
  for (const char* text : {"192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1", "8.8.8.8"})
    EXPECT_EQ(guard.refuse(a(text)), "") << text;
}

TEST(DestinationGuard, AllowListOpensChosenBlocks) {
  auto acl = core::AddressAcl::parse({"127.0.0.0/8"});
  ASSERT_TRUE(acl);
  const DestinationGuard guard{*acl};
  EXPECT_EQ(guard.refuse(a("127.0.0.1")), "");
  EXPECT_EQ(guard.refuse(a("::ffff:127.0.0.2")), "");
  EXPECT_NE(guard.refuse(a("::1")), "");
  EXPECT_NE(guard.refuse(a("169.254.169.254")), "");
}

TEST(CanonicalAddress, UnmapsIpv4InIpv6) {
  EXPECT_EQ(canonical_address(a("::ffff:10.1.2.3")), a("10.1.2.3"));
  EXPECT_EQ(canonical_address(a("::10.1.2.3")), a("10.1.2.3"));
  EXPECT_EQ(canonical_address(a("::1")), a("::1"));
  EXPECT_EQ(canonical_address(a("::")), a("::"));
  EXPECT_EQ(canonical_address(a("2001:db8::1")), a("2001:db8::1"));
}

// Issue 17: lines from different loops come out in time order, whichever loop hands its buffer over first.
TEST(AccessLog, LinesOfDifferentLoopsAreWrittenInTimeOrder) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    AccessLog log(f, false, AccessLog::Format::text, 2);
    AccessRecord r;
    r.client = "c";
    r.method = "GET";
    r.status = 200;
    r.unix_micros = 2'000'000;
    r.url = "/second";
    log.write(0, r);
    r.unix_micros = 3'000'000;
    r.url = "/third";
    log.write(0, r);
    r.unix_micros = 1'000'000;
    r.url = "/first";
    log.write(1, r);
    log.flush(0);  // loop 1 may still hold older lines: nothing of loop 0's is written yet
    log.flush(1);
    r.unix_micros = 2'500'000;  // a late line, older than what was written: still written, not lost
    r.url = "/late";
    log.write(1, r);
    log.flush_all();
  }
  std::rewind(f);
  std::string text;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  std::fclose(f);
  const auto first = text.find("/first"), second = text.find("/second"), third = text.find("/third");
  ASSERT_NE(first, std::string::npos) << text;
  ASSERT_NE(second, std::string::npos) << text;
  ASSERT_NE(third, std::string::npos) << text;
  EXPECT_LT(first, second) << text;
  EXPECT_LT(second, third) << text;
  EXPECT_NE(text.find("/late"), std::string::npos) << text;
}

}  // namespace
}  // namespace endhost::http::proxy
