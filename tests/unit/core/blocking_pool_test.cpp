#include "core/blocking_pool.hpp"

#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>

namespace endhost::core {
namespace {

using namespace std::chrono_literals;

struct ThreadName {
  std::string operator()() const {
    char name[16] = {};
    ::pthread_getname_np(::pthread_self(), name, sizeof name);
    return name;
  }
};

struct Observed {
  std::thread::id job_thread;
  std::thread::id resumed_thread;
  std::string job_thread_name;
  bool ok = false;
};

awaitable<void> run_one(BlockingPool& pool, Observed& seen) {
  auto job = [&seen] {
    seen.job_thread = std::this_thread::get_id();
    seen.job_thread_name = ThreadName{}();
    return 42;
  };
  const auto result = co_await pool.run(job);
  seen.resumed_thread = std::this_thread::get_id();
  seen.ok = result && *result == 42;
}

TEST(BlockingPool, RunsTheJobOnANamedPoolThreadAndResumesOnTheCallersLoop) {
  BlockingPool pool("disk-test", 2);
  asio::io_context io;
  Observed seen;
  asio::co_spawn(io, run_one(pool, seen), asio::detached);
  io.run();  // returns only once the coroutine has resumed: the work guard kept the loop alive
  EXPECT_TRUE(seen.ok);
  EXPECT_NE(seen.job_thread, std::this_thread::get_id());
  EXPECT_EQ(seen.resumed_thread, std::this_thread::get_id());
  EXPECT_EQ(seen.job_thread_name.rfind("disk-test-", 0), 0u) << seen.job_thread_name;
}

awaitable<void> run_refused(BlockingPool& pool, std::string& error) {
  auto job = [] { return 1; };
  const auto result = co_await pool.run(job);
  if (!result) error = result.error();
}

TEST(BlockingPool, AFullQueueIsAnErrorValueNotAnUnboundedBacklog) {
  BlockingPool pool("bounded", 1, 1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.post([&started, released] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();    // the only thread is busy
  ASSERT_TRUE(pool.post([] {}));  // fills the queue
  auto refused = pool.post([] {});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("busy"), std::string::npos) << refused.error();

  asio::io_context io;
  std::string error;
  asio::co_spawn(io, run_refused(pool, error), asio::detached);
  io.run();
  EXPECT_NE(error.find("bounded pool is busy"), std::string::npos) << error;
  release.set_value();
}

TEST(BlockingPool, ShutdownFinishesQueuedJobsThenRefusesNewOnes) {
  std::atomic<int> done{0};
  BlockingPool pool("drain", 1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  ASSERT_TRUE(pool.post([released, &done] {
    released.wait();
    ++done;
  }));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(pool.post([&done] { ++done; }));
  std::thread releaser([&release] {
    std::this_thread::sleep_for(20ms);
    release.set_value();
  });
  pool.shutdown();  // waits for the job in flight and the five queued behind it
  releaser.join();
  EXPECT_EQ(done.load(), 6);
  auto late = pool.post([] {});
  ASSERT_FALSE(late);
  EXPECT_NE(late.error().find("shutting down"), std::string::npos);

  asio::io_context io;
  std::string error;
  asio::co_spawn(io, run_refused(pool, error), asio::detached);
  io.run();
  EXPECT_NE(error.find("shutting down"), std::string::npos) << error;
}

}  // namespace
}  // namespace endhost::core
