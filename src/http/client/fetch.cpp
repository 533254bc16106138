#include "http/client/fetch.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/run_client.hpp"
#include "core/timeout.hpp"
#include "core/transcript.hpp"
#include "http/cache/entry.hpp"
#include "http/cache/hop_by_hop.hpp"
#include "http/cache/invalidation.hpp"
#include "http/cache/reuse.hpp"
#include "http/cache/storability.hpp"
#include "http/cache/store.hpp"
#include "http/cache/validation.hpp"
#include "http/client/content_decoder.hpp"
#include "http/client/cookie_jar.hpp"
#include "http/client/fetch_support.hpp"
#include "http/client/http_client.hpp"
#include "http/client/page.hpp"
#include "http/client/proxy_env.hpp"
#include "http/client/write_out.hpp"
#include "http/serializer.hpp"

namespace endhost::http {

namespace {

namespace fs = std::filesystem;

// Output of the body: a file or stdout, with the progress meter.
class Output {
 public:
  ~Output() { close(); }
  bool open(const std::string& path, bool append) {
    if (path.empty()) {
      file_ = stdout;
      return true;
    }
    file_ = std::fopen(path.c_str(), append ? "ab" : "wb");
    owned_ = file_ != nullptr;
    error_ = file_ ? 0 : errno;
    return file_ != nullptr;
  }
  // Why open() failed: "No such file or directory".
  std::string reason() const { return std::strerror(error_); }
  bool write(std::string_view data) {
    if (!file_ || data.empty()) return true;
    return std::fwrite(data.data(), 1, data.size(), file_) == data.size();
  }
  bool close() {
    bool ok = true;
    if (file_) ok = std::fflush(file_) == 0;
    if (owned_) ok = std::fclose(file_) == 0 && ok;
    file_ = nullptr;
    owned_ = false;
    return ok;
  }
  bool is_open() const { return file_ != nullptr; }

