#include "http/client/page.hpp"

#include <fmt/format.h>
#include <chrono>
#include <cstdlib>
#include <deque>

#include "core/log.hpp"
#include "http/client/fetch_support.hpp"
#include "http/client/http_client.hpp"
#include "http/client/page_links.hpp"
#include "http/client/proxy_env.hpp"

namespace endhost::http {

namespace {

constexpr std::size_t kMaxPage = 8 * 1024 * 1024;  // the base HTML kept for link extraction

struct ObjectResult {
  std::string url;
  unsigned status = 0;
  std::uint64_t bytes = 0;
  double seconds = 0;
  bool new_connection = false;
  std::string error;
};

// Counts the parallel workers still running; the last one to finish wakes the page's coroutine.
// A named handler rather than a capturing lambda: GCC 12 mis-handles lambda captures made inside a
// coroutine body, which freed the counter while workers still held it.
struct WorkersLeft {
  std::size_t count;
  asio::steady_timer* done;
};

struct WorkerDone {
  WorkersLeft* left;
  void operator()(const std::exception_ptr&) const {
    if (--left->count == 0) left->done->cancel();
  }
};

struct Mode {
  bool persistent = true;
  std::size_t parallel = 1;
  std::string name;
  bool h2 = false;  // every object a stream of one HTTP/2 connection (RFC 9113 §5: multiplexing)
};

Expected<Mode, std::string> parse_mode(const std::string& m) {
  if (m == "persistent") return Mode{true, 1, m};
  if (m == "non-persistent") return Mode{false, 1, m};
  // As many requests in flight as a browser would open streams (the server's limit still applies).
  if (m == "h2") return Mode{true, 100, m, true};
  if (m.rfind("parallel=", 0) == 0) {
    const std::string n = m.substr(9);
    char* end = nullptr;
    const long v = std::strtol(n.c_str(), &end, 10);
    if (n.empty() || *end != '\0' || v < 1 || v > 64)
      return Unexpected(std::string("parallel=N needs N from 1 to 64"));
    return Mode{false, static_cast<std::size_t>(v), m};
  }
  return Unexpected("--mode must be non-persistent, persistent, parallel=N or h2 (not '" + m + "')");
}

class PageRun {
 public:
  // `proxy`: where every request goes (the objects share the page's origin, so one choice serves all).
  PageRun(const FetchOptions& o, const Mode& mode, HttpClient& client, const RequestTemplate& tpl,
          std::optional<Url> proxy)
      : o_(o), mode_(mode), client_(client), tpl_(tpl), proxy_(std::move(proxy)) {}

  awaitable<ObjectResult> get(const Url& url, std::string* keep_body) {
    ObjectResult r;
    r.url = url.to_string();
    std::string* const keep = keep_body;  // not the parameter itself in the lambda (GCC 12 coroutine bug)
    Outgoing req;
    req.url = url;
    req.fields = tpl_.fields;
    req.keep_alive = mode_.persistent;
    req.proxy = proxy_;
    const auto opened_before = client_.pool().stats().opened;
    const auto start = std::chrono::steady_clock::now();
    const HeadHandler on_head = [&](const Incoming& in) {
      r.status = to_int(in.head.status);
      return true;
    };
    const BodySink on_body = [&](std::string_view data) {
      r.bytes += data.size();
      if (keep && keep->size() + data.size() <= kMaxPage) keep->append(data);
      return true;
    };
    auto result = co_await client_.perform(req, on_head, on_body);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.new_connection = client_.pool().stats().opened > opened_before;
    if (!result) r.error = result.error().message;
    co_return r;
  }

  // One worker of parallel mode: takes the next object until none is left.
  awaitable<void> worker(std::deque<Url>& queue, std::vector<ObjectResult>& results) {
    while (!queue.empty()) {
      Url next = queue.front();
      queue.pop_front();
      ObjectResult result = co_await get(next, nullptr);
      results.push_back(std::move(result));
    }
  }

