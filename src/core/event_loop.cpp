#include "core/event_loop.hpp"

namespace endhost::core {

EventLoop::EventLoop(std::size_t index) : index_(index), thread_(std::this_thread::get_id()) {}

EventLoops::EventLoops(std::size_t count) {
  if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
  for (std::size_t i = 0; i < count; ++i) {
    loops_.push_back(std::make_unique<EventLoop>(i));
    guards_.emplace_back(asio::make_work_guard(loops_.back()->io()));
  }
}

EventLoops::~EventLoops() {
  stop();
}

EventLoop& EventLoops::next() {
  EventLoop& loop = *loops_[next_];
  next_ = (next_ + 1) % loops_.size();
  return loop;
}

void EventLoops::run() {
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < loops_.size(); ++i) {
    threads.emplace_back([this, i] {
      loops_[i]->thread_ = std::this_thread::get_id();
      loops_[i]->io().run();
    });
  }
  loops_[0]->thread_ = std::this_thread::get_id();
  loops_[0]->io().run();
  for (auto& t : threads) t.join();
}

void EventLoops::stop() {
  for (auto& loop : loops_) loop->io().stop();
}

void EventLoops::shutdown() {
  stop();
  guards_.clear();
  for (auto& loop : loops_) loop->io_.shut_down();
}

}  // namespace endhost::core
