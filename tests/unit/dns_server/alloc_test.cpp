// The UDP query path of `dns serve` allocates nothing per query: recvmmsg into per-loop buffers, parse,
// answer from the loop's zone set, sendmmsg. A real socket on 127.0.0.1 and the real UdpBatchServer; the
// loop is run on this thread. Counted by replacing operator new in this test binary only.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "dns/server/loop_zones.hpp"
#include "dns/server/query_handler.hpp"
#include "dns/server/udp_batch_server.hpp"
#include "test_util.hpp"

namespace {
std::atomic<long> g_allocations{0};  // test instrumentation only
}  // namespace

void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
// Every other replaceable form too, so that memory from any of them is released by the matching one (the
// standard library's stable_sort uses the nothrow form; ASan checks that new and delete pair up).
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  ++g_allocations;
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n) {
  return operator new(n);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept {
  return operator new(n, t);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}

namespace endhost::dns::server {
namespace {

using test::N;

TEST(Allocation, UdpQueriesAllocateNothing) {
  core::EventLoops loops(1);
  core::MetricsRegistry metrics;
  core::Logger log(core::LogFormat::Text, core::LogLevel::Error, stderr);
  auto set = std::make_shared<ZoneSet>();
  ZoneParseOptions zo;
  zo.origin = N("networkutopia.com.");
  auto zone = load_zone_file(std::string(ENDHOST_EXAMPLE_ZONES) + "/networkutopia.com.zone", zo);
  ASSERT_TRUE(zone);
  ASSERT_TRUE(set->add(std::move(*zone)));
  LoopZones zones(loops);
  zones.set_initial(set);
  QueryHandler handler(loops, zones, QueryHandlerConfig{}, metrics);
  UdpBatchServer udp(
      loops, log, UdpBatchOptions{},
      [&](std::size_t loop, std::span<const std::uint8_t> q, const asio::ip::udp::endpoint& from,
          std::span<std::uint8_t> out) {
        return handler.handle(loop, parse_query(q), Transport::udp, from.address(), {}, out).size();
      });
  ASSERT_TRUE(udp.listen({asio::ip::make_address("127.0.0.1"), 0}));
  udp.start();
  auto server = udp.local_endpoints()[0];

  int client = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  ASSERT_GE(client, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(server.port());
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Answers, a CNAME chain with EDNS, MX with additional data, NXDOMAIN and NODATA.
  std::vector<std::vector<std::uint8_t>> queries;
  queries.push_back(test::wire(make_query(1, N("www.networkutopia.com."), RRType::A, false, std::nullopt)));
  queries.push_back(test::wire(make_query(2, N("ftp.networkutopia.com."), RRType::A, false)));
  queries.push_back(test::wire(make_query(3, N("networkutopia.com."), RRType::MX, false)));
  queries.push_back(test::wire(make_query(4, N("nope.networkutopia.com."), RRType::A, false)));
  queries.push_back(test::wire(make_query(5, N("mail.networkutopia.com."), RRType::AAAA, false)));

  auto& io = loops[0].io();
  std::uint8_t reply[2048];
  auto exchange = [&](int rounds) {
    int answered = 0;
    for (int r = 0; r < rounds; ++r) {
      for (const auto& q : queries) {
        ASSERT_EQ(::sendto(client, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
                  static_cast<ssize_t>(q.size()));
      }
      int want = answered + static_cast<int>(queries.size());
      for (int spins = 0; answered < want && spins < 100000; ++spins) {
        io.poll();
        while (::recv(client, reply, sizeof reply, 0) > 0) ++answered;
      }
      ASSERT_EQ(answered, want);
    }
  };
  exchange(20);  // warm-up: the coroutine frame, the reactor's registration, handler memory caches
  const long before = g_allocations.load();
  exchange(200);
  const long after = g_allocations.load();
  EXPECT_EQ(after - before, 0) << "operator new calls for 1000 queries";
  ::close(client);
  udp.drain();
  io.poll();
}

}  // namespace
}  // namespace endhost::dns::server