 private:
  std::FILE* file_ = nullptr;
  bool owned_ = false;
  int error_ = 0;
};

double seconds_between(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// One command's fetches: the connection pool, cookie jar, local cache and -D file are shared by its URLs;
// run() fetches `options.url` (each URL in turn) with them.
class Fetch {
 public:
  Fetch(const FetchOptions& o, std::ostream& out, std::ostream& err) : o_(&o), out_(out), err_(err) {}
  awaitable<int> run(const FetchOptions& options);
  // -w: what the last run() measured, formatted (unknown variables warned about once, as curl does).
  void write_out();
  // Writes the cookie jar (-c) once the transfer ended, however it ended — an answer from the local cache,
  // a redirect limit, a transport error or --max-time — as curl does; cookies received before a failure are
  // kept. Returns `code`, or the write error when the transfer itself succeeded.
  int save_cookies(int code);

 private:
  int fail(int code, const std::string& message) {
    if (!o_->silent || o_->show_error || o_->verbose) err_ << "endhost fetch: " << message << "\n";
    return code;
  }
  awaitable<int> transfer();
  awaitable<Expected<void, int>> start_command();
  void dump_head(std::string_view head);
  int client_error(const ClientError& e, bool after_head) {
    switch (e.code) {
      case ClientErrc::dns:
        return fail(fetch_exit::dns, e.message);
      case ClientErrc::connect:
        return fail(fetch_exit::connect, e.message);
      case ClientErrc::timeout:
        return fail(fetch_exit::timeout, e.message);
      case ClientErrc::protocol:
        return fail(fetch_exit::protocol, e.message);
      case ClientErrc::send:
        return fail(fetch_exit::send, e.message);
      case ClientErrc::tls:
        return fail(fetch_exit::tls, e.message);
      case ClientErrc::certificate:
        return fail(fetch_exit::certificate, e.message);
      case ClientErrc::closed:
        return fail(after_head ? fetch_exit::partial : fetch_exit::empty, e.message);
      default:
        return fail(fetch_exit::failed, e.message);
    }
  }
  awaitable<int> serve_from_cache(const cache::Found& found, const char* why);

  const FetchOptions* o_;
  std::ostream& out_;
  std::ostream& err_;
  bool started_ = false;
  std::unique_ptr<HttpClient> client_;
  std::unique_ptr<VerboseSink> verbose_sink_;
  Output dump_;  // -D FILE (stdout for "-")
  bool dump_open_ = false;
  bool warned_write_out_ = false;
  // -w: this transfer's facts.
  std::chrono::steady_clock::time_point started_at_, head_at_;
  std::uint64_t connects_before_ = 0, received_ = 0;
  WriteOutValues facts_;
  CookieJar jar_;
  bool jar_loaded_ = false;  // -b was read: only then may -c overwrite a file (it may be the -b file)
  std::unique_ptr<cache::Store> store_;
  Output output_;
  std::unique_ptr<ContentDecoder> decoder_;
  ProgressMeter progress_;
  std::string output_path_;
  std::string literal_cookie_;  // -b 'name=value'
};

awaitable<int> Fetch::serve_from_cache(const cache::Found& found, const char* why) {
  if (o_->verbose) err_ << "* served from the cache (" << why << ")\n";
  const cache::Object& obj = *found.object;
  std::string body;
  if (found.memory_body) {
    body = *found.memory_body;
  } else {
    std::ifstream in(obj.path(), std::ios::binary);
    in.seekg(static_cast<std::streamoff>(obj.body_offset()));
    body.resize(obj.body_size());
    in.read(body.data(), static_cast<std::streamsize>(body.size()));
    if (!in) co_return fail(fetch_exit::failed, "cannot read the cached copy of " + o_->url);
  }
  if (!output_.open(output_path_, false))
    co_return fail(fetch_exit::write, "cannot write " + output_path_ + ": " + output_.reason());
  if (o_->include || o_->head) {
    std::string head = obj.head();
    append_field(head, "Content-Length", std::to_string(obj.body_size()));
    append_end_of_head(head);
    output_.write(head);
  }
  if (!o_->head) {
    std::string decoded;
    if (o_->compressed) {
      auto d = make_content_decoder(obj.meta().fields.get("content-encoding").value_or(""));
      if (!d) co_return fail(fetch_exit::failed, d.error());
      if (*d) {
        if (auto ok = (*d)->decode(body, decoded); !ok) co_return fail(fetch_exit::failed, ok.error());
        if (auto ok = (*d)->finish(decoded); !ok) co_return fail(fetch_exit::failed, ok.error());
        body.swap(decoded);
      }
    }
    if (!output_.write(body)) co_return fail(fetch_exit::write, "cannot write the output");
  }
  if (!output_.close()) co_return fail(fetch_exit::write, "cannot write the output");
  facts_.http_code = to_int(obj.info().status);
  received_ = obj.body_size();
  co_return facts_.http_code >= 400 && (o_->fail || o_->fail_with_body) ? fetch_exit::http : fetch_exit::ok;
}

awaitable<int> Fetch::run(const FetchOptions& options) {
  o_ = &options;
  output_path_.clear();
  decoder_.reset();
  progress_ = ProgressMeter{};
  facts_ = WriteOutValues{};
  facts_.url_effective = o_->url;
  received_ = 0;
  started_at_ = std::chrono::steady_clock::now();
  head_at_ = {};
  if (!started_) {
    auto ok = co_await start_command();
    if (!ok) co_return ok.error();
    started_ = true;
  }
  started_at_ = std::chrono::steady_clock::now();  // after the trust store was loaded, as curl's clock
  connects_before_ = client_->pool().stats().opened;
  co_return co_await transfer();
}

// What every URL of the command shares, set up once before the first: the cookie jar (-b), the local
// cache, the -D file, the trust store and the connection pool.
awaitable<Expected<void, int>> Fetch::start_command() {
  CookieJar& jar = jar_;
  const auto now_s = [] { return static_cast<std::int64_t>(std::time(nullptr)); };
  if (!o_->cookie_in.empty()) {
    std::ifstream in(o_->cookie_in, std::ios::binary);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      jar.load_netscape(ss.str(), now_s());
    } else if (o_->cookie_in.find('=') != std::string::npos) {
      literal_cookie_ = o_->cookie_in;  // curl: -b 'name=value' sends it as is
    }
    // curl: a -b file that does not exist is not an error (it starts the cookie engine).
  }
  jar_loaded_ = true;
  if (!o_->cache_dir.empty()) {
    cache::StoreOptions so;
    so.dir = o_->cache_dir;
    auto opened = cache::Store::open(so);
    if (!opened) co_return Unexpected(fail(fetch_exit::failed, "--cache: " + opened.error()));
    store_ = std::move(*opened);
  }
  if (!o_->dump_header.empty()) {
    if (!dump_.open(o_->dump_header == "-" ? "" : o_->dump_header, false))
      co_return Unexpected(
          fail(fetch_exit::write, "cannot write " + o_->dump_header + ": " + dump_.reason()));
    dump_open_ = true;
  }
  PoolOptions pool;
  pool.connect_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::duration<double>(o_->connect_timeout));
  pool.resolver = o_->resolver;
  pool.pinned = o_->pinned;
  // The trust store is loaded once, before the first request (a redirect may lead to https).
  if (auto tls = core::TlsClientContext::make(core::TlsClientOptions{o_->insecure, o_->cacert}); !tls)
    co_return Unexpected(fail(fetch_exit::cacert, tls.error()));
  else
    pool.tls = std::move(*tls);
  ExchangeOptions exchange;
  exchange.response_timeout = std::chrono::minutes(5);
  exchange.read_timeout = std::chrono::minutes(5);
  verbose_sink_ = std::make_unique<VerboseSink>(err_);
  if (o_->verbose) exchange.transcript = core::Transcript(verbose_sink_.get(), "fetch");
  exchange.http2 = o_->http2_prior_knowledge ? Http2Mode::prior_knowledge
                   : o_->http2               ? Http2Mode::alpn
                                             : Http2Mode::off;
  const auto executor = co_await asio::this_coro::executor;
  client_ = std::make_unique<HttpClient>(executor, pool, exchange);
  co_return Expected<void, int>{};
}

void Fetch::dump_head(std::string_view head) {
  if (dump_open_) dump_.write(head);
}

void Fetch::write_out() {
  if (o_->write_out.empty()) return;
  facts_.num_connects = client_ ? client_->pool().stats().opened - connects_before_ : 0;
  if (facts_.num_connects > 0 && client_)
    facts_.time_connect = seconds_between(started_at_, client_->pool().stats().last_connected);
  facts_.time_total = seconds_between(started_at_, std::chrono::steady_clock::now());
  facts_.time_starttransfer =
      head_at_ == std::chrono::steady_clock::time_point{} ? 0 : seconds_between(started_at_, head_at_);
  facts_.size_download = received_;
  std::vector<std::string> unknown;
  std::fflush(stdout);
  out_ << render_write_out(o_->write_out, facts_, &unknown) << std::flush;
  if (!warned_write_out_)
    for (const auto& name : unknown)
      err_ << "endhost fetch: unknown --write-out variable: '" << name << "'\n";
  warned_write_out_ = true;
}

awaitable<int> Fetch::transfer() {
  auto parsed = parse_url(o_->url);
  if (!parsed) co_return fail(fetch_exit::bad_url, parsed.error());
  Url url = *parsed;

  // What to send.
  RequestTemplate tpl;
  if (auto t = build_template(*o_); !t)
    co_return fail(fetch_exit::failed, t.error());
  else
    tpl = std::move(*t);

  CookieJar& jar = jar_;
  const std::string& literal_cookie = literal_cookie_;
  const auto now_s = [] { return static_cast<std::int64_t>(std::time(nullptr)); };
  output_path_ = o_->output;
  if (o_->remote_name) {
    std::string_view path = url.path();
    std::string name(path.substr(path.rfind('/') + 1));
    if (name.empty()) co_return fail(fetch_exit::write, "-O: the URL has no file name (use -o FILE)");
    output_path_ = name;
  }
  std::uint64_t resume_from = 0;
  if (o_->resume) {
    if (output_path_.empty()) co_return fail(fetch_exit::failed, "-C - needs an output file (-o or -O)");
    std::error_code ec;
    if (fs::exists(output_path_, ec)) resume_from = fs::file_size(output_path_, ec);
  }

  HttpClient& client = *client_;

  std::string method = tpl.method;
  std::string body = tpl.body;
  for (int redirects = 0;; ++redirects) {
    Outgoing req;
    req.method = method;
    req.url = url;
    facts_.url_effective = url.to_string();
    req.body = body;
    req.fields = tpl.fields;
    if (tpl.basic_auth.empty() && !url.userinfo.empty())
      req.fields.add("Authorization", basic_auth(url.userinfo));
    if (!tpl.basic_auth.empty() && !tpl.auth_host.empty() && tpl.auth_host == url.host)
      req.fields.add("Authorization", tpl.basic_auth);
    std::string cookies = jar.header_for(url, now_s());
    if (!literal_cookie.empty()) cookies = cookies.empty() ? literal_cookie : cookies + "; " + literal_cookie;
    if (!cookies.empty()) req.fields.add("Cookie", cookies);
    if (resume_from > 0) req.fields.set("Range", "bytes=" + std::to_string(resume_from) + "-");
    auto proxy =
        choose_proxy(url, o_->proxy, o_->no_proxy, [](const char* name) -> std::optional<std::string> {
          const char* v = std::getenv(name);
          return v ? std::optional<std::string>(v) : std::nullopt;
        });
    if (!proxy) co_return fail(fetch_exit::failed, proxy.error());
    req.proxy = *proxy;
    if (o_->verbose)
      err_ << "* " << (req.proxy ? "via proxy " + req.proxy->host_port() : "connecting to " + url.host_port())
           << "\n";

    // The local cache (RFC 9111 as the proxy applies it): fresh → no request at all; stale → conditional.
    cache::Found found;
    const bool cacheable = store_ && method == "GET" && resume_from == 0;
    const std::string key = cache::cache_key(url);
    if (cacheable) {
      found = store_->find(key, req.fields);
      // A partial response a reverse proxy stored in this directory (RFC 9111 §3.3) is not the file.
      if (found.object && found.object->info().status == Status::partial_content) found = {};
      if (found.object) {
        const cache::CacheControl req_cc = cache::parse_cache_control(req.fields);
        const auto d = cache::decide_reuse(found.object->info(), req_cc, cache::from_time_t(now_s()));
        if (d.action == cache::Reuse::fresh || d.action == cache::Reuse::stale_ok)
          co_return co_await serve_from_cache(found, "fresh");
        if (!cache::add_validators(req.fields, found.object->meta().fields)) found = {};
      }
    }

    std::optional<Url> redirect_to;
    int status_code = 0;
    bool not_modified = false;
    cache::ObjectWriter writer;
    bool storing = false;
    std::string write_error;
    const cache::Time request_time = cache::from_time_t(now_s());
    auto on_head = [&](const Incoming& in) -> bool {
      status_code = to_int(in.head.status);
      facts_.http_code = status_code;
      head_at_ = std::chrono::steady_clock::now();
      if (dump_open_) {
        std::string head;
        append_status_line(head, in.head.version, in.head.status, in.head.reason);
        append_fields(head, in.head.fields);
        append_end_of_head(head);
        dump_head(head);
      }
      for (const Field& f : in.head.fields)
        if (iequals(f.name, "set-cookie")) {
          std::string why;
          if (!jar.set(f.value, url, now_s(), &why) && o_->verbose)
            err_ << "* cookie ignored: " << why << "\n";
        }
      if (o_->follow && status_code >= 300 && status_code < 400 && status_code != 304) {
        if (auto loc = in.head.fields.get("location")) {
          auto next = resolve_url(url, *loc);
          if (next) {
            redirect_to = *next;
            return false;
          }
        }
      }
      if (status_code == 304 && found.object) {
        not_modified = true;
        return true;
      }
      if (status_code >= 400 && o_->fail) return false;  // curl -f: no body, exit 22
      const bool append = resume_from > 0 && status_code == 206;
      if (resume_from > 0 && status_code == 200 && o_->verbose)
        err_ << "* the server ignored the range: downloading the whole file again\n";
      if (resume_from > 0 && status_code == 416) return false;  // nothing left to fetch
      if (!output_.open(output_path_, append)) {
        write_error = "cannot write " + output_path_ + ": " + output_.reason();
        return false;
      }
      if (o_->include || o_->head) {
        std::string head;
        append_status_line(head, in.head.version, in.head.status, in.head.reason);
        append_fields(head, in.head.fields);
        append_end_of_head(head);
        output_.write(head);
      }
      if (o_->compressed) {
        auto d = make_content_decoder(in.head.fields.get("content-encoding").value_or(""));
        if (!d) {
          write_error = d.error();
          return false;
        }
        decoder_ = std::move(*d);
      }
      if (cacheable && !o_->head) {
        auto plan =
            plan_fetch_store(*store_, key, req.fields, in.head, request_time, cache::from_time_t(now_s()));
        if (plan) {
          writer = std::move(*plan);
          storing = true;
        } else if (o_->verbose) {
          err_ << "* not stored in the cache: " << plan.error() << "\n";
        }
      }
      std::optional<std::uint64_t> total;
      if (auto cl = in.head.fields.get("content-length"))
        total = std::strtoull(std::string(*cl).c_str(), nullptr, 10);
      progress_.start(total,
                      !o_->silent && !o_->verbose && ::isatty(2) && (!output_path_.empty() || !::isatty(1)));
      return !o_->head;
    };
    std::string decoded;
    auto on_body = [&](std::string_view data) -> bool {
      progress_.add(data.size());
      received_ += data.size();
      if (storing && !writer.append(data)) storing = false;
      if (not_modified) return true;
      if (!decoder_) return output_.write(data) || (write_error = "cannot write the output", false);
      decoded.clear();
      if (auto ok = decoder_->decode(data, decoded); !ok) {
        write_error = ok.error();
        return false;
      }
      return output_.write(decoded) || (write_error = "cannot write the output", false);
    };
    auto result = co_await client.perform(req, on_head, on_body);
    progress_.finish();
    if (!write_error.empty()) co_return fail(fetch_exit::write, write_error);
    if (!result) co_return client_error(result.error(), status_code != 0);
    if (redirect_to) {
      if (redirects >= o_->max_redirs)
        co_return fail(fetch_exit::redirects, "more than " + std::to_string(o_->max_redirs) + " redirects");
      if (o_->verbose) err_ << "* following the redirect to " << redirect_to->to_string() << "\n";
      // RFC 9110 §15.4: 303 always becomes GET; 301 and 302 turn POST into GET as browsers (and curl) do.
      if (status_code == 303 || ((status_code == 301 || status_code == 302) && method == "POST")) {
        if (method != "HEAD") method = "GET";
        body.clear();
        tpl.fields.erase("content-type");
      }
      url = *redirect_to;
      continue;
    }
    if (not_modified) {
      auto old = found.object;
      cache::ObjectMeta meta = old->meta();
      std::vector<FieldView> views;
      for (const Field& f : result->head.fields) views.push_back({f.name, f.value});
      meta.fields = cache::freshen_fields(old->meta().fields, FieldsView(views));
      meta.request_time = request_time;
      meta.response_time = cache::from_time_t(now_s());
      auto fresh = store_->freshen(old, std::move(meta));
      if (o_->verbose) err_ << "* 304 Not Modified: the cached copy is still good\n";
      cache::Found f = store_->find(key, req.fields);
      if (!f.object) f = found;
      co_return co_await serve_from_cache(f, "revalidated");
    }
    if (decoder_) {
      decoded.clear();
      if (auto ok = decoder_->finish(decoded); !ok) co_return fail(fetch_exit::failed, ok.error());
      output_.write(decoded);
    }
    if (!output_.close()) co_return fail(fetch_exit::write, "cannot write the output");
    if (storing) {
      auto committed = store_->commit(std::move(writer));
      if (!committed && o_->verbose) err_ << "* cache write failed: " << committed.error() << "\n";
    }
    if (resume_from > 0 && status_code == 416) {
      if (o_->verbose) err_ << "* the file is already complete\n";
      co_return fetch_exit::ok;
    }
    if (status_code >= 400 && (o_->fail || o_->fail_with_body)) {
      fail(fetch_exit::http,
           "the server answered " + std::to_string(status_code) + " " + result->head.reason);
      co_return fetch_exit::http;
    }
    co_return fetch_exit::ok;
  }
}

int Fetch::save_cookies(int code) {
  if (o_->cookie_out.empty() || !jar_loaded_) return code;
  std::ofstream out(o_->cookie_out, std::ios::binary | std::ios::trunc);
  out << jar_.save_netscape(static_cast<std::int64_t>(std::time(nullptr)));
  out.close();
  if (!out) {
    const int failed = fail(fetch_exit::write, "cannot write the cookie jar " + o_->cookie_out);
    return code == fetch_exit::ok ? failed : code;
  }
  return code;
}

}  // namespace

