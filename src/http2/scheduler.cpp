#include "http2/scheduler.hpp"

#include <bit>

namespace endhost::http2 {

void Scheduler::push(Node& node) {
  if (node.queued) return;
  const std::size_t q = queue_of(node.priority);
  if (q % 2 == 0) {
    link_sorted(queues_[q], node);
  } else {
    link_back(queues_[q], node);
  }
  nonempty_ = static_cast<std::uint16_t>(nonempty_ | (1u << q));
  node.queued = true;
}

void Scheduler::remove(Node& node) {
  if (!node.queued) return;
  const std::size_t q = queue_of(node.priority);
  unlink(queues_[q], node);
  if (queues_[q].head == nullptr) nonempty_ = static_cast<std::uint16_t>(nonempty_ & ~(1u << q));
  node.queued = false;
}

void Scheduler::reprioritize(Node& node, PriorityParams priority) {
  const bool was_queued = node.queued;
  remove(node);
  node.priority = priority;
  if (was_queued) push(node);
}

Scheduler::Node* Scheduler::front() const {
  if (nonempty_ == 0) return nullptr;
  // The lowest set bit: the most urgent level, its sequential list before its ring.
  return queues_[static_cast<std::size_t>(std::countr_zero(nonempty_))].head;
}

void Scheduler::sent(Node& node) {
  if (!node.queued) return;
  const std::size_t q = queue_of(node.priority);
  if (q % 2 == 0) return;  // sequential: it keeps the line until it is done
  List& ring = queues_[q];
  if (ring.head == &node && ring.tail != &node) {
    unlink(ring, node);
    link_back(ring, node);
  }
}

void Scheduler::link_sorted(List& list, Node& node) {
  // Streams mostly arrive in id order, so search from the tail.
  Node* after = list.tail;
  while (after != nullptr && after->stream_id > node.stream_id) after = after->prev;
  node.prev = after;
  node.next = after != nullptr ? after->next : list.head;
  if (node.next != nullptr) {
    node.next->prev = &node;
  } else {
    list.tail = &node;
  }
  if (after != nullptr) {
    after->next = &node;
  } else {
    list.head = &node;
  }
}

void Scheduler::link_back(List& list, Node& node) {
  node.next = nullptr;
  node.prev = list.tail;
  if (list.tail != nullptr) {
    list.tail->next = &node;
  } else {
    list.head = &node;
  }
  list.tail = &node;
}

void Scheduler::unlink(List& list, Node& node) {
  if (node.prev != nullptr) {
    node.prev->next = node.next;
  } else {
    list.head = node.next;
  }
  if (node.next != nullptr) {
    node.next->prev = node.prev;
  } else {
    list.tail = node.prev;
  }
  node.prev = node.next = nullptr;
}

}  // namespace endhost::http2
