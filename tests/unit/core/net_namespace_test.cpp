// Network namespaces, TUN devices and socket places, for real: two namespaces, each with a TUN device on
// 198.18.0.0/15, and a thread that copies packets between the two descriptors as a wire would. A TcpServer
// listens inside one namespace, a Dialer connects from the other, bytes flow; UDP likewise. Needs root
// (CAP_SYS_ADMIN and CAP_NET_ADMIN); without it, or where unshare(CLONE_NEWNET) is refused (some
// containers), every test skips and says why. Every namespace is named with this process's prefix and
// removed in TearDown, whatever happened.
#include "core/net_namespace.hpp"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <linux/sockios.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <future>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "core/dialer.hpp"
#include "core/link_control.hpp"
#include "core/service_host.hpp"
#include "core/socket_maker.hpp"
#include "core/socket_place.hpp"
#include "core/tcp_server.hpp"
#include "core/tun_device.hpp"
#include "core/udp_bind.hpp"

namespace endhost::core {
namespace {

using namespace std::chrono_literals;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;

const asio::ip::address_v4 kA = asio::ip::make_address_v4("198.18.0.1");
const asio::ip::address_v4 kB = asio::ip::make_address_v4("198.18.0.2");

// The wire between two TUN devices: every packet read from one is written to the other. Counts packets and
// remembers the largest, so a test can check that nothing above the MTU ever reaches a device.
class Wire {
 public:
  Wire(int a, int b) : a_(a), b_(b) {
    EXPECT_EQ(::pipe2(stop_.data(), O_CLOEXEC), 0);
    thread_ = std::thread([this] { run(); });
  }
  ~Wire() {
    EXPECT_EQ(::write(stop_[1], "x", 1), 1);
    thread_.join();
    ::close(stop_[0]);
    ::close(stop_[1]);
  }
  std::size_t packets() const { return packets_.load(); }
  std::size_t largest() const { return largest_.load(); }

 private:
  void run() {
    std::array<pollfd, 3> fds{{{a_, POLLIN, 0}, {b_, POLLIN, 0}, {stop_[0], POLLIN, 0}}};
    std::vector<std::uint8_t> packet(65'536);
    for (;;) {
      if (::poll(fds.data(), fds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (fds[2].revents != 0) return;
      for (int i = 0; i < 2; ++i) {
        if ((fds[i].revents & POLLIN) == 0) continue;
        for (;;) {
          const ssize_t n = ::read(fds[i].fd, packet.data(), packet.size());
          if (n <= 0) break;
          // Counted before it is written: the peer may have read it before this thread runs again.
          ++packets_;
          largest_.store(std::max(largest_.load(), static_cast<std::size_t>(n)));
          EXPECT_EQ(::write(fds[1 - i].fd, packet.data(), static_cast<std::size_t>(n)), n);
        }
      }
    }
  }

  int a_;
  int b_;
  std::array<int, 2> stop_{-1, -1};
  std::atomic<std::size_t> packets_{0};
  std::atomic<std::size_t> largest_{0};
  std::thread thread_;
};

class NetNamespaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: network namespaces and TUN devices need CAP_SYS_ADMIN";
    prefix_ = "endhost-test-" + std::to_string(::getpid()) + "-";
    auto a = NetNamespace::create(prefix_ + "a");
    if (!a && a.error().find("cannot make network namespace") == 0)
      GTEST_SKIP() << "unshare(CLONE_NEWNET) is refused here: " << a.error();
    ASSERT_TRUE(a) << a.error();
    a_ = std::make_shared<NetNamespace>(std::move(*a));
    auto b = NetNamespace::create(prefix_ + "b");
    ASSERT_TRUE(b) << b.error();
    b_ = std::make_shared<NetNamespace>(std::move(*b));
  }

  void TearDown() override {
    if (prefix_.empty()) return;
    auto left = NetNamespace::list(prefix_);
    ASSERT_TRUE(left) << left.error();
    for (const auto& name : *left) EXPECT_TRUE(NetNamespace::remove(name)) << name;
  }

  // Both devices, each on the /15, and the wire between them.
  void connect_wire() {
    auto ta = TunDevice::create(*a_, TunConfig{"eh0", kA, 15, 1500, true});
    ASSERT_TRUE(ta) << ta.error();
    auto tb = TunDevice::create(*b_, TunConfig{"eh0", kB, 15, 1500, true});
    ASSERT_TRUE(tb) << tb.error();
    tun_a_.emplace(std::move(*ta));
    tun_b_.emplace(std::move(*tb));
    wire_ = std::make_unique<Wire>(tun_a_->fd(), tun_b_->fd());
  }

  SocketPlace place_a() const { return SocketPlace{a_}; }
  SocketPlace place_b() const { return SocketPlace{b_}; }

  std::string prefix_;
  std::shared_ptr<NetNamespace> a_;
  std::shared_ptr<NetNamespace> b_;
  std::optional<TunDevice> tun_a_;
  std::optional<TunDevice> tun_b_;
  std::unique_ptr<Wire> wire_;  // declared last: stops before the devices close
};

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

TEST_F(NetNamespaceTest, CreatedNamespaceIsListedOpenedAndRemoved) {
  const std::string name = prefix_ + "a";
  auto listed = NetNamespace::list(prefix_);
  ASSERT_TRUE(listed) << listed.error();
  EXPECT_EQ(*listed, (std::vector<std::string>{prefix_ + "a", prefix_ + "b"}));
  auto again = NetNamespace::open(name);
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(again->inode(), a_->inode());
  EXPECT_NE(a_->inode(), b_->inode());
  EXPECT_NE(a_->inode(), current_netns_inode());

  auto twice = NetNamespace::create(name);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error(), "a network namespace named " + name + " exists already");

