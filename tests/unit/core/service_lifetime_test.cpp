// ServiceHost as the owner of services: a coroutine cut off at shutdown ends before the service it refers
// to is destroyed, detached background work is waited for by the drain, a server registered twice is
// drained once, and the Binder's `listening` line keeps the format tests read ports from.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <memory>
#include <string>
#include <utility>

#include "core/binder.hpp"
#include "core/service.hpp"
#include "core/service_host.hpp"
#include "core/tcp_server.hpp"

namespace endhost::core {
namespace {

using namespace std::chrono_literals;

// What the test learns about the order things ended in; lives outside the host.
struct Witness {
  bool service_destroyed = false;
  bool coroutine_ended = false;
  bool coroutine_saw_service_alive = false;
};

// Held by a coroutine frame: its destructor runs when the frame is destroyed and touches the service's
// state, as a session's locals (a Connection, a reservation) do.
struct FrameGuard {
  FrameGuard(Witness* w, int* state) : witness(w), service_state(state) {}
  FrameGuard(FrameGuard&& other) noexcept
      : witness(std::exchange(other.witness, nullptr)), service_state(other.service_state) {}
  FrameGuard(const FrameGuard&) = delete;
  ~FrameGuard() {
    if (witness == nullptr) return;  // moved into the coroutine frame
    witness->coroutine_ended = true;
    witness->coroutine_saw_service_alive = !witness->service_destroyed;
    if (!witness->service_destroyed) *service_state += 1;
  }
  Witness* witness;
  int* service_state;
};

// A coroutine that never finishes on its own: it waits on a timer far in the future.
awaitable<void> stuck_session(FrameGuard guard, EventLoop& loop) {
  asio::steady_timer timer(loop.io(), std::chrono::hours(1));
  co_await timer.async_wait(use_nothrow);
  (void)guard;
}

// Background work that takes `duration`, holding a token the whole time.
awaitable<void> background_job(WorkToken token, EventLoop& loop, std::chrono::milliseconds duration,
                               bool* finished) {
  asio::steady_timer timer(loop.io(), duration);
  co_await timer.async_wait(use_nothrow);
  *finished = true;
  (void)token;
}

class StuckService final : public Service {
 public:
  StuckService(EventLoops& loops, Witness& witness) : loops_(loops), witness_(witness) {}
  ~StuckService() override { witness_.service_destroyed = true; }

  Expected<void, std::string> bind(Binder&) override { return {}; }
  void start() override {
    asio::co_spawn(loops_[0].io(), stuck_session(FrameGuard{&witness_, &state_}, loops_[0]), asio::detached);
  }
  // Nothing it counts: the host stops at once after the drain, with the coroutine still pending.
  std::size_t in_flight() const override { return 0; }

 private:
  EventLoops& loops_;
  Witness& witness_;
  int state_ = 0;
};

class BackgroundService final : public Service {
 public:
  explicit BackgroundService(EventLoops& loops) : loops_(loops) {}
  Expected<void, std::string> bind(Binder&) override { return {}; }
  void start() override {}
  void start_background(std::chrono::milliseconds duration, bool* finished) {
    asio::co_spawn(loops_[0].io(), background_job(background().begin(), loops_[0], duration, finished),
                   asio::detached);
  }

