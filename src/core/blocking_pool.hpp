// Threads for blocking work (fsync, rename, password hashing, zone files) so that no event loop stalls on
// the disk. `co_await pool.run(job)` runs job() on a pool thread and resumes the caller on its own loop.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/asio.hpp"
#include "core/expected.hpp"

namespace endhost::core {

class BlockingPool {
 public:
  // `name` names the threads (pthread_setname_np, "name-0"…, cut to 15 bytes). At most `max_queued` jobs
  // wait for a thread; beyond that run() and post() fail at once with an error value instead of queueing
  // without bound (the caller answers "busy" rather than letting memory and latency grow).
  BlockingPool(std::string name, std::size_t threads, std::size_t max_queued = 1024);
  // shutdown().
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Refuses new jobs, lets every queued and running job finish, then joins the threads. The loops that
  // await jobs must still be running (or be run afterwards) for their coroutines to resume. Idempotent.
  void shutdown();

  const std::string& name() const noexcept { return name_; }
  std::size_t queued() const;

  // `const auto r = co_await pool.run(job);` gives Expected<job()'s result, error line>; the error says the
  // queue was full or the pool shut down. The awaiting coroutine resumes on its own executor, which is kept
  // busy (a work guard) until then.
  //
  // `job` is taken by reference and must be a named local of the awaiting coroutine that outlives the
  // await: GCC 12 destroys non-trivial temporaries of a co_await expression twice, so the operation carries
  // only a pointer. The job must not touch loop-owned state.
  template <class Fn>
  auto run(Fn& job) {
    using R = std::invoke_result_t<Fn&>;
    static_assert(!std::is_void_v<R>, "give the job a result (a status or an error) to hand back");
    using Result = Expected<R, std::string>;
    return asio::async_initiate<decltype(asio::deferred), void(Result)>(
        [this](auto handler, Fn* fn) {
          auto guard = asio::make_work_guard(asio::get_associated_executor(handler));
          std::string refused;
          {
            std::lock_guard lock(mu_);
            refused = refusal_locked();
            if (refused.empty()) {
              push_locked([fn, handler = std::move(handler), guard = std::move(guard)]() mutable {
                Result result((*fn)());
                auto ex = guard.get_executor();
                asio::post(ex, [handler = std::move(handler), result = std::move(result)]() mutable {
                  std::move(handler)(std::move(result));
                });
                guard.reset();
              });
              return;
            }
          }
          auto ex = guard.get_executor();
          asio::post(ex, [handler = std::move(handler), refused = std::move(refused)]() mutable {
            std::move(handler)(Result(Unexpected(std::move(refused))));
          });
        },
        asio::deferred, &job);
  }

  // Fire and forget: `job` runs on a pool thread (it reports back itself, e.g. by posting to a loop). The
  // error says the queue was full or the pool shut down; the job was then not queued.
  template <class Fn>
  Expected<void, std::string> post(Fn job) {
    std::lock_guard lock(mu_);
    std::string refused = refusal_locked();
    if (!refused.empty()) return Unexpected(std::move(refused));
    push_locked(std::move(job));
    return {};
  }

 private:
  struct Job {
    virtual ~Job() = default;
    virtual void operator()() = 0;
  };
  template <class F>
  struct JobOf final : Job {
    explicit JobOf(F f) : fn(std::move(f)) {}
    void operator()() override { fn(); }
    F fn;
  };

  // Under mu_: "" when a job may be queued, else why not.
  std::string refusal_locked() const;
  template <class F>
  void push_locked(F f) {
    queue_.push_back(std::make_unique<JobOf<F>>(std::move(f)));
    cv_.notify_one();
  }
  void work(std::size_t index);

  std::string name_;
  std::size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Job>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace endhost::core