  ASSERT_TRUE(NetNamespace::remove(name));
  EXPECT_FALSE(exists(std::string(NetNamespace::kRunDir) + "/" + name));
  auto gone = NetNamespace::open(name);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error(), "there is no network namespace named " + name);
  auto remaining = NetNamespace::list(prefix_);
  ASSERT_TRUE(remaining);
  EXPECT_EQ(*remaining, std::vector<std::string>{prefix_ + "b"});
  // The descriptor still holds the namespace: it can be entered after its name is gone.
  ScopedNetns in(*a_);
  EXPECT_TRUE(in) << in.message();
  EXPECT_EQ(current_netns_inode(), a_->inode());
}

TEST_F(NetNamespaceTest, ListByPrefixFindsLeftoversOnly) {
  for (const char* n : {"lab1-www", "lab1-dns"}) ASSERT_TRUE(NetNamespace::create(prefix_ + n));
  ASSERT_TRUE(NetNamespace::create(prefix_ + "lab2-www"));
  auto found = NetNamespace::list(prefix_ + "lab1-");
  ASSERT_TRUE(found) << found.error();
  EXPECT_EQ(*found, (std::vector<std::string>{prefix_ + "lab1-dns", prefix_ + "lab1-www"}));
  for (const auto& n : *found) ASSERT_TRUE(NetNamespace::remove(n));
  auto after = NetNamespace::list(prefix_ + "lab1-");
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->empty());
}

TEST_F(NetNamespaceTest, NamesAreChecked) {
  for (const std::string& bad :
       std::vector<std::string>{"", "../etc", "a/b", ".hidden", "sp ace", std::string(65, 'x')}) {
    auto made = NetNamespace::create(bad);
    ASSERT_FALSE(made) << bad;
    EXPECT_NE(made.error().find("network namespace name"), std::string::npos) << made.error();
  }
}

