// ping (§2.7, the UDP pinger of the socket-programming assignment): a burst of pings to the lab's pinger,
// each `Ping <seq> <time>` answered upper-cased unless the server's loss simulation drops it. The model: a
// ping's RTT is the path's set RTT plus the server's own simulated delay; a ping is lost when the network
// loses the request or the reply (the path's round-trip loss l) or the server drops it (its loss s), so the
// loss is 1 - (1 - l)(1 - s) (models.hpp). On loopback nothing is emulated: l = 0, and the RTT measured is
// the stack's and the server's own time beside the model's simulated delay.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <chrono>
#include <ostream>
#include <vector>

#include "core/timeout.hpp"
#include "lab/experiments/experiments_impl.hpp"
#include "lab/experiments/model_rows.hpp"
#include "lab/experiments/table.hpp"
#include "lab/models.hpp"
#include "ping/ping_message.hpp"

namespace endhost::lab {

namespace json = boost::json;

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kCount = 200;
constexpr auto kInterval = std::chrono::milliseconds(10);

double millis(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

std::int64_t unix_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

awaitable<int> ping_experiment(const LabInfo& lab, const ExperimentOptions& /*options*/, std::ostream& out,
                               json::object& data) {
  if (lab.ping.empty()) {
    out << "ping: this lab runs no UDP pinger (a host with ping = {})\n";
    co_return 1;
  }
  const LabInfo::PingHost server = lab.ping.front();
  const asio::ip::udp::endpoint target(asio::ip::make_address(server.address), server.port);
  std::string not_emulated;
  const std::optional<NetworkBasis> emulated = emulated_basis(lab, server.host, &not_emulated);
  const double path_rtt = emulated ? emulated->rtt_ms : 0.0;
  const double link_loss = emulated ? emulated->loss : 0.0;
  // Long enough for a reply that took the path's RTT, the server's delay and its jitter, and then some.
  const auto timeout = std::chrono::milliseconds(std::max<std::int64_t>(
      500, static_cast<std::int64_t>(2 * (path_rtt + server.delay_ms + server.jitter_ms)) + 200));

  const auto executor = co_await asio::this_coro::executor;
  asio::ip::udp::socket socket(executor);
  boost::system::error_code ec;
  socket.open(target.protocol(), ec);
  if (const auto source = lab.client_address(); !ec && source) socket.bind({*source, 0}, ec);
  if (ec) {
    out << "ping: cannot open a UDP socket: " << ec.message() << "\n";
    co_return 1;
  }

  std::vector<Clock::time_point> sent(kCount);
  std::vector<std::optional<double>> rtt(kCount);
  std::size_t next = 0, answered = 0;
  const Clock::time_point start = Clock::now();
  Clock::time_point deadline = Clock::time_point::max();
  std::array<char, ping::kMaxMessage> buffer{};
  asio::ip::udp::endpoint from;
  while (true) {
    const Clock::time_point now = Clock::now();
    if (next < kCount && now >= start + kInterval * static_cast<std::int64_t>(next)) {
      const std::string text = ping::format_message({ping::Kind::Ping, next, unix_micros()});
      sent[next] = Clock::now();
      auto [send_ec, n] = co_await socket.async_send_to(asio::buffer(text), target, use_nothrow);
      if (send_ec) {
        out << "ping: cannot send to " << server.address << ":" << server.port << ": " << send_ec.message()
            << "\n";
        co_return 1;
      }
      if (++next == kCount) deadline = Clock::now() + timeout;
      continue;
    }
    if (next == kCount && (now >= deadline || answered == kCount)) break;
    const Clock::time_point until =
        next < kCount ? start + kInterval * static_cast<std::int64_t>(next) : deadline;
    auto got = co_await core::with_timeout(socket.async_receive_from(asio::buffer(buffer), from, use_nothrow),
                                           until - now);
    if (!got) continue;
    auto [recv_ec, length] = *got;
    if (recv_ec) continue;  // an ICMP error from an earlier send: the pinger is not there yet, or was not
    auto message = ping::parse_message(std::string_view(buffer.data(), length));
    if (!message || message->seq >= next || rtt[message->seq]) continue;
    rtt[message->seq] = millis(Clock::now() - sent[message->seq]);
    ++answered;
  }

  std::vector<double> times;
  for (const auto& r : rtt) {
    if (r) times.push_back(*r);
  }
  std::sort(times.begin(), times.end());
  const double median = times.empty() ? 0 : times[times.size() / 2];
  double mean = 0;
  for (double t : times) mean += t;
  mean = times.empty() ? 0 : mean / static_cast<double>(times.size());
  const double measured_loss = 1.0 - static_cast<double>(times.size()) / static_cast<double>(kCount);
  const double model_loss = models::ping_loss(link_loss, server.loss);
  const double model_rtt = path_rtt + server.delay_ms;

  const NetworkBasis basis =
      emulated ? *emulated : measured_basis(lab, server.host, median, "these pings' median");
  out << fmt::format(
      "ping: {} pings to {} ({}:{}), {} ms apart; the server drops {:g}% and delays {:g} ms (± {:g})\n",
      kCount, server.host, server.address, server.port, kInterval.count(), server.loss * 100, server.delay_ms,
      server.jitter_ms);
  out << basis_text(lab, basis);
  std::vector<ModelRow> rows;
  const json::object figures{{"path_rtt_ms", path_rtt},
                             {"server_delay_ms", server.delay_ms},
                             {"server_jitter_ms", server.jitter_ms},
                             {"replies", times.size()}};
  rows.push_back({"RTT, median", model_rtt, median, figures});
  rows.push_back({"RTT, mean", model_rtt, mean, figures});
  rows.push_back({"RTT, fastest", std::max(0.0, model_rtt - server.jitter_ms),
                  times.empty() ? 0 : times.front(), figures});
  out << "\n" << rows_table(rows);
  Table loss({"", "model", "measured"});
  loss.add({"loss",
            fmt::format("{} (1 - (1 - {:.3g}%)(1 - {:g}%))", ratio(model_loss), link_loss * 100,
                        server.loss * 100),
            fmt::format("{} ({} of {} unanswered)", ratio(measured_loss), kCount - times.size(), kCount)});
  out << "\n" << loss.render();
  if (!emulated) {
    out << "\nOn loopback the links add nothing: the model's RTT is the server's simulated delay alone, and\n"
           "what is measured above it is the kernel's and the server's own time.\n";
  }
  json::array all;
  for (const auto& r : rtt) all.push_back(r ? json::value(*r) : json::value(nullptr));
  data["server"] = json::object{{"host", server.host}, {"address", server.address}, {"port", server.port}};
  data["network"] = basis_json(basis);
  data["count"] = kCount;
  data["interval_ms"] = kInterval.count();
  data["rtt_ms"] = std::move(all);
  data["loss"] = json::object{{"model", model_loss}, {"measured", measured_loss},
                              {"link", link_loss},   {"server", server.loss},
                              {"sent", kCount},      {"received", times.size()}};
  data["rows"] = rows_json(rows);
  co_return times.empty() ? 1 : 0;
}

}  // namespace endhost::lab
