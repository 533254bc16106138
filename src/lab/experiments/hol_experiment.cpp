// hol: the lecture's head-of-line blocking. One large object (a second's worth at the rate) and three small
// ones, requested large first on ONE connection to a web server that sends at R bytes per second
// (`endhost web serve --limit-rate R`, started by the experiment on a loop of its own), three ways:
//   HTTP/1.1 serial     one request after the other on a persistent connection
//   HTTP/1.1 pipelined  all four requests at once (RFC 9112 §9.3.2); the responses still come in order
//   HTTP/2              all four as concurrent streams (h2c, prior knowledge); the server's scheduler
//                       interleaves their DATA frames (RFC 9218 §10 round robin: none sends a priority)
// The model counts transmission times L/R and nothing else (loopback has no propagation delay to speak of):
//   HTTP/1.1: object k finishes at (L_1 + … + L_k)/R, so the small ones wait for L_big/R
//   HTTP/2:   frame by frame in turn (F = 16 KiB, SETTINGS_MAX_FRAME_SIZE's default): the large object's
//   first
//             frame, then each small one whole, so small k finishes at (F + k·L_small)/R and the large at
//             (L_big + 3·L_small)/R
// The time of each object is from the moment the first request went out to its last byte.
#include <fmt/format.h>
#include <stdlib.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/binder.hpp"
#include "core/dialer.hpp"
#include "core/service_host.hpp"
#include "core/timeout.hpp"
#include "http/server/web_service.hpp"
#include "http2/client_connection.hpp"
#include "lab/experiments/experiments_impl.hpp"
#include "lab/experiments/table.hpp"
#include "lab/http_fetch.hpp"

