// The authoritative server's UDP front end. A DNS query and its answer are one small datagram each, so the
// cost per query is mostly system calls and wake-ups; this front end reads up to `batch` queries with one
// recvmmsg(2), answers them into per-loop buffers and sends every answer with one sendmmsg(2). Each event
// loop reads its own descriptor of the bound socket (shared, like core::UdpServer), or with `reuseport`
// its own socket in an SO_REUSEPORT group, so the kernel spreads clients over the loops without waking them
// all. Linux only.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/drainable.hpp"
#include "core/event_loop.hpp"
#include "core/expected.hpp"
#include "core/log.hpp"
#include "core/socket_place.hpp"

namespace endhost::dns::server {

struct UdpBatchOptions {
  std::string name = "dns";
  std::size_t batch = 32;            // datagrams per recvmmsg/sendmmsg
  std::size_t max_query = 4096;      // larger datagrams are dropped (a DNS query is a few hundred octets)
  std::size_t max_response = 1232;   // the answer buffer of each slot (the largest UDP answer we send)
  std::size_t batches_per_turn = 8;  // then the loop yields to its other work (TCP sessions, timers)
  bool reuseport = false;            // one socket per loop in an SO_REUSEPORT group
};

class UdpBatchServer final : public core::Drainable {
 public:
  // Answers one query into `out` and returns the octets written (0: send nothing). Called on loop `loop`'s
  // thread; `query` and `from` are valid only during the call.
  using Answer = std::function<std::size_t(std::size_t loop, std::span<const std::uint8_t> query,
                                           const asio::ip::udp::endpoint& from, std::span<std::uint8_t> out)>;

  UdpBatchServer(core::EventLoops& loops, core::Logger& log, UdpBatchOptions options, Answer answer);
  ~UdpBatchServer() override;

  // Binds, with the sockets made in `place` (the error is a sentence for a human, as core's listeners give).
  Expected<void, std::string> listen(const asio::ip::udp::endpoint& endpoint,
                                     const core::SocketPlace& place = {});
  std::vector<asio::ip::udp::endpoint> local_endpoints() const;
  void start();

  void drain() override;
  std::size_t in_flight() const override { return 0; }
  void abort() override { drain(); }

 private:
  struct Socket;
  struct LoopBuffers;
  awaitable<void> serve(Socket& socket);
  // Reads one batch and answers it. Returns the datagrams read (fewer than a batch: the queue is empty), -1
  // on a fatal error.
  int serve_batch(Socket& socket);

  core::EventLoops& loops_;
  core::Logger& log_;
  UdpBatchOptions options_;
  Answer answer_;
  std::vector<asio::ip::udp::endpoint> bound_;
  std::vector<std::unique_ptr<Socket>> sockets_;
  std::vector<std::unique_ptr<LoopBuffers>> buffers_;  // one per loop
};

}  // namespace endhost::dns::server