TEST_F(NetNamespaceTest, ScopedNetnsRestoresTheThreadsNamespace) {
  const std::uint64_t home = current_netns_inode();
  ASSERT_NE(home, 0u);
  // A thread of the process started before (one started inside the scope would inherit the namespace, as
  // clone(2) copies it: nothing may start threads inside a scope).
  std::promise<void> entered;
  std::uint64_t other = 0;
  std::thread other_thread([&other, seen = entered.get_future()]() mutable {
    seen.wait();
    other = current_netns_inode();
  });
  {
    ScopedNetns in_a(*a_);
    ASSERT_TRUE(in_a) << in_a.message();
    EXPECT_EQ(current_netns_inode(), a_->inode());
    {
      ScopedNetns in_b(*b_);
      ASSERT_TRUE(in_b) << in_b.message();
      EXPECT_EQ(current_netns_inode(), b_->inode());
      {
        ScopedNetns b_again(*b_);  // already inside: nothing to do, nothing to undo
        EXPECT_TRUE(b_again);
        EXPECT_EQ(current_netns_inode(), b_->inode());
      }
      EXPECT_EQ(current_netns_inode(), b_->inode());
    }
    EXPECT_EQ(current_netns_inode(), a_->inode());
    // Another thread of the process never moved.
    entered.set_value();
    other_thread.join();
    EXPECT_EQ(other, home);
  }
  EXPECT_EQ(current_netns_inode(), home);
}

TEST_F(NetNamespaceTest, LoopbackIsUpInANewNamespace) {
  asio::io_context io;
  tcp::acceptor listener(io);
  boost::system::error_code ec;
  open_socket(listener, tcp::v4(), ec, place_a());
  ASSERT_FALSE(ec) << ec.message();
  listener.bind(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0), ec);
  ASSERT_FALSE(ec) << ec.message();
  listener.listen(1, ec);
  tcp::socket client(io);
  open_socket(client, tcp::v4(), ec, place_a());
  ASSERT_FALSE(ec);
  client.connect(listener.local_endpoint(), ec);
  EXPECT_FALSE(ec) << "connecting to 127.0.0.1 inside the namespace: " << ec.message();
}

// SIOCGSKNS: a descriptor of the namespace a socket belongs to.
std::uint64_t socket_netns_inode(int fd) {
  const int ns = ::ioctl(fd, SIOCGSKNS);
  if (ns < 0) return 0;
  struct stat st {};
  const bool ok = ::fstat(ns, &st) == 0;
  ::close(ns);
  return ok ? static_cast<std::uint64_t>(st.st_ino) : 0;
}

TEST_F(NetNamespaceTest, SocketsBelongToThePlaceTheyWereOpenedIn) {
  asio::io_context io;
  boost::system::error_code ec;
  udp::socket here(io);
  open_socket(here, udp::v4(), ec, SocketPlace{});
  ASSERT_FALSE(ec);
  EXPECT_EQ(socket_netns_inode(here.native_handle()), current_netns_inode());
  tcp::socket in_a(io);
  open_socket(in_a, tcp::v4(), ec, place_a());
  ASSERT_FALSE(ec);
  EXPECT_EQ(socket_netns_inode(in_a.native_handle()), a_->inode());
  const int raw = open_socket_fd(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0, place_b());
  ASSERT_GE(raw, 0);
  EXPECT_EQ(socket_netns_inode(raw), b_->inode());
  ::close(raw);
  EXPECT_EQ(SocketPlace{}.describe(), "this process's network");
  EXPECT_EQ(place_a().describe(), "network namespace " + prefix_ + "a");
}

