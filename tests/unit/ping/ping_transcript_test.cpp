// The ping server's sans-I/O core driven by the transcripts in transcripts/: datagrams in, replies and notes
// out, on a fake clock. Each transcript names its loss settings in the table below.
#include <gtest/gtest.h>

#include <map>

#include "ping/ping_responder.hpp"
#include "replay.hpp"

namespace endhost::ping {
namespace {

using namespace std::chrono_literals;

struct Settings {
  LossSettings loss;
  std::chrono::milliseconds heartbeat_timeout{5'000};
};

const std::map<std::string, Settings>& settings() {
  static const std::map<std::string, Settings> table{
      {"replies.txt", {}},
      {"delay.txt", {LossSettings{0.0, 100ms, 0us}}},
      {"loss.txt", {LossSettings{1.0, 0us, 0us}}},
      {"heartbeat.txt", {LossSettings{}, 1'000ms}},
  };
  return table;
}

// Plays the server's part: replies now or when the clock reaches their delay, a tick at each clock move.
class ReplayedPing final : public test::ReplaySession {
 public:
  explicit ReplayedPing(const Settings& s) : responder_(LossModel(s.loss, 1), s.heartbeat_timeout) {}

  void receive(std::string_view datagram) override {
    auto outcome = responder_.on_datagram("client", datagram, now_);
    switch (outcome.kind) {
      case PingResponder::Outcome::Kind::Reply:
        if (outcome.delay.count() == 0) {
          output_.push_back(std::move(outcome.reply));
        } else {
          delayed_.emplace(now_ + outcome.delay, std::move(outcome.reply));
        }
        break;
      case PingResponder::Outcome::Kind::Dropped:
        notes_.emplace_back("dropped (simulated loss)");
        break;
      case PingResponder::Outcome::Kind::Heartbeat:
        note(outcome.events);
        break;
    }
  }

  void advance(std::chrono::milliseconds by) override {
    now_ += by;
    while (!delayed_.empty() && delayed_.begin()->first <= now_) {
      output_.push_back(std::move(delayed_.begin()->second));
      delayed_.erase(delayed_.begin());
    }
    note(responder_.on_tick(now_));
  }

  std::vector<std::string> take_output() override { return std::exchange(output_, {}); }
  std::vector<std::string> take_notes() override { return std::exchange(notes_, {}); }
  bool closed() const override { return false; }

 private:
  void note(const std::vector<HeartbeatEvent>& events) {
    for (const auto& e : events) {
      if (auto text = heartbeat_note(e)) notes_.push_back(std::move(*text));
    }
  }

  PingResponder responder_;
  PingResponder::clock::time_point now_ = PingResponder::clock::time_point() + 1h;
  std::multimap<PingResponder::clock::time_point, std::string> delayed_;
  std::vector<std::string> output_;
  std::vector<std::string> notes_;
};

TEST(PingTranscripts, AllMatch) {
  const auto files = test::transcript_files(ENDHOST_TRANSCRIPT_DIR);
  ASSERT_EQ(files.size(), settings().size()) << "every transcript needs its settings in the table";
  for (const auto& file : files) {
    const std::string name = file.substr(file.find_last_of('/') + 1);
    const auto found = settings().find(name);
    ASSERT_NE(found, settings().end()) << name << " has no settings";
    EXPECT_EQ(test::replay_file(file, [&] { return std::make_unique<ReplayedPing>(found->second); }), "")
        << file;
  }
}

TEST(PingResponder, TicksAtATenthOfTheTimeoutButNotTooOften) {
  EXPECT_EQ(PingResponder(LossModel({}, 1), 5'000ms).tick_period(), 500ms);
  EXPECT_EQ(PingResponder(LossModel({}, 1), 50ms).tick_period(), 20ms);
}

}  // namespace
}  // namespace endhost::ping
