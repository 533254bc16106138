// Scheduler: RFC 9218 §10's order — urgency first, sequential streams one at a time in id order, incremental
// and unsignalled ones taking turns — and that the intrusive links stay consistent through any sequence.
#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <vector>

#include "http2/scheduler.hpp"

namespace endhost::http2 {
namespace {

using Node = Scheduler::Node;

Node make(std::uint32_t id, std::uint8_t u, bool i, bool signalled = true) {
  Node n;
  n.stream_id = id;
  n.priority = PriorityParams{u, i, signalled};
  return n;
}

// The ids the scheduler serves, one frame each, `frames` times, given how many frames each stream has.
std::vector<std::uint32_t> serve(Scheduler& s, std::vector<std::pair<Node*, int>> work, int frames) {
  std::vector<std::uint32_t> order;
  for (auto& [node, left] : work) s.push(*node);
  for (int f = 0; f < frames && !s.empty(); ++f) {
    Node* n = s.front();
    order.push_back(n->stream_id);
    for (auto& [node, left] : work) {
      if (node != n) continue;
      if (--left == 0) {
        s.remove(*n);
      } else {
        s.sent(*n);
      }
    }
  }
  return order;
}

TEST(Http2Scheduler, EmptyHasNoFront) {
  Scheduler s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.front(), nullptr);
}

TEST(Http2Scheduler, UnsignalledStreamsInterleave) {
  // One large object (stream 1) and three small ones: without priority signals they take turns, so the
  // small ones finish after a few frames, not after the large one (the lecture's head-of-line blocking).
  Scheduler s;
  Node big = make(1, 3, false, false), a = make(3, 3, false, false), b = make(5, 3, false, false),
       c = make(7, 3, false, false);
  EXPECT_EQ(serve(s, {{&big, 10}, {&a, 1}, {&b, 1}, {&c, 2}}, 20),
            (std::vector<std::uint32_t>{1, 3, 5, 7, 1, 7, 1, 1, 1, 1, 1, 1, 1, 1}));
}

TEST(Http2Scheduler, SequentialStreamsGoOneAtATimeInIdOrder) {
  Scheduler s;
  Node x = make(5, 3, false), y = make(1, 3, false), z = make(3, 3, false);
  EXPECT_EQ(serve(s, {{&x, 2}, {&y, 2}, {&z, 1}}, 10), (std::vector<std::uint32_t>{1, 1, 3, 5, 5}));
}

TEST(Http2Scheduler, UrgencyComesFirst) {
  Scheduler s;
  Node low = make(1, 7, true), high = make(3, 0, false), mid = make(5, 3, true);
  EXPECT_EQ(serve(s, {{&low, 2}, {&high, 2}, {&mid, 2}}, 10), (std::vector<std::uint32_t>{3, 3, 5, 5, 1, 1}));
}

TEST(Http2Scheduler, SequentialBeforeIncrementalAtOneUrgency) {
  Scheduler s;
  Node inc = make(1, 3, true), seq = make(3, 3, false);
  EXPECT_EQ(serve(s, {{&inc, 2}, {&seq, 2}}, 10), (std::vector<std::uint32_t>{3, 3, 1, 1}));
}

TEST(Http2Scheduler, ReprioritizeMovesAQueuedStream) {
  Scheduler s;
  Node a = make(1, 3, false), b = make(3, 3, false);
  s.push(a);
  s.push(b);
  EXPECT_EQ(s.front(), &a);
  s.reprioritize(b, PriorityParams{0, false, true});  // a PRIORITY_UPDATE (RFC 9218 §7)
  EXPECT_EQ(s.front(), &b);
  s.remove(b);
  s.reprioritize(b, PriorityParams{7, false, true});  // not queued: only its priority changes
  EXPECT_FALSE(b.queued);
  EXPECT_EQ(b.priority.urgency, 7);
  EXPECT_EQ(s.front(), &a);
}

TEST(Http2Scheduler, PushAndRemoveAreIdempotent) {
  Scheduler s;
  Node a = make(1, 3, true);
  s.push(a);
  s.push(a);
  s.sent(a);
  s.remove(a);
  s.remove(a);
  EXPECT_TRUE(s.empty());
}

// A model check: random pushes, removes, sends and reprioritizations against a simple reference.
TEST(Http2Scheduler, AgreesWithAReferenceModel) {
  std::mt19937 rng(9218);
  std::vector<Node> nodes;
  for (std::uint32_t i = 0; i < 24; ++i) nodes.push_back(make(2 * i + 1, 0, false));
  for (int round = 0; round < 200; ++round) {
    Scheduler s;
    for (auto& n : nodes) {
      n.priority = PriorityParams{static_cast<std::uint8_t>(rng() % 8), rng() % 2 == 0, rng() % 4 != 0};
      n.queued = false;
      n.prev = n.next = nullptr;
    }
    // Reference: per queue a deque; sequential queues kept sorted.
    std::vector<std::deque<Node*>> ref(16);
    auto qof = [](const Node& n) {
      return std::size_t{n.priority.urgency} * 2 +
             ((n.priority.incremental || !n.priority.signalled) ? 1 : 0);
    };
    auto ref_remove = [&](Node& n) {
      for (auto& q : ref) std::erase(q, &n);
    };
    auto ref_push = [&](Node& n) {
      auto& q = ref[qof(n)];
      if (std::find(q.begin(), q.end(), &n) != q.end()) return;
      if (qof(n) % 2 == 0) {
        auto at = std::find_if(q.begin(), q.end(), [&](Node* m) { return m->stream_id > n.stream_id; });
        q.insert(at, &n);
      } else {
        q.push_back(&n);
      }
    };
    for (int step = 0; step < 300; ++step) {
      Node& n = nodes[rng() % nodes.size()];
      switch (rng() % 4) {
        case 0:
          s.push(n);
          ref_push(n);
          break;
        case 1:
          s.remove(n);
          ref_remove(n);
          break;
        case 2: {
          Node* f = s.front();
          if (f != nullptr) {
            s.sent(*f);
            auto& q = ref[qof(*f)];
            if (qof(*f) % 2 == 1) {
              q.pop_front();
              q.push_back(f);
            }
          }
          break;
        }
        case 3: {
          const bool was = n.queued;
          const PriorityParams np{static_cast<std::uint8_t>(rng() % 8), rng() % 2 == 0, true};
          ref_remove(n);
          s.reprioritize(n, np);
          if (was) ref_push(n);
          break;
        }
      }
      Node* want = nullptr;
      for (auto& q : ref) {
        if (!q.empty()) {
          want = q.front();
          break;
        }
      }
      ASSERT_EQ(s.front(), want) << "round " << round << " step " << step;
    }
  }
}

}  // namespace
}  // namespace endhost::http2