 private:
  EventLoops& loops_;
};

ServiceHostOptions quiet(std::chrono::milliseconds grace) {
  return ServiceHostOptions{1, grace, false};
}

TEST(ServiceHostLifetime, ACoroutineCutOffAtShutdownEndsBeforeItsServiceIsDestroyed) {
  Logger log(LogFormat::Text, LogLevel::Error);
  Witness witness;
  {
    ServiceHost host(quiet(100ms), log);
    auto& service = host.adopt(std::make_unique<StuckService>(host.loops(), witness));
    service.start();
    host.request_shutdown();
    EXPECT_EQ(host.run(), 0);
    // run() already ended the coroutines: the service is still there for anyone reading its counters.
    EXPECT_TRUE(witness.coroutine_ended);
    EXPECT_FALSE(witness.service_destroyed);
  }
  EXPECT_TRUE(witness.coroutine_saw_service_alive);
  EXPECT_TRUE(witness.service_destroyed);
}

TEST(ServiceHostLifetime, AHostThatNeverRanStillEndsCoroutinesFirst) {
  Logger log(LogFormat::Text, LogLevel::Error);
  Witness witness;
  {
    ServiceHost host(quiet(100ms), log);
    host.adopt(std::make_unique<StuckService>(host.loops(), witness)).start();
    // A later service failed to bind, say: the caller gives up without running the host.
  }
  EXPECT_TRUE(witness.coroutine_ended);
  EXPECT_TRUE(witness.coroutine_saw_service_alive);
}

TEST(ServiceHostDrain, WaitsForAServicesBackgroundWork) {
  Logger log(LogFormat::Text, LogLevel::Error);
  ServiceHost host(quiet(5000ms), log);
  auto& service = host.adopt(std::make_unique<BackgroundService>(host.loops()));
  bool finished = false;
  service.start_background(300ms, &finished);
  EXPECT_EQ(service.in_flight(), 1u);
  host.request_shutdown();
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_EQ(host.run(), 0);  // drained cleanly: the work ended within the grace period
  EXPECT_TRUE(finished);
  EXPECT_GE(std::chrono::steady_clock::now() - begin, 250ms);
  EXPECT_EQ(service.in_flight(), 0u);
}

TEST(ServiceHostDrain, CountsTheHostsOwnBackgroundWorkAndGivesUpAfterTheGrace) {
  Logger log(LogFormat::Text, LogLevel::Error);
  ServiceHost host(quiet(100ms), log);
  bool finished = false;
  asio::co_spawn(host.loops()[0].io(),
                 background_job(host.background().begin(), host.loops()[0], 1h, &finished), asio::detached);
  EXPECT_EQ(host.in_flight(), 1u);
  host.request_shutdown();
  EXPECT_EQ(host.run(), 1);  // the grace period ran out with the work still in flight
  EXPECT_FALSE(finished);
  // Ending the coroutine gave its token back.
  EXPECT_EQ(host.in_flight(), 0u);
}

class CountingDrainable final : public Drainable {
 public:
  void drain() override { ++drains; }
  std::size_t in_flight() const override { return 0; }
  void abort() override {}
  int drains = 0;
};

TEST(ServiceHostDrain, AServerRegisteredTwiceIsDrainedOnce) {
  Logger log(LogFormat::Text, LogLevel::Error);
  ServiceHost host(quiet(100ms), log);
  CountingDrainable server;
  EXPECT_TRUE(host.add(server));
  EXPECT_FALSE(host.add(server));
  EXPECT_EQ(host.drainable_count(), 1u);
  EXPECT_EQ(host.duplicate_registrations(), 1u);
  host.request_shutdown();
  EXPECT_EQ(host.run(), 0);
  EXPECT_EQ(server.drains, 1);
}

std::string read_all(std::FILE* f) {
  std::rewind(f);
  std::string text;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  return text;
}

TEST(Binder, LogsOneListeningLinePerBoundSocketWithTheRealPort) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    Logger log(LogFormat::Text, LogLevel::Info, out);
    EventLoops loops(1);
    TcpServer server(loops, log, TcpServerOptions{"echo", 10, {}, {}});
    Binder binder(log, "echo");
    const asio::ip::tcp::endpoint any_port(asio::ip::make_address("127.0.0.1"), 0);
    ASSERT_TRUE(binder.tcp(server, std::span(&any_port, 1)));
    const std::uint16_t port = server.local_endpoints().at(0).port();
    EXPECT_EQ(binder.lowest_port(), port);
    const std::string text = read_all(out);
    EXPECT_NE(text.find("listening service=echo protocol=tcp address=127.0.0.1:" + std::to_string(port)),
              std::string::npos)
        << text;

    Binder lab_binder(log, "web", "www.example.com");
    lab_binder.listening("tcp", asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.2"), 80));
    EXPECT_NE(
        read_all(out).find("listening service=web host=www.example.com protocol=tcp address=127.0.0.2:80"),
        std::string::npos);
  }
  std::fclose(out);
}

TEST(Binder, ReportsTheFirstAddressThatCannotBeBound) {
  Logger log(LogFormat::Text, LogLevel::Error);
  EventLoops loops(1);
  TcpServer first(loops, log, TcpServerOptions{"a", 10, {}, {}});
  TcpServer second(loops, log, TcpServerOptions{"b", 10, {}, {}});
  Binder binder(log, "a");
  const asio::ip::tcp::endpoint any_port(asio::ip::make_address("127.0.0.1"), 0);
  ASSERT_TRUE(binder.tcp(first, std::span(&any_port, 1)));
  const asio::ip::tcp::endpoint taken = first.local_endpoints().at(0);
  auto again = binder.tcp(second, std::span(&taken, 1));
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().find(std::to_string(taken.port())), std::string::npos) << again.error();
}

}  // namespace
}  // namespace endhost::core
