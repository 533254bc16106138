// The lab's links at run time: a lab-owned core::Service ("links") that carries every packet between the
// hosts' network namespaces. Each host's TUN device is one port of the pump; on the pump's loop it waits for
// a port to become readable, reads packets with non-blocking read(2) until EAGAIN (at most kBatch per wake,
// so one busy host cannot starve the others), hands each to the sans-I/O netem::Emulator with the time it
// was read, and keeps one timer at the emulator's next_event(): when it fires, every packet due is written to
// its destination host's TUN device. Nothing else touches the emulator, so it needs no lock; the dashboard's
// link changes and statistics reach it through run_on_loop().
//
// The pump keeps running while the other services drain (their last responses cross it); it stops with the
// loops. Its descriptors are duplicates of the TUN devices', closed when it is destroyed.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/event_loop.hpp"
#include "core/log.hpp"
#include "core/service.hpp"
#include "netem/emulator.hpp"
#include "netem/port_block.hpp"

namespace endhost::lab {

// One host's end of the pump: its node in the emulator's topology and its TUN device's descriptor (borrowed:
// the pump duplicates it), or any descriptor that reads and writes one packet per call (a SOCK_SEQPACKET
// socket in the unit tests).
struct PumpPort {
  netem::NodeId node;
  int fd = -1;
  std::string host;
};

class LinkPump final : public core::Service {
 public:
  // Packets read from one port per wake-up before the loop turns to the others.
  static constexpr std::size_t kBatch = 64;
  // The largest packet a TUN device hands over (its MTU may be set up to 64 KiB).
  static constexpr std::size_t kMaxPacket = 65'536;

  LinkPump(core::EventLoop& loop, core::Logger& log, netem::Emulator emulator, std::vector<PumpPort> ports);
  ~LinkPump() override;

  // Duplicates every port's descriptor and makes it non-blocking. Binds no socket.
  Expected<void, std::string> bind(core::Binder& binder) override;
  void start() override;
  void stopped() override;
  std::vector<core::NamedCount> counters() const override;
  // The links carry the other services' last bytes while they drain: nothing of the pump's own to wait for.
  void drain() override {}
  std::size_t in_flight() const override { return 0; }

  core::EventLoop& loop() { return loop_; }
  // The emulator, for code running on the pump's loop only (assert_on_loop).
  netem::Emulator& emulator() {
    core::assert_on_loop(loop_);
    return emulator_;
  }
  // Wakes the release timer after the emulator's schedule changed (a link's delay set shorter). Loop only.
  void reschedule();
  // Closes (or opens again) a host's TCP port on the links (LinkSwitch): the segments to and from it are
  // answered with a RST to their sender and go no further (netem::PortBlock). Loop only.
  void block_port(std::uint32_t address, std::uint16_t port, bool blocked);

  struct Counts {
    std::uint64_t read_packets = 0, read_bytes = 0, written_packets = 0, written_bytes = 0;
    std::uint64_t wakeups = 0;       // times a port was found readable
    std::uint64_t full_batches = 0;  // wakes that stopped at kBatch with packets possibly left
    std::uint64_t write_errors = 0;  // a destination's TUN device refused a packet
    std::uint64_t read_errors = 0;
    std::uint64_t refused = 0;  // segments to or from a blocked port, answered with a RST and dropped
  };
  Counts counts() const;

 private:
  struct Port;
  awaitable<void> read_loop(std::size_t index);
  awaitable<void> release_loop();
  // Reads what `port` has now, up to kBatch packets; returns how many.
  std::size_t read_batch(Port& port, std::chrono::steady_clock::time_point now);
  void release_due(std::chrono::steady_clock::time_point now);
  void deliver(netem::NodeId to, std::span<const std::uint8_t> packet);

  core::EventLoop& loop_;
  core::Logger& log_;
  netem::Emulator emulator_;
  netem::PortBlock blocked_;
  std::vector<std::uint8_t> reset_;
  std::vector<PumpPort> given_;
  std::vector<std::unique_ptr<Port>> ports_;
  std::vector<int> fd_of_node_;  // node index → its port's descriptor (-1: no port)
  asio::steady_timer timer_;
  std::chrono::steady_clock::time_point armed_ = std::chrono::steady_clock::time_point::max();
  std::vector<std::uint8_t> buffer_ = std::vector<std::uint8_t>(kMaxPacket);
  std::shared_ptr<bool> stopping_ = std::make_shared<bool>(false);
  std::atomic<std::uint64_t> read_packets_{0}, read_bytes_{0}, written_packets_{0}, written_bytes_{0},
      wakeups_{0}, full_batches_{0}, write_errors_{0}, read_errors_{0}, refused_{0};
};

// Runs `fn` on `pump`'s loop and returns its result to the calling coroutine (which resumes on its own
// executor): how the dashboard's handlers, on any loop, reach the emulator.
// (A plain coroutine with its state as parameters, not a capturing coroutine lambda: STYLE.md, practice 5.)
template <class Fn>
auto call_on_pump(LinkPump* pump, Fn fn) -> awaitable<decltype(fn(*pump))> {
  co_return fn(*pump);
}
template <class Fn>
auto run_on_pump(LinkPump& pump, Fn fn) -> awaitable<decltype(fn(pump))> {
  co_return co_await asio::co_spawn(pump.loop().io(), call_on_pump(&pump, std::move(fn)),
                                    asio::use_awaitable);
}

}  // namespace endhost::lab