 private:
  const FetchOptions& o_;
  const Mode& mode_;
  HttpClient& client_;
  const RequestTemplate& tpl_;
  std::optional<Url> proxy_;
};

}  // namespace

awaitable<int> run_page(const FetchOptions& o, std::ostream& out, std::ostream& err) {
  auto mode = parse_mode(o.mode);
  if (!mode) {
    err << "endhost fetch: " << mode.error() << "\n";
    co_return 2;
  }
  auto base = parse_url(o.url);
  if (!base) {
    err << "endhost fetch: " << base.error() << "\n";
    co_return fetch_exit::bad_url;
  }
  auto tpl = build_template(o);
  if (!tpl) {
    err << "endhost fetch: " << tpl.error() << "\n";
    co_return fetch_exit::failed;
  }
  // -x, --noproxy and the environment, as for a single fetch.
  auto proxy = choose_proxy(*base, o.proxy, o.no_proxy, [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    return v ? std::optional<std::string>(v) : std::nullopt;
  });
  if (!proxy) {
    err << "endhost fetch: " << proxy.error() << "\n";
    co_return fetch_exit::failed;
  }
  if (o.verbose && *proxy) err << "* via proxy " << (*proxy)->host_port() << "\n";
  PoolOptions pool;
  pool.connect_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::duration<double>(o.connect_timeout));
  pool.resolver = o.resolver;
  pool.pinned = o.pinned;
  if (auto tls = core::TlsClientContext::make(core::TlsClientOptions{o.insecure, o.cacert}); !tls) {
    err << "endhost fetch: " << tls.error() << "\n";
    co_return fetch_exit::cacert;
  } else {
    pool.tls = std::move(*tls);
  }
  ExchangeOptions exchange;
  VerboseSink verbose(err);
  if (o.verbose) exchange.transcript = core::Transcript(&verbose, "fetch");
  // h2: HTTP/2 by ALPN for https and by prior knowledge in clear; the other modes are HTTP/1.1's.
  if (mode->h2) exchange.http2 = Http2Mode::prior_knowledge;
  const auto executor = co_await asio::this_coro::executor;
  HttpClient client(executor, pool, exchange);
  PageRun run(o, *mode, client, *tpl, *proxy);

  const auto start = std::chrono::steady_clock::now();
  std::string html;
  std::vector<ObjectResult> results;
  ObjectResult page = co_await run.get(*base, &html);
  results.push_back(std::move(page));
  if (!results.front().error.empty()) {
    err << "endhost fetch: " << results.front().error << "\n";
    co_return fetch_exit::failed;
  }
  // The objects on the same server; others would need connections the comparison is not about.
  std::deque<Url> objects;
  std::size_t skipped = 0;
  for (const std::string& link : page_links(html)) {
    auto url = resolve_url(*base, link);
    if (!url || url->origin() != base->origin()) {
      ++skipped;
      continue;
    }
    objects.push_back(*url);
  }
  if (mode->parallel <= 1) {
    while (!objects.empty()) {
      Url next = objects.front();
      objects.pop_front();
      ObjectResult result = co_await run.get(next, nullptr);
      results.push_back(std::move(result));
    }
  } else {
    // N workers on one event loop: up to N exchanges (and so N connections) in flight at once.
    const std::size_t workers = std::min(mode->parallel, objects.size());
    std::vector<ObjectResult> parallel_results;
    asio::steady_timer done(executor, std::chrono::steady_clock::time_point::max());
    WorkersLeft left{workers, &done};
    for (std::size_t i = 0; i < workers; ++i)
      asio::co_spawn(executor, run.worker(objects, parallel_results), WorkerDone{&left});
    if (left.count > 0) co_await done.async_wait(use_nothrow);
    results.insert(results.end(), parallel_results.begin(), parallel_results.end());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::uint64_t bytes = 0;
  std::size_t errors = 0;
  for (const auto& r : results) {
    bytes += r.bytes;
    if (!r.error.empty() || r.status >= 400) ++errors;
  }
  const auto connections = client.pool().stats().opened;
  if (o.json) {
    std::string j = fmt::format(
        "{{\"url\":\"{}\",\"mode\":\"{}\",\"connections\":{},\"requests\":{},\"objects\":{},"
        "\"skipped_other_servers\":{},\"bytes\":{},\"seconds\":{:.6f},\"errors\":{},\"fetches\":[",
        "", mode->name, connections, results.size(), results.size() - 1, skipped, bytes, seconds, errors);
    std::string url_json;
    core::append_json_escaped(url_json, base->to_string());
    j.replace(j.find("\"url\":\"\"") + 7, 0, url_json);
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      std::string u, e;
      core::append_json_escaped(u, r.url);
      core::append_json_escaped(e, r.error);
      j += fmt::format(
          "{}{{\"url\":\"{}\",\"status\":{},\"bytes\":{},\"seconds\":{:.6f},\"new_connection\":{}{}}}",
          i ? "," : "", u, r.status, r.bytes, r.seconds, r.new_connection ? "true" : "false",
          r.error.empty() ? "" : ",\"error\":\"" + e + "\"");
    }
    j += "]}\n";
    out << j;
  } else {
    out << fmt::format("page        {}\nmode        {}\n", base->to_string(), mode->name);
    for (const auto& r : results)
      out << fmt::format("  {:>3}  {:>9} B  {:>8.3f} s  {}  {}{}\n", r.status, r.bytes, r.seconds,
                         r.new_connection ? "new connection " : "same connection", r.url,
                         r.error.empty() ? "" : "  (" + r.error + ")");
    out << fmt::format("objects     {} (+ the page itself){}\n", results.size() - 1,
                       skipped ? fmt::format(", {} on other servers skipped", skipped) : std::string());
    out << fmt::format("requests    {}\nconnections {}\nbytes       {}\ntime        {:.3f} s\n",
                       results.size(), connections, bytes, seconds);
  }
  co_return errors ? fetch_exit::http : fetch_exit::ok;
}

}  // namespace endhost::http
