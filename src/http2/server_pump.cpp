#include "http2/server_pump.hpp"

#include <algorithm>
#include <memory>
#include <vector>

#include "core/clock.hpp"

namespace endhost::http2 {
namespace {

// Bytes read at a time.
constexpr std::size_t kReadSize = 64 * 1024;
// DATA produced per turn: enough for throughput, small enough that one connection lets others run.
constexpr std::size_t kOutputBudget = 512 * 1024;

// Output buffers are lent per turn from the thread's loop rather than owned by each connection: an idle
// connection holds none (it kept its last response's bytes, a KiB or more, before), and the loop's busy
// connections reuse a few, so a request still allocates nothing once the loop is warm. A buffer grown
// beyond kKeptOutput (a bulk transfer's turn) is freed rather than kept.
constexpr std::size_t kKeptOutput = 64 * 1024;
constexpr std::size_t kKeptOutputs = 64;

std::vector<std::unique_ptr<Output>>& spare_outputs() {
  thread_local std::vector<std::unique_ptr<Output>> spare;
  return spare;
}

std::unique_ptr<Output> lend_output() {
  auto& spare = spare_outputs();
  if (spare.empty()) return std::make_unique<Output>();
  std::unique_ptr<Output> out = std::move(spare.back());
  spare.pop_back();
  return out;
}

void give_back(std::unique_ptr<Output>& out) {
  if (!out) return;
  auto& spare = spare_outputs();
  if (spare.size() < kKeptOutputs && out->bytes.capacity() <= kKeptOutput) {
    out->clear();
    spare.push_back(std::move(out));
  }
  out.reset();
}

// The engine's instants come from the program's clock (core/clock.hpp), as everywhere else.
core::Instant engine_now() {
  return core::SystemClock().now();
}

std::chrono::steady_clock::time_point steady_of(core::Instant t) {
  return std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(t.time_since_epoch()));
}

}  // namespace

ServerPump::ServerPump(ServerConnection& h2, core::Connection& conn, PumpSession& session,
                       PumpTimeouts timeouts, std::string& read_buffer)
    : h2_(h2),
      conn_(conn),
      session_(session),
      timeouts_(timeouts),
      buf_(read_buffer),
      write_signal_(conn.stream().get_executor()) {}

// One deadline for the socket, as HTTP/1.1 has: send while a write is under way; header while a frame or
// field block is half received; idle with no stream open; else active (the connection's own stall timers
// watch the flow-control windows).
void ServerPump::arm_deadline() {
  if (sending_) {
    conn_.expires_after(timeouts_.send);
  } else if (h2_.mid_message()) {
    conn_.expires_after(timeouts_.header);
  } else if (h2_.open_streams() == 0 && !session_.busy()) {
    conn_.expires_after(timeouts_.idle);
  } else {
    conn_.expires_after(timeouts_.active);
  }
}

awaitable<void> ServerPump::read_loop() {
  if (buf_.size() < kReadSize) buf_.resize(kReadSize);
  for (;;) {
    // Everything readable now (with TLS, also what OpenSSL holds decrypted), then a wait for more.
    core::TlsWant want = core::TlsWant::read;
    bool ended = false;
    for (;;) {
      const core::TlsIo io = conn_.stream().try_read_some(asio::buffer(buf_.data(), buf_.size()));
      if (io.want != core::TlsWant::nothing) {
        want = io.want;
        break;
      }
      if (io.ec || io.bytes == 0) {
        ended = true;
        break;
      }
      session_.received(io.bytes);
      h2_.receive(std::string_view(buf_.data(), io.bytes), engine_now());
      if (h2_.closing() && h2_.error()) break;
    }
    if (conn_.draining()) h2_.shutdown();
    kick();
    if (ended || (h2_.closing() && h2_.error())) break;
    if (h2_.open_streams() == 0 && !session_.busy() && !h2_.mid_message() && !conn_.begin_idle())
      break;  // draining
    arm_deadline();
    const auto wait =
        want == core::TlsWant::write ? asio::socket_base::wait_write : asio::socket_base::wait_read;
    auto [ec] = co_await conn_.stream().lowest_layer().async_wait(wait, use_nothrow);
    conn_.end_idle();
    if (ec) break;
  }
  // §6.8: a server going away says so; a client that left needs nothing more.
  if (conn_.draining() || conn_.timed_out()) h2_.shutdown();
  reader_done_ = true;
  kick();
}

awaitable<void> ServerPump::run(std::string& preread) {
  boost::system::error_code ignored;
  conn_.stream().lowest_layer().non_blocking(true, ignored);  // sendfile(2) must not block the loop
  if (!preread.empty()) h2_.receive(preread, engine_now());
  std::string().swap(preread);  // consumed: not held for the connection's life
  asio::co_spawn(conn_.stream().get_executor(), read_loop(), asio::detached);
  core::TokenBucket* const pace = session_.output_budget();
  for (;;) {
    if (!out_) out_ = lend_output();
    out_->clear();
    std::size_t budget = kOutputBudget;
    bool paced = false;  // there is output, but the rate allows none of it yet
    if (pace != nullptr) {
      const std::uint64_t room = pace->available(engine_now());
      if (room == 0) {
        paced = h2_.wants_output();
      } else {
        budget = static_cast<std::size_t>(std::min<std::uint64_t>(budget, room));
      }
    }
    if (!paced) {
      // A turn produces at least one frame even from a small budget; the bucket's debt evens that out.
      h2_.take_output(*out_, budget);
      if (!out_->empty()) {
        if (pace != nullptr) pace->spend(out_->size());
        sending_ = true;
        conn_.expires_after(timeouts_.send);
        const bool ok = co_await session_.send_output(*out_);
        sending_ = false;
        if (!ok) break;
        arm_deadline();
        // The last stream may end here rather than in the reader (a response a session submitted from its own
        // coroutine, after an upload's fsync): the waiting reader becomes idle, for the drain to close it.
        if (!reader_done_ && h2_.open_streams() == 0 && !session_.busy() && !h2_.mid_message() &&
            !conn_.begin_idle())
          conn_.stream().lowest_layer().cancel(ignored);
        continue;
      }
      give_back(out_);  // nothing to send: the buffer goes back to the loop while this connection waits
      if (h2_.done() || (reader_done_ && !h2_.wants_output())) break;
    }
    const auto deadline = h2_.next_deadline();
    auto at = deadline ? steady_of(*deadline) : std::chrono::steady_clock::time_point::max();
    if (paced) {
      at = std::min(at, steady_of(pace->ready_at()));
      conn_.expires_after(timeouts_.send);  // a paused response is not a client that stopped reading
    }
    write_signal_.expires_at(at);
    auto [ec] = co_await write_signal_.async_wait(use_nothrow);
    if (!ec && (!paced || (deadline && engine_now() >= *deadline))) h2_.tick(engine_now());
  }
  give_back(out_);
  conn_.stream().shutdown();
  // The reader holds the session too: wait until it has seen the close.
  while (!reader_done_) {
    conn_.stream().lowest_layer().cancel(ignored);
    write_signal_.expires_after(std::chrono::milliseconds(10));
    auto [ec] = co_await write_signal_.async_wait(use_nothrow);
    (void)ec;
  }
}

}  // namespace endhost::http2
