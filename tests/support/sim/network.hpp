// A fake network between named addresses, for running sans-I/O engines (a resolver, a mail queue, a DHT, a
// swarm) deterministically: messages become timed events on a VirtualClock, each link has a latency, jitter
// and loss drawn from a seeded core::RandomSource, nodes can be down and links cut, and observers see every
// message sent, delivered or dropped (for assertions and a trace that two runs of one seed share).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/random.hpp"
#include "sim/virtual_clock.hpp"

namespace endhost::sim {

// A node's name on the fake network: whatever the engine calls a peer ("10.0.0.1:53", "mx.example").
using Address = std::string;

// Datagrams may be lost, and reordered by jitter; a stream is ordered and lossless between two addresses
// while the path is up (as TCP is to the application), and a cut or a down node drops it like a reset.
enum class Channel : std::uint8_t { datagram, stream };

// The behaviour of one direction of a link. Loss is in parts per million so that it stays an integer.
struct LinkProfile {
  Millis latency{0};
  Millis jitter{0};  // each message is late by a uniform extra in [0, jitter]
  std::uint32_t loss_ppm = 0;
};

struct Message {
  Address from;
  Address to;
  Channel channel = Channel::datagram;
  std::vector<std::uint8_t> bytes;
  Instant sent_at;
  std::uint64_t seq = 0;  // order of sending, over the whole network
};

enum class Drop : std::uint8_t {
  none,
  lost,         // the link's loss draw
  partitioned,  // the link between the two addresses is cut
  down,         // the sender or the receiver is down
  unreachable,  // nothing is attached at the destination
  discarded,    // taken off the wire by the harness (discard_in_flight_to)
};
const char* to_string(Drop d);

struct TraceEvent {
  enum class Kind : std::uint8_t { sent, delivered, dropped };
  Kind kind;
  Instant at;
  const Message& message;
  Drop drop = Drop::none;
};
// One line for a trace: "+12ms delivered 10.0.0.2 -> 10.0.0.1 datagram 42B #7" (time since `origin`).
std::string describe(const TraceEvent& e, Instant origin);

class Network {
 public:
  using Receiver = std::function<void(const Message&)>;
  using Observer = std::function<void(const TraceEvent&)>;

  // Both must outlive the network. `random` draws only for links with jitter or loss.
  Network(VirtualClock& clock, core::RandomSource& random) : clock_(clock), random_(random) {}
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // The node at `address` receives what is delivered there (replacing any earlier receiver).
  void attach(const Address& address, Receiver receiver);
  void detach(const Address& address);
  bool attached(const Address& address) const { return nodes_.count(address) != 0; }

  // Link behaviour, one direction; set_link_both for both. Unset links use the default (instant, lossless).
  void set_default_link(const LinkProfile& p) { default_link_ = p; }
  void set_link(const Address& from, const Address& to, const LinkProfile& p) { links_[{from, to}] = p; }
  void set_link_both(const Address& a, const Address& b, const LinkProfile& p);
  const LinkProfile& link(const Address& from, const Address& to) const;

  // Partitions: a cut link drops in both directions, at sending and at delivery (what is on the wire is
  // lost).
  void cut(const Address& a, const Address& b);
  void heal(const Address& a, const Address& b);
  // Cuts every link between the two groups.
  void partition(const std::vector<Address>& side_a, const std::vector<Address>& side_b);
  void heal_all() { cuts_.clear(); }
  // A down node neither sends nor receives (a crashed host, an unplugged cable).
  void set_down(const Address& address, bool down);

  // Puts a message on the wire; it is delivered as a clock event after the link's latency (plus jitter) plus
  // `extra` (a scripted server's think time). The sender need not be attached: a spoofer sends as anyone.
  void send(const Address& from, const Address& to, std::span<const std::uint8_t> bytes,
            Channel channel = Channel::datagram, Millis extra = Millis(0));
  // Drops every message still on its way to `address`; returns how many.
  std::size_t discard_in_flight_to(const Address& address);
  std::size_t in_flight() const { return in_flight_.size(); }

  void observe(Observer o) { observers_.push_back(std::move(o)); }
  // Appends describe() lines of every event to `lines` (which must outlive the network).
  void record_trace(std::vector<std::string>& lines);

  struct Counters {
    std::uint64_t sent = 0, delivered = 0, dropped = 0;
  };
  const Counters& counters() const { return counters_; }

 private:
  using Pair = std::pair<Address, Address>;
  bool is_cut(const Address& a, const Address& b) const;
  bool is_down(const Address& a) const { return down_.count(a) != 0; }
  void deliver(std::uint64_t seq);
  void emit(TraceEvent::Kind kind, const Message& m, Drop drop);

  VirtualClock& clock_;
  core::RandomSource& random_;
  std::unordered_map<Address, Receiver> nodes_;
  LinkProfile default_link_;
  std::map<Pair, LinkProfile> links_;
  std::set<Pair> cuts_;  // stored with the smaller address first
  std::set<Address> down_;
  struct InFlight {
    Message message;
    VirtualClock::TimerId timer;
  };
  std::map<std::uint64_t, InFlight> in_flight_;
  std::map<Pair, Instant> stream_tail_;  // last delivery time of each ordered stream
  std::vector<Observer> observers_;
  Counters counters_;
  std::uint64_t next_seq_ = 1;
};

}  // namespace endhost::sim
