#include "core/blocking_pool.hpp"

#include <pthread.h>

#include <fmt/format.h>

namespace endhost::core {

BlockingPool::BlockingPool(std::string name, std::size_t threads, std::size_t max_queued)
    : name_(std::move(name)), max_queued_(max_queued == 0 ? 1 : max_queued) {
  if (threads == 0) threads = 1;
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this, i] { work(i); });
}

BlockingPool::~BlockingPool() {
  shutdown();
}

void BlockingPool::shutdown() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_)
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
}

std::size_t BlockingPool::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

std::string BlockingPool::refusal_locked() const {
  if (stopping_) return fmt::format("the {} pool is shutting down", name_);
  if (queue_.size() >= max_queued_)
    return fmt::format("the {} pool is busy ({} jobs waiting); try again later", name_, queue_.size());
  return {};
}

void BlockingPool::work(std::size_t index) {
  // Thread names show in top -H, gdb and /proc/PID/task/*/comm; the kernel keeps 15 bytes.
  const std::string thread_name = fmt::format("{}-{}", name_, index).substr(0, 15);
  ::pthread_setname_np(::pthread_self(), thread_name.c_str());
  for (;;) {
    std::unique_ptr<Job> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      // Stopping drains: queued jobs still run, since their callers wait for them.
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    (*job)();
  }
}

}  // namespace endhost::core