// The whole path: a TcpServer listening inside A on 198.18.0.1, a Dialer whose socket is made inside B,
// the SYN leaving B's TUN device, crossing the wire, and the bytes coming back.
TEST_F(NetNamespaceTest, TcpCrossesTheWireBetweenTwoNamespaces) {
  connect_wire();
  if (HasFatalFailure()) return;
  Logger log(LogFormat::Text, LogLevel::Error);
  ServiceHost host(ServiceHostOptions{1, 3000ms, false}, log);
  std::promise<tcp::endpoint> peer;
  auto peer_seen = peer.get_future();
  TcpServer server(host.loops(), log,
                   TcpServerOptions{"echo",
                                    10,
                                    [&peer](Connection& c) -> awaitable<void> {
                                      peer.set_value(c.remote());
                                      std::array<char, 4096> buf;
                                      for (;;) {
                                        auto [ec, n] = co_await c.stream().async_read_some(asio::buffer(buf),
                                                                                           use_nothrow);
                                        if (ec) co_return;
                                        auto [wec, w] = co_await asio::async_write(
                                            c.stream(), asio::buffer(buf.data(), n), use_nothrow);
                                        if (wec) co_return;
                                      }
                                    },
                                    {}});
  auto listening = server.listen(tcp::endpoint(kA, 0), place_a());
  ASSERT_TRUE(listening) << listening.error();
  const tcp::endpoint to = server.local_endpoints().at(0);
  EXPECT_EQ(to.address(), asio::ip::address(kA));
  host.add(server);
  server.start();
  auto runner = std::async(std::launch::async, [&host] { return host.run(); });

  // 200 KB each way: many segments, so segmentation offload would show if it were on.
  const std::string sent(200'000, 'x');
  std::string received;
  std::string error;
  asio::io_context io;
  const Dialer dialer(DialOptions{5s, std::nullopt, true, nullptr, place_b()});
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto connected = co_await dialer.connect(to);
        if (!connected) {
          error = connected.error().message;
          co_return;
        }
        tcp::socket s = std::move(*connected);
        auto [wec, w] = co_await asio::async_write(s, asio::buffer(sent), use_nothrow);
        if (wec) {
          error = "write: " + wec.message();
          co_return;
        }
        received.resize(sent.size());
        auto [rec, r] = co_await asio::async_read(s, asio::buffer(received), use_nothrow);
        if (rec) error = "read: " + rec.message();
      },
      asio::detached);
  io.run_for(20s);
  host.request_shutdown();
  runner.wait();

  EXPECT_EQ(error, "");
  EXPECT_TRUE(received == sent) << "received " << received.size() << " bytes";
  ASSERT_EQ(peer_seen.wait_for(0s), std::future_status::ready);
  EXPECT_EQ(peer_seen.get().address(), asio::ip::address(kB));  // only B's socket has that address
  EXPECT_GT(wire_->packets(), 2 * sent.size() / 1500);
  EXPECT_LE(wire_->largest(), 1500u);  // no offload: every packet fits the MTU
}

