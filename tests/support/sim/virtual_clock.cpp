#include "sim/virtual_clock.hpp"

namespace endhost::sim {

VirtualClock::TimerId VirtualClock::at(Instant when, Task task) {
  if (when < now_) when = now_;
  const TimerId id = next_id_++;
  queue_.emplace(Key{when, id}, std::move(task));
  due_.emplace(id, when);
  return id;
}

bool VirtualClock::cancel(TimerId id) {
  auto it = due_.find(id);
  if (it == due_.end()) return false;
  queue_.erase(Key{it->second, id});
  due_.erase(it);
  return true;
}

bool VirtualClock::step() {
  if (queue_.empty()) return false;
  auto first = queue_.begin();
  if (first->first.first > now_) now_ = first->first.first;
  // Taken out before it runs: the task may schedule or cancel others.
  Task task = std::move(first->second);
  due_.erase(first->first.second);
  queue_.erase(first);
  task();
  return true;
}

std::size_t VirtualClock::run_until_idle(std::size_t limit) {
  std::size_t ran = 0;
  while (ran < limit && step()) ++ran;
  return ran;
}

std::size_t VirtualClock::run_until(Instant t) {
  std::size_t ran = 0;
  while (!queue_.empty() && queue_.begin()->first.first <= t) {
    step();
    ++ran;
  }
  if (t > now_) now_ = t;
  return ran;
}

std::size_t VirtualClock::run_while(const std::function<bool()>& more, std::size_t limit) {
  std::size_t ran = 0;
  while (ran < limit && more() && step()) ++ran;
  return ran;
}

std::optional<Instant> VirtualClock::next_due() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.begin()->first.first;
}

}  // namespace endhost::sim