namespace endhost::lab {

namespace json = boost::json;

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kTimeout = std::chrono::milliseconds(120'000);
constexpr std::uint64_t kDefaultRate = std::uint64_t{1} << 20;  // 1 MiB/s
constexpr std::uint64_t kFrame = 16'384;                        // RFC 9113 §6.5.2's default frame size
constexpr int kSmallObjects = 3;

struct Object {
  std::string path;
  std::uint64_t size = 0;
};

// One object as one mode fetched it, in ms since its first request went out.
struct Timing {
  double first_byte_ms = 0;
  double last_byte_ms = 0;
  std::uint64_t bytes = 0;
};

double ms_since(Clock::time_point t, Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(t - start).count();
}

// The experiment's own web server: the registry's `web` service with --limit-rate, one loop on a thread of
// its own (so the client's loop measures, and nothing it does slows the server), serving files written to a
// temporary directory, removed when it stops.
class RateLimitedServer {
 public:
  static Expected<std::unique_ptr<RateLimitedServer>, std::string> start(const std::vector<Object>& objects,
                                                                         const asio::ip::address& address,
                                                                         std::uint64_t rate) {
    std::unique_ptr<RateLimitedServer> s(new RateLimitedServer());
    std::string dir = (std::filesystem::temp_directory_path() / "endhost-hol-XXXXXX").string();
    if (::mkdtemp(dir.data()) == nullptr) return Unexpected(std::string("cannot make a temporary directory"));
    s->dir_ = dir;
    for (std::size_t i = 0; i < objects.size(); ++i) {
      std::ofstream f(dir + objects[i].path, std::ios::binary);
      std::string bytes(objects[i].size, '\0');
      // Bytes no encoding would shrink (the server compresses nothing without --compress anyway).
      std::uint32_t x = 2463534242u + static_cast<std::uint32_t>(i);
      for (char& c : bytes) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c = static_cast<char>(x);
      }
      f << bytes;
      if (!f) return Unexpected("cannot write " + dir + objects[i].path);
    }
    s->host_ = std::make_unique<core::ServiceHost>(
        core::ServiceHostOptions{1, std::chrono::milliseconds(1000), false}, s->log_);
    web::WebOptions options;
    options.root = dir;
    options.quiet = true;
    options.limit_rate = rate;
    core::ServiceEnv env(s->host_->loops(), s->host_->log(), s->host_->metrics(), core::Transcript());
    env.tcp_listen = {asio::ip::tcp::endpoint(address, 0)};
    auto made = web::WebService::create(options, env);
    if (!made) return Unexpected("the web server: " + made.error().message);
    web::WebService& web = s->host_->adopt(std::move(*made));
    core::Binder binder(s->log_, "web");
    if (auto ok = web.bind(binder); !ok) return Unexpected("the web server: " + ok.error());
    const auto bound = web.local_endpoints();
    if (bound.empty()) return Unexpected(std::string("the web server did not bind"));
    s->endpoint_ = bound.front();
    web.start();
    core::ServiceHost* host = s->host_.get();
    s->thread_ = std::thread([host] { host->run(); });
    return s;
  }

  ~RateLimitedServer() {
    if (thread_.joinable()) {
      host_->request_shutdown();
      thread_.join();
    }
    host_.reset();
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  const asio::ip::tcp::endpoint& endpoint() const { return endpoint_; }

 private:
  RateLimitedServer() = default;

  core::Logger log_{core::LogFormat::Text, core::LogLevel::Warn, stderr};
  std::string dir_;
  std::unique_ptr<core::ServiceHost> host_;
  std::thread thread_;
  asio::ip::tcp::endpoint endpoint_;
};

struct Target {
  asio::ip::tcp::endpoint server;
  std::optional<asio::ip::address> source;
  std::string authority;
  std::vector<Object> objects;
};

Expected<Timing, std::string> timing_of(const Object& o, const FetchResult& r, Clock::time_point start) {
  if (r.status != http::Status::ok)
    return Unexpected(fmt::format("{}: status {}", o.path, http::to_int(r.status)));
  if (r.body.size() != o.size)
    return Unexpected(fmt::format("{}: {} bytes, not {}", o.path, r.body.size(), o.size));
  return Timing{ms_since(r.first_byte, start), ms_since(r.done, start), r.body.size()};
}

awaitable<Expected<std::vector<Timing>, std::string>> http11_serial(const Target& t) {
  auto conn = co_await HttpConnection::open(t.server, kTimeout, t.source);
  if (!conn) co_return Unexpected(conn.error());
  std::vector<Timing> out;
  const Clock::time_point start = Clock::now();
  for (std::size_t i = 0; i < t.objects.size(); ++i) {
    const bool last = i + 1 == t.objects.size();
    auto res = co_await (*conn)->get(t.objects[i].path, t.authority, !last, kTimeout);
    if (!res) co_return Unexpected(t.objects[i].path + ": " + res.error());
    auto timing = timing_of(t.objects[i], *res, start);
    if (!timing) co_return Unexpected(timing.error());
    out.push_back(*timing);
  }
  co_return out;
}

awaitable<Expected<std::vector<Timing>, std::string>> http11_pipelined(const Target& t) {
  auto conn = co_await HttpConnection::open(t.server, kTimeout, t.source);
  if (!conn) co_return Unexpected(conn.error());
  std::vector<std::string> paths;
  for (const auto& o : t.objects) paths.push_back(o.path);
  const Clock::time_point start = Clock::now();
  auto sent = co_await (*conn)->send_pipelined(paths, t.authority, kTimeout);
  if (!sent) co_return Unexpected(sent.error());
  std::vector<Timing> out;
  for (const auto& o : t.objects) {
    auto res = co_await (*conn)->read_response("GET", true, start, kTimeout);
    if (!res) co_return Unexpected(o.path + ": " + res.error());
    auto timing = timing_of(o, *res, start);
    if (!timing) co_return Unexpected(timing.error());
    out.push_back(*timing);
  }
  (*conn)->close();
  co_return out;
}

// The client's side of the HTTP/2 run: when each stream's head and last byte arrived.
class H2Recorder final : public http2::ClientHandler {
 public:
  struct Stream {
    std::size_t index = 0;
    int status = 0;
    std::uint64_t bytes = 0;
    Clock::time_point first, last;
    bool done = false;
    bool failed = false;
  };

  std::unordered_map<std::uint32_t, Stream> streams;
  std::size_t finished = 0;

  void on_response(std::uint32_t id, int status, std::span<const http2::hpack::HeaderField>,
                   bool end_stream) override {
    Stream* s = find(id);
    if (!s || status < 200) return;
    s->status = status;
    s->first = Clock::now();
    if (end_stream) end(*s);
  }
  void on_data(std::uint32_t id, std::string_view data, bool end_stream) override {
    Stream* s = find(id);
    if (!s) return;
    s->bytes += data.size();
    if (end_stream) end(*s);
  }
  void on_reset(std::uint32_t id, http2::ErrorCode) override {
    Stream* s = find(id);
    if (!s || s->done) return;
    s->failed = true;
    end(*s);
  }

 private:
  Stream* find(std::uint32_t id) {
    auto it = streams.find(id);
    return it == streams.end() ? nullptr : &it->second;
  }
  void end(Stream& s) {
    if (s.done) return;
    s.done = true;
    s.last = Clock::now();
    ++finished;
  }
};

// h2c with prior knowledge (RFC 9113 §3.3): the sans-I/O http2::ClientConnection over one socket; every
// request goes in the first flight, large first.
awaitable<Expected<std::vector<Timing>, std::string>> http2_streams(const Target& t) {
  std::optional<asio::ip::address> source = t.source;
  if (source && source->is_v4() != t.server.address().is_v4()) source.reset();
  const core::Dialer dialer(core::DialOptions{kTimeout, source, true});
  auto connected = co_await dialer.connect(t.server);
  if (!connected) co_return Unexpected(connected.error().message);
  asio::ip::tcp::socket socket = std::move(*connected);
  H2Recorder rec;
  http2::ClientConnection h2(http2::ClientConfig{}, rec);
  const Clock::time_point start = Clock::now();
  for (std::size_t i = 0; i < t.objects.size(); ++i) {
    const http2::hpack::FieldView pseudo[] = {{":method", "GET", false},
                                              {":scheme", "http", false},
                                              {":authority", t.authority, false},
                                              {":path", t.objects[i].path, false}};
    auto id = h2.request(pseudo, {}, true);
    if (!id) co_return Unexpected(std::string("the HTTP/2 connection would not open a stream"));
    rec.streams[*id].index = i;
  }
  std::string out;
  std::vector<char> in(64 * 1024);
  while (rec.finished < t.objects.size()) {
    out.clear();
    h2.take_output(out);
    if (!out.empty()) {
      auto wrote =
          co_await core::with_timeout(asio::async_write(socket, asio::buffer(out), use_nothrow), kTimeout);
      if (!wrote || std::get<0>(*wrote)) co_return Unexpected(std::string("HTTP/2: sending failed"));
    }
    if (h2.failed()) co_return Unexpected("HTTP/2: " + std::string(h2.error_reason()));
    auto r = co_await core::with_timeout(socket.async_read_some(asio::buffer(in), use_nothrow), kTimeout);
    if (!r) co_return Unexpected(std::string("HTTP/2: timed out"));
    auto [ec, n] = *r;
    if (ec) co_return Unexpected("HTTP/2: " + ec.message());
    h2.receive(std::string_view(in.data(), n));
  }
  h2.shutdown();
  out.clear();
  h2.take_output(out);
  co_await core::with_timeout(asio::async_write(socket, asio::buffer(out), use_nothrow), kTimeout);
  boost::system::error_code ignored;
  socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  std::vector<Timing> timings(t.objects.size());
  for (const auto& [id, s] : rec.streams) {
    const Object& o = t.objects[s.index];
    if (s.failed || s.status != 200)
      co_return Unexpected(fmt::format("{}: over HTTP/2, status {}", o.path, s.status));
    if (s.bytes != o.size)
      co_return Unexpected(fmt::format("{}: {} bytes over HTTP/2, not {}", o.path, s.bytes, o.size));
    timings[s.index] = Timing{ms_since(s.first, start), ms_since(s.last, start), s.bytes};
  }
  co_return timings;
}

// The model's finishing times (ms): in order, one after the other.
std::vector<double> model_in_order(const std::vector<Object>& objects, std::uint64_t rate) {
  std::vector<double> out;
  std::uint64_t sent = 0;
  for (const auto& o : objects) {
    sent += o.size;
    out.push_back(1000.0 * static_cast<double>(sent) / static_cast<double>(rate));
  }
  return out;
}

// The model's finishing times (ms) over HTTP/2: a frame of at most `frame` bytes from each unfinished
// stream in turn, in request order.
std::vector<double> model_interleaved(const std::vector<Object>& objects, std::uint64_t rate,
                                      std::uint64_t frame) {
  std::vector<std::uint64_t> left;
  for (const auto& o : objects) left.push_back(o.size);
  std::vector<double> out(objects.size(), 0);
  std::uint64_t sent = 0;
  for (bool any = true; any;) {
    any = false;
    for (std::size_t i = 0; i < left.size(); ++i) {
      if (left[i] == 0) continue;
      const std::uint64_t n = std::min(left[i], frame);
      left[i] -= n;
      sent += n;
      any = true;
      if (left[i] == 0) out[i] = 1000.0 * static_cast<double>(sent) / static_cast<double>(rate);
    }
  }
  return out;
}

std::string rate_text(std::uint64_t rate) {
  if (rate % (1 << 20) == 0) return fmt::format("{} MiB/s", rate >> 20);
  if (rate % (1 << 10) == 0) return fmt::format("{} KiB/s", rate >> 10);
  return fmt::format("{} bytes/s", rate);
}

}  // namespace

awaitable<int> hol_experiment(const LabInfo& lab, const ExperimentOptions& options, std::ostream& out,
                              json::object& data) {
  const std::uint64_t rate = options.rate ? options.rate : kDefaultRate;
  // A second's worth at the rate for the large object (the effect is then plain to see), a hundredth of it
  // for each small one: at 1 MiB/s, 1 MiB and 10 KiB.
  const std::uint64_t large = std::clamp<std::uint64_t>(rate, 64 * 1024, 64ull << 20);
  const std::uint64_t small = std::max<std::uint64_t>(large / 100, 1024);
  std::vector<Object> objects{{"/large.bin", large}};
  for (int i = 1; i <= kSmallObjects; ++i) objects.push_back({fmt::format("/small{}.bin", i), small});

  const asio::ip::address address = lab.client_address().value_or(asio::ip::make_address("127.0.0.1"));
  auto server = RateLimitedServer::start(objects, address, rate);
  if (!server) {
    out << "hol: " << server.error() << "\n";
    co_return 1;
  }
  Target t;
  t.server = (*server)->endpoint();
  t.source = lab.client_address();
  t.authority = fmt::format("{}:{}", t.server.address().to_string(), t.server.port());
  t.objects = objects;

  struct Mode {
    std::string name, key;
    std::vector<Timing> timings;
    std::vector<double> model;
  };
  std::vector<Mode> modes;
  auto serial = co_await http11_serial(t);
  if (!serial) {
    out << "hol: HTTP/1.1 serial: " << serial.error() << "\n";
    co_return 1;
  }
  auto pipelined = co_await http11_pipelined(t);
  if (!pipelined) {
    out << "hol: HTTP/1.1 pipelined: " << pipelined.error() << "\n";
    co_return 1;
  }
  auto streams = co_await http2_streams(t);
  if (!streams) {
    out << "hol: HTTP/2: " << streams.error() << "\n";
    co_return 1;
  }
  modes.push_back({"HTTP/1.1 serial", "serial", std::move(*serial), model_in_order(objects, rate)});
  modes.push_back({"HTTP/1.1 pipelined", "pipelined", std::move(*pipelined), model_in_order(objects, rate)});
  modes.push_back({"HTTP/2", "h2", std::move(*streams), model_interleaved(objects, rate, kFrame)});

  out << fmt::format(
      "hol: one connection to a web server sending at R = {} (--limit-rate {}), {}:{}\n"
      "objects, requested in this order: {} ({} bytes), then {} small ones ({} bytes each)\n\n",
      rate_text(rate), rate, t.server.address().to_string(), t.server.port(), objects[0].path, large,
      kSmallObjects, small);
  Table table({"mode", "object", "bytes", "first byte ms", "done ms", "model ms", "model"});
  json::array modes_json;
  for (const Mode& m : modes) {
    json::array objs;
    for (std::size_t i = 0; i < objects.size(); ++i) {
      const Timing& tm = m.timings[i];
      std::string formula;
      if (m.key == "h2") {
        // Each small object fits in one frame (at the default rate): it goes out whole in its turn.
        formula = i == 0            ? "(L_big + 3 L_small)/R"
                  : small <= kFrame ? fmt::format("(F + {} L_small)/R", i)
                                    : std::string("frames in turn, F each");
      } else {
        formula = i == 0 ? "L_big/R" : fmt::format("(L_big + {} L_small)/R", i);
      }
      table.add({i == 0 ? m.name : std::string(), objects[i].path, std::to_string(tm.bytes),
                 ms(tm.first_byte_ms), ms(tm.last_byte_ms), ms(m.model[i]), formula});
      objs.push_back(json::object{{"path", objects[i].path},
                                  {"bytes", tm.bytes},
                                  {"first_byte_ms", tm.first_byte_ms},
                                  {"last_byte_ms", tm.last_byte_ms},
                                  {"model_ms", m.model[i]}});
    }
    modes_json.push_back(
        json::object{{"name", m.name}, {"key", m.key}, {"connections", 1}, {"objects", std::move(objs)}});
  }
  out << table.render();

  auto last_small = [](const Mode& m) {
    double x = 0;
    for (std::size_t i = 1; i < m.timings.size(); ++i) x = std::max(x, m.timings[i].last_byte_ms);
    return x;
  };
  auto first_small = [](const Mode& m) {
    double x = m.timings.size() > 1 ? m.timings[1].last_byte_ms : 0;
    for (std::size_t i = 1; i < m.timings.size(); ++i) x = std::min(x, m.timings[i].last_byte_ms);
    return x;
  };
  const Mode& h2 = modes[2];
  bool h1_blocked = true, h2_free = true;
  for (std::size_t k = 0; k < 2; ++k) {
    h1_blocked = h1_blocked && first_small(modes[k]) >= modes[k].timings[0].last_byte_ms;
  }
  h2_free = last_small(h2) < h2.timings[0].last_byte_ms;
  out << fmt::format(
      "\nOver HTTP/1.1 the responses leave in the order asked, so the small objects wait behind the large "
      "one\n"
      "(head-of-line blocking): they are done after {} ms serially, {} ms pipelined, about L_big/R = {} ms.\n"
      "Over HTTP/2 the server interleaves the streams' DATA frames, F = {} bytes at a time: the small "
      "objects\n"
      "are done after {} ms, the large one after {} ms (model {} ms). Only transmission (L/R) is modelled;\n"
      "loopback adds next to nothing, and the response heads are left out of L.\n",
      ms(last_small(modes[0])), ms(last_small(modes[1])), ms(modes[0].model[0]), kFrame, ms(last_small(h2)),
      ms(h2.timings[0].last_byte_ms), ms(h2.model[0]));
  data["rate"] = rate;
  data["frame_bytes"] = kFrame;
  data["large_bytes"] = large;
  data["small_bytes"] = small;
  data["server"] = json::object{{"address", t.server.address().to_string()}, {"port", t.server.port()}};
  data["modes"] = std::move(modes_json);
  data["h2_small_first"] = h2_free;
  data["http11_small_after"] = h1_blocked;
  if (!h1_blocked || !h2_free) {
    out << "hol: the orderings are not the lecture's (HTTP/1.1 small after large, HTTP/2 small before it)\n";
    co_return 1;
  }
  co_return 0;
}

}  // namespace endhost::lab
