// core::Deadline on a real socket: it cancels a pending read when it passes, moving it later defers that,
// moving it earlier brings it forward, and expires_never() disarms it.
#include "core/deadline.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace endhost::core {
namespace {

using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

struct Pair {
  asio::io_context io;
  tcp::socket a{io};
  tcp::socket b{io};
  Pair() {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    a.connect(acceptor.local_endpoint());
    b = acceptor.accept();
  }
};

struct ReadResult {
  boost::system::error_code ec;
  Deadline::clock::duration took{};
};

// Reads on `p.b` under `d`; `peer_writes_after` (if set) sends a byte from `p.a` then.
ReadResult read_under(Pair& p, std::optional<std::chrono::milliseconds> peer_writes_after) {
  ReadResult r;
  char byte;
  const auto start = Deadline::clock::now();
  p.b.async_read_some(asio::buffer(&byte, 1), [&](boost::system::error_code ec, std::size_t) {
    r.ec = ec;
    r.took = Deadline::clock::now() - start;
    p.io.stop();  // the deadline's timer may still be queued: the read's outcome is what we look at
  });
  asio::steady_timer writer(p.io);
  if (peer_writes_after) {
    writer.expires_after(*peer_writes_after);
    writer.async_wait([&](boost::system::error_code ec) {
      if (!ec) asio::write(p.a, asio::buffer("x", 1));
    });
  }
  p.io.run();
  return r;
}

TEST(Deadline, CancelsThePendingReadWhenItPasses) {
  Pair p;
  Deadline d(p.io.get_executor(), p.b);
  d.expires_after(50ms);
  const ReadResult r = read_under(p, std::nullopt);
  EXPECT_EQ(r.ec, asio::error::operation_aborted);
  EXPECT_TRUE(d.timed_out());
  EXPECT_GE(r.took, 45ms);
  d.clear_timed_out();
  EXPECT_FALSE(d.timed_out());
}

TEST(Deadline, MovedLaterDoesNotFireEarly) {
  Pair p;
  Deadline d(p.io.get_executor(), p.b);
  d.expires_after(30ms);
  d.expires_after(5s);
  const ReadResult r = read_under(p, 150ms);
  EXPECT_FALSE(r.ec);
  EXPECT_FALSE(d.timed_out());
  d.expires_never();
}

TEST(Deadline, MovedEarlierFiresAtTheEarlierTime) {
  Pair p;
  Deadline d(p.io.get_executor(), p.b);
  d.expires_after(10s);
  d.expires_after(40ms);
  const ReadResult r = read_under(p, std::nullopt);
  EXPECT_EQ(r.ec, asio::error::operation_aborted);
  EXPECT_LT(r.took, 2s);
}

TEST(Deadline, NeverMeansNever) {
  Pair p;
  Deadline d(p.io.get_executor(), p.b);
  d.expires_after(30ms);
  d.expires_never();
  const ReadResult r = read_under(p, 150ms);
  EXPECT_FALSE(r.ec);
  EXPECT_FALSE(d.timed_out());
}

TEST(Deadline, OutlivedByItsTimerHandler) {
  Pair p;
  {
    Deadline d(p.io.get_executor(), p.b);
    d.expires_after(10ms);
  }  // destroyed with the wait queued: the handler must not touch the socket or the Deadline
  p.io.run();
  EXPECT_TRUE(p.b.is_open());
}

}  // namespace
}  // namespace endhost::core
