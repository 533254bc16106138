// One event loop per thread: each EventLoop owns an io_context that only its own thread runs, so the state a
// loop owns (its connections, its caches) needs no lock. EventLoops starts the threads and stops them.
#pragma once

#include <cassert>
#include <cstddef>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "core/asio.hpp"

namespace endhost::core {

// The io_context of one loop, with the shutdown step its destructor would take made callable earlier.
class LoopContext final : public asio::io_context {
 public:
  LoopContext() : asio::io_context(1) {}  // hint: exactly one thread runs it
  // Destroys every handler still queued, coroutine frames included (as the destructor does); the context
  // cannot run again. Sockets and timers may still be closed and destroyed afterwards.
  void shut_down() { shutdown(); }
};

class EventLoop {
 public:
  explicit EventLoop(std::size_t index);
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  asio::io_context& io() { return io_; }
  std::size_t index() const { return index_; }

  // True on the thread that runs this loop. Code that touches loop-owned state asserts it in debug builds.
  bool on_this_thread() const { return std::this_thread::get_id() == thread_; }

 private:
  friend class EventLoops;
  std::size_t index_;
  LoopContext io_;
  std::thread::id thread_;
};

// Debug builds stop here when loop-owned state (a server's per-loop connection list, a connection pool, a
// cache's per-loop part) is touched from a thread that is not running its loop: such state has no lock, so
// that would be a data race. Costs nothing with NDEBUG. The executor form is for state that keeps an
// executor rather than its EventLoop; executors of other kinds (strands, tests' own) are not checked.
inline void assert_on_loop([[maybe_unused]] EventLoop& loop) {
  assert(loop.io().get_executor().running_in_this_thread());
}
inline void assert_on_loop([[maybe_unused]] const asio::any_io_executor& executor) {
#ifndef NDEBUG
  if (const auto* io = executor.target<asio::io_context::executor_type>())
    assert(io->running_in_this_thread());
#endif
}

class EventLoops {
 public:
  // `count` of 0 means one loop per core.
  explicit EventLoops(std::size_t count);
  ~EventLoops();

  std::size_t size() const { return loops_.size(); }
  EventLoop& operator[](std::size_t i) { return *loops_[i]; }
  EventLoop& next();  // round robin, for work that may go to any loop (call from one thread only)

  // Runs loop 0 on the calling thread and the others on new threads; returns once stop() was called and all
  // threads have finished. Loops stay alive while idle.
  void run();
  // Thread-safe. Ends run(): pending handlers are abandoned, not run.
  void stop();
  // Destroys the abandoned handlers of every loop now — the session coroutines cut off by stop() — while
  // whatever they refer to still exists. Call once run() returned (or never ran); the loops cannot run again.
  void shutdown();

 private:
  std::vector<std::unique_ptr<EventLoop>> loops_;
  std::vector<std::optional<asio::executor_work_guard<asio::io_context::executor_type>>> guards_;
  std::size_t next_ = 0;
};

}  // namespace endhost::core