// curl assumes http:// for a URL given without a scheme ("127.0.0.1:8080/x", "www.lab/").
std::string with_scheme(const std::string& url) {
  return url.find("://") == std::string::npos ? "http://" + url : url;
}

int run_fetch(const FetchOptions& options, std::ostream& out, std::ostream& err) {
  // One set of options per URL, alive until the end: Fetch keeps a pointer to the current one.
  std::vector<FetchOptions> each;
  const std::vector<std::string> urls =
      options.urls.empty() ? std::vector<std::string>{options.url} : options.urls;
  for (std::size_t i = 0; i < urls.size(); ++i) {
    FetchOptions one = options;
    one.url = with_scheme(urls[i]);
    if (!options.outputs.empty())
      one.output = i < options.outputs.size() ? options.outputs[i] : std::string();
    each.push_back(std::move(one));
  }
  return core::run_client(
      [&]() -> awaitable<int> {
        if (options.page) co_return co_await run_page(each.front(), out, err);
        Fetch fetch(each.front(), out, err);
        int code = fetch_exit::ok;
        for (const FetchOptions& one : each) {
          int result = fetch_exit::ok;
          if (options.max_time > 0) {
            // curl's --max-time bounds each transfer.
            auto r = co_await core::with_timeout(fetch.run(one),
                                                 std::chrono::duration_cast<std::chrono::milliseconds>(
                                                     std::chrono::duration<double>(options.max_time)));
            if (!r) {
              if (!options.silent || options.show_error)
                err << "endhost fetch: the whole operation took longer than --max-time\n";
              result = fetch_exit::timeout;
            } else {
              result = *r;
            }
          } else {
            result = co_await fetch.run(one);
          }
          fetch.write_out();
          if (result != fetch_exit::ok) code = result;
        }
        co_return fetch.save_cookies(code);
      },
      err, "endhost fetch");
}

}  // namespace endhost::http
