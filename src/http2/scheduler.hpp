// Chooses which stream's DATA goes next (RFC 9218 §10): more urgent responses first; within an urgency,
// non-incremental ones one at a time in stream order, incremental ones (and those with no signal, as RFC
// 7540's equal-weight siblings) taking turns frame by frame, so a small object never waits behind a large
// one. Intrusive and allocation-free: each stream owns its Node, the scheduler only links them.
#pragma once

#include <array>
#include <cstdint>

#include "http2/priority.hpp"

namespace endhost::http2 {

class Scheduler {
 public:
  // Lives inside the stream it stands for; must be removed from the scheduler before it is destroyed.
  struct Node {
    std::uint32_t stream_id = 0;
    PriorityParams priority;
    Node* prev = nullptr;
    Node* next = nullptr;
    bool queued = false;
  };

  Scheduler() = default;
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // The stream has something to send and the window to send it: it joins its queue. No-op if queued.
  void push(Node& node);
  // The stream has nothing to send, is blocked on its window, or is gone. No-op if not queued.
  void remove(Node& node);
  // A new priority signal (a PRIORITY_UPDATE, §7): the stream moves to its new place if queued.
  void reprioritize(Node& node, PriorityParams priority);
  // The stream to send the next frame from, or nullptr when nothing is ready.
  Node* front() const;
  // One frame went out from `node` (the front): an incremental stream yields to the next of its level.
  void sent(Node& node);
  bool empty() const { return nonempty_ == 0; }

 private:
  struct List {
    Node* head = nullptr;
    Node* tail = nullptr;
  };
  // Queue 2u is urgency u's sequential list (ordered by stream id), 2u+1 its round-robin ring.
  static std::size_t queue_of(const PriorityParams& p) {
    const bool shares = p.incremental || !p.signalled;
    return std::size_t{p.urgency} * 2 + (shares ? 1 : 0);
  }
  void link_sorted(List& list, Node& node);
  void link_back(List& list, Node& node);
  void unlink(List& list, Node& node);

  std::array<List, 16> queues_{};
  std::uint16_t nonempty_ = 0;  // bit q set when queues_[q] has a node
};

}  // namespace endhost::http2
