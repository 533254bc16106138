#include "ping/ping_client.hpp"

#include <fmt/format.h>

#include <csignal>
#include <ostream>
#include <vector>

#include "core/asio.hpp"
#include "core/connection.hpp"
#include "core/name_resolver.hpp"
#include "core/run_client.hpp"
#include "core/timeout.hpp"
#include "ping/ping_message.hpp"
#include "ping/rtt_stats.hpp"

namespace endhost::ping {

namespace {

using udp = asio::ip::udp;
using clock = std::chrono::steady_clock;

std::int64_t unix_micros_now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

awaitable<int> ping(const PingClientOptions& o, std::ostream& out, std::ostream& err) {
  auto ex = co_await asio::this_coro::executor;
  // Through core::NameResolver, as every dialled connection (an IP literal is used as it is).
  const core::SystemNameResolver names;
  const auto until = std::chrono::steady_clock::now() + o.timeout;
  const auto resolved = co_await core::resolve_udp_endpoint(names, o.server.host, o.server.port, until);
  if (!resolved) {
    err << "endhost ping: " << resolved.error() << "\n";
    co_return 2;
  }
  const udp::endpoint server = *resolved;
  udp::socket socket(ex, udp::endpoint(server.protocol(), 0));
  std::string name = core::endpoint_text(server);
  out << (o.heartbeat ? "HEARTBEAT " : "PING ") << name << ": "
      << (o.count == 0 ? std::string("until Ctrl-C") : std::to_string(o.count) + " messages") << ", interval "
      << fmt::format("{:g}", static_cast<double>(o.interval.count()) / 1e6) << " s\n"
      << std::flush;

  RttStats stats;
  std::vector<char> buf(kMaxMessage + 1);
  asio::steady_timer pacer(ex);
  // Ctrl-C stops the pinging and goes on to the statistics (ping(8)'s way): it wakes the pacer or the
  // wait for a reply. The handler touches this frame only when the signal came, never after cancel().
  asio::signal_set interrupt(ex, SIGINT);
  bool interrupted = false;
  interrupt.async_wait([&interrupted, &pacer, &socket](const boost::system::error_code& e, int) {
    if (e) return;
    interrupted = true;
    pacer.cancel();
    socket.cancel();
  });
  auto start = clock::now();
  std::size_t sent = 0;
  for (std::size_t seq = 1; (o.count == 0 || seq <= o.count) && !interrupted; ++seq) {
    auto due = start + (seq - 1) * o.interval;
    if (clock::now() < due) {
      pacer.expires_at(due);
      co_await pacer.async_wait(use_nothrow);
    }
    if (interrupted) break;
    Message m{o.heartbeat ? Kind::Heartbeat : Kind::Ping, seq, unix_micros_now()};
    std::string text = format_message(m);
    auto sent_at = clock::now();
    boost::system::error_code sec;
    socket.send_to(asio::buffer(text), server, 0, sec);
    if (sec) {
      err << "endhost ping: sending to " << name << " failed: " << sec.message() << "\n";
      co_return 1;
    }
    ++sent;
    if (o.heartbeat) {
      if (!o.quiet) out << "sent " << text << "\n" << std::flush;
      continue;
    }
    // Wait for this ping's reply; replies to earlier pings that come late are not this one's.
    auto deadline = sent_at + o.timeout;
    bool answered = false;
    while (!answered && !interrupted && clock::now() < deadline) {
      udp::endpoint from;
      auto got = co_await core::with_timeout(socket.async_receive_from(asio::buffer(buf), from, use_nothrow),
                                             deadline - clock::now());
      if (!got) break;
      auto [ec, n] = *got;
      if (ec || from != server) continue;  // ICMP unreachable shows up as an error: treat as no reply
      std::string_view reply(buf.data(), n);
      auto parsed = parse_message(reply);
      if (!parsed || parsed->seq != seq) continue;
      double rtt = std::chrono::duration<double, std::milli>(clock::now() - sent_at).count();
      stats.add(rtt);
      if (!o.quiet)
        out << "Reply from " << name << ": " << reply << fmt::format("  seq={} rtt={:.3f} ms", seq, rtt)
            << "\n"
            << std::flush;
      answered = true;
    }
    if (!answered && !interrupted && !o.quiet) out << "Request timed out (seq=" << seq << ")\n" << std::flush;
  }
  boost::system::error_code ignored;
  interrupt.cancel(ignored);
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start).count();
  if (o.heartbeat) {
    out << "\n--- " << name << " heartbeat ---\n" << sent << " heartbeats sent, time " << elapsed << "ms\n";
    co_return sent == o.count || (o.count == 0 && sent > 0) || interrupted ? 0 : 1;
  }
  out << "\n--- " << name << " ping statistics ---\n" << format_summary(sent, stats, elapsed) << std::flush;
  co_return stats.count() > 0 ? 0 : 1;
}

}  // namespace

int run_ping_client(const PingClientOptions& options, std::ostream& out, std::ostream& err) {
  return core::run_client([&] { return ping(options, out, err); }, err, "endhost ping");
}

}  // namespace endhost::ping
