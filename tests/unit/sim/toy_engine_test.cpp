// How a sans-I/O engine runs on the harness, with a toy one: a client that sends a request and retries with
// exponential backoff until a response comes or it gives up (the shape of a mail queue's retry schedule or a
// DHT lookup). The engine never sees the network or the clock; a small driver turns its outputs into
// network sends and clock timers and feeds deliveries and timer expiries back in.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/random.hpp"
#include "sim/network.hpp"

namespace endhost::sim {
namespace {

// The toy engine. A request is one byte, the attempt number; the server echoes it, so a late answer to an
// earlier attempt still counts (as a retransmitted DNS query's first answer would).
class RetryingClient {
 public:
  struct Output {
    std::optional<std::vector<std::uint8_t>> send;  // to the server, now
    std::optional<Instant> wake_at;                 // replaces any earlier wake-up; none cancels it
  };

  RetryingClient(Millis first_wait, int max_attempts)
      : first_wait_(first_wait), max_attempts_(max_attempts) {}

  Output start(Instant now) { return attempt(now); }
  Output on_timer(Instant now) {
    if (done_) return {};
    if (attempts_.size() == static_cast<std::size_t>(max_attempts_)) {
      done_ = true;
      finished_at_ = now;
      return {};
    }
    return attempt(now);
  }
  Output on_response(std::span<const std::uint8_t> bytes, Instant now) {
    if (done_) return {};
    // Not an echo of one of ours: ignored, and the wait goes on.
    if (bytes.size() != 1 || bytes[0] == 0 || bytes[0] > attempts_.size()) return Output{std::nullopt, wait_};
    done_ = true;
    succeeded_ = true;
    finished_at_ = now;
    return {};
  }

  bool done() const { return done_; }
  bool succeeded() const { return succeeded_; }
  Instant finished_at() const { return finished_at_; }
  const std::vector<Instant>& attempts() const { return attempts_; }

 private:
  Output attempt(Instant now) {
    attempts_.push_back(now);
    const Millis wait = first_wait_ * (1 << (attempts_.size() - 1));  // 1, 2, 4, 8 … times the first wait
    wait_ = now + wait;
    return {std::vector<std::uint8_t>{static_cast<std::uint8_t>(attempts_.size())}, wait_};
  }

  Millis first_wait_;
  int max_attempts_;
  std::vector<Instant> attempts_;
  std::optional<Instant> wait_;
  bool done_ = false;
  bool succeeded_ = false;
  Instant finished_at_{};
};

// The glue every engine needs in some form: outputs become sends and one timer, inputs come from the node.
class Driver {
 public:
  Driver(Network& network, VirtualClock& clock, RetryingClient& engine)
      : network_(network), clock_(clock), engine_(engine) {
    network_.attach("client",
                    [this](const Message& m) { apply(engine_.on_response(m.bytes, clock_.now())); });
  }
  void start() { apply(engine_.start(clock_.now())); }

 private:
  void apply(const RetryingClient::Output& out) {
    if (out.send) network_.send("client", "server", *out.send);
    if (timer_ != 0) clock_.cancel(timer_);
    timer_ = 0;
    if (out.wake_at) timer_ = clock_.at(*out.wake_at, [this] { on_wake(); });
  }
  void on_wake() {
    timer_ = 0;
    apply(engine_.on_timer(clock_.now()));
  }

  Network& network_;
  VirtualClock& clock_;
  RetryingClient& engine_;
  VirtualClock::TimerId timer_ = 0;
};

struct World {
  explicit World(std::uint64_t seed, LinkProfile link = LinkProfile{Millis(10), Millis(0), 0})
      : random(seed) {
    network.set_link_both("client", "server", link);
    network.attach("server", [this](const Message& m) { network.send("server", m.from, m.bytes); });
    network.record_trace(trace);
  }
  VirtualClock clock;
  core::SeededRandom random;
  Network network{clock, random};
  RetryingClient client{Millis(100), 5};
  Driver driver{network, clock, client};
  std::vector<std::string> trace;

  std::vector<Millis> attempt_offsets(Instant t0) const {
    std::vector<Millis> out;
    for (const Instant a : client.attempts()) out.push_back(a - t0);
    return out;
  }
};

TEST(ToyEngine, RetriesWithBackoffUntilTheServerComesBack) {
  World w(1);
  const Instant t0 = w.clock.now();
  w.network.set_down("server", true);
  w.clock.at(t0 + Millis(250), [&] { w.network.set_down("server", false); });
  w.driver.start();
  w.clock.run_until_idle();
  ASSERT_TRUE(w.client.succeeded());
  EXPECT_EQ(w.attempt_offsets(t0), (std::vector<Millis>{Millis(0), Millis(100), Millis(300)}));
  EXPECT_EQ(w.client.finished_at() - t0, Millis(320)) << "10 ms each way after the third attempt";
  EXPECT_EQ(w.clock.pending(), 0u) << "the answer cancelled the retry timer";
}

TEST(ToyEngine, GivesUpAfterItsLastAttemptBehindAPartition) {
  World w(1);
  const Instant t0 = w.clock.now();
  w.network.partition({"client"}, {"server"});
  w.driver.start();
  w.clock.run_until_idle();
  EXPECT_TRUE(w.client.done());
  EXPECT_FALSE(w.client.succeeded());
  EXPECT_EQ(w.attempt_offsets(t0),
            (std::vector<Millis>{Millis(0), Millis(100), Millis(300), Millis(700), Millis(1500)}));
  EXPECT_EQ(w.client.finished_at() - t0, Millis(3100));
  EXPECT_EQ(w.network.counters().dropped, 5u);
}

TEST(ToyEngine, ALateAnswerToAnEarlierAttemptEndsIt) {
  World w(1, LinkProfile{Millis(60), Millis(0), 0});  // 120 ms round trip, longer than the first wait
  const Instant t0 = w.clock.now();
  w.driver.start();
  w.clock.run_until_idle();
  ASSERT_TRUE(w.client.succeeded());
  EXPECT_EQ(w.attempt_offsets(t0), (std::vector<Millis>{Millis(0), Millis(100)}));
  EXPECT_EQ(w.client.finished_at() - t0, Millis(120));
}

TEST(ToyEngine, OnALossyLinkTheSameSeedReplaysTheSameRun) {
  const LinkProfile lossy{Millis(10), Millis(30), 500'000};
  int succeeded = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    World a(seed, lossy);
    World b(seed, lossy);
    a.driver.start();
    b.driver.start();
    a.clock.run_until_idle();
    b.clock.run_until_idle();
    EXPECT_EQ(a.trace, b.trace) << "seed " << seed;
    EXPECT_EQ(a.client.attempts(), b.client.attempts()) << "seed " << seed;
    EXPECT_EQ(a.client.finished_at(), b.client.finished_at()) << "seed " << seed;
    ASSERT_TRUE(a.client.done());
    if (a.client.succeeded()) ++succeeded;
  }
  // Half the requests and half the answers are lost, so an attempt gets through one time in four and five
  // attempts 1 - 0.75^5 = 76 % of the time: about 152 of 200 runs.
  EXPECT_GT(succeeded, 130);
  EXPECT_LT(succeeded, 175);
}

}  // namespace
}  // namespace endhost::sim