TEST_F(NetNamespaceTest, UdpCrossesTheWireBetweenTwoNamespaces) {
  connect_wire();
  if (HasFatalFailure()) return;
  EventLoops loops(1);
  UdpBindOptions options;
  options.place = place_a();
  auto bound = bind_udp_per_loop(loops, udp::endpoint(kA, 0), options);
  ASSERT_TRUE(bound) << bound.error();
  udp::socket& server = bound->sockets.at(0);

  asio::io_context io;
  udp::socket client(io);
  boost::system::error_code ec;
  open_socket(client, udp::v4(), ec, place_b());
  ASSERT_FALSE(ec) << ec.message();
  client.send_to(asio::buffer("ping", 4), bound->endpoint, 0, ec);
  ASSERT_FALSE(ec) << ec.message();

  auto wait_readable = [](int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 5000) == 1;
  };
  std::array<char, 16> buf{};
  udp::endpoint from;
  ASSERT_TRUE(wait_readable(server.native_handle())) << "no datagram reached namespace A";
  std::size_t n = server.receive_from(asio::buffer(buf), from, 0, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(std::string(buf.data(), n), "ping");
  EXPECT_EQ(from.address(), asio::ip::address(kB));
  server.send_to(asio::buffer("pong", 4), from, 0, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(wait_readable(client.native_handle())) << "no answer reached namespace B";
  n = client.receive_from(asio::buffer(buf), from, 0, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(std::string(buf.data(), n), "pong");
  EXPECT_EQ(from, bound->endpoint);
  EXPECT_GE(wire_->packets(), 2u);
}

TEST_F(NetNamespaceTest, TunDeviceIsConfiguredInsideItsNamespaceOnly) {
  auto tun = TunDevice::create(*a_, TunConfig{"eh0", kA, 15, 1400, true});
  ASSERT_TRUE(tun) << tun.error();
  EXPECT_EQ(tun->mtu(), 1400u);
  asio::io_context io;
  boost::system::error_code ec;
  // Its address can be bound inside A, and not here.
  udp::socket inside(io);
  open_socket(inside, udp::v4(), ec, place_a());
  inside.bind(udp::endpoint(kA, 0), ec);
  EXPECT_FALSE(ec) << ec.message();
  udp::socket here(io);
  here.open(udp::v4());
  here.bind(udp::endpoint(kA, 0), ec);
  EXPECT_EQ(ec.value(), EADDRNOTAVAIL) << ec.message();
  // The same name again in the same namespace is refused; in another namespace it is fine.
  auto twice = TunDevice::create(*a_, TunConfig{"eh0", kA, 15, 1500, false});
  EXPECT_FALSE(twice);
  auto elsewhere = TunDevice::create(*b_, TunConfig{"eh0", kB, 15, 1500, false});
  EXPECT_TRUE(elsewhere) << elsewhere.error();
  EXPECT_TRUE(tun->set_mtu(1500));
  EXPECT_EQ(tun->mtu(), 1500u);
  EXPECT_TRUE(tun->add_route(asio::ip::make_address_v4("10.9.0.0"), 16));
}

// A thread without CAP_SYS_ADMIN (as after the lab dropped root) cannot enter: the socket is not opened and
// the error says why, instead of a socket silently made in the wrong network.
TEST_F(NetNamespaceTest, WithoutThePrivilegeTheOpenFailsWithAReason) {
  boost::system::error_code ec;
  std::string message;
  std::thread([&] {
    // capset(2) without glibc's broadcast changes this thread only.
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    std::array<__user_cap_data_struct, 2> caps{};
    ASSERT_EQ(::syscall(SYS_capget, &header, caps.data()), 0);
    caps[0].effective &= ~(1u << CAP_SYS_ADMIN);
    ASSERT_EQ(::syscall(SYS_capset, &header, caps.data()), 0);
    asio::io_context io;
    udp::socket s(io);
    open_socket(s, udp::v4(), ec, place_a());
    EXPECT_FALSE(s.is_open());
    ScopedNetns in(*a_);
    EXPECT_FALSE(in);
    message = in.message();
  }).join();
  EXPECT_EQ(ec.category(), netns_category());
  EXPECT_EQ(ec.value(), EPERM);
  EXPECT_EQ(ec.message(), "cannot enter the network namespace: Operation not permitted");
  EXPECT_EQ(message, "cannot enter network namespace " + prefix_ + "a: Operation not permitted");
}

// What the lab does before it drops root: a maker thread per namespace, which then makes the sockets of
// threads that could no longer enter.
TEST_F(NetNamespaceTest, AMakerStartedWhilePrivilegedMakesSocketsAfterTheDrop) {
  auto maker = SocketMaker::start(*a_);
  ASSERT_TRUE(maker) << maker.error();
  const SocketPlace place{a_, std::shared_ptr<SocketMaker>(std::move(*maker))};
  std::uint64_t tcp_inode = 0;
  std::uint64_t raw_inode = 0;
  bool bound = false;
  std::string error;
  std::thread([&] {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    std::array<__user_cap_data_struct, 2> caps{};
    ASSERT_EQ(::syscall(SYS_capget, &header, caps.data()), 0);
    caps[0].effective &= ~(1u << CAP_SYS_ADMIN);
    ASSERT_EQ(::syscall(SYS_capset, &header, caps.data()), 0);
    ASSERT_FALSE(ScopedNetns(*a_));  // the thread really cannot enter
    asio::io_context io;
    tcp::acceptor acceptor(io);
    boost::system::error_code ec;
    open_socket(acceptor, tcp::v4(), ec, place);
    if (ec) {
      error = ec.message();
      return;
    }
    tcp_inode = socket_netns_inode(acceptor.native_handle());
    // lo of namespace A is up and has 127.0.0.1: the socket works there like any other.
    acceptor.bind(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0), ec);
    bound = !ec;
    const int raw = open_socket_fd(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0, place);
    raw_inode = raw >= 0 ? socket_netns_inode(raw) : 0;
    if (raw >= 0) ::close(raw);
  }).join();
  EXPECT_EQ(error, "");
  EXPECT_EQ(tcp_inode, a_->inode());
  EXPECT_EQ(raw_inode, a_->inode());
  EXPECT_TRUE(bound);
}

}  // namespace
}  // namespace endhost::core
