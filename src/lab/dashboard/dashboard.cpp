#include "lab/dashboard/dashboard.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>

#include "lab/dashboard/actions.hpp"
#include "lab/experiments/experiment.hpp"
#include "lab/network/link_pump.hpp"
#include "lab/network/links_api.hpp"
#include "lab/server_switch.hpp"

namespace endhost::lab {

namespace json = boost::json;

namespace {

// Percent-decoding of one query-string value (RFC 3986 §2.1); '+' is a space in form encoding.
std::string url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      unsigned v = 0;
      auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec == std::errc() && p == s.data() + i + 3) {
        out += static_cast<char>(v);
        i += 2;
        continue;
      }
    }
    out += s[i] == '+' ? ' ' : s[i];
  }
  return out;
}

std::string query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return eq == std::string_view::npos ? std::string() : url_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

std::uint64_t to_u64(std::string_view s) {
  std::uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

AppResponse json_response(const json::value& v, http::Status status = http::Status::ok) {
  AppResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = json::serialize(v) + "\n";
  return r;
}

AppResponse error_json(http::Status status, std::string message) {
  return json_response(json::object{{"ok", false}, {"error", std::move(message)}}, status);
}

const char* speaker(core::Speaker who) {
  switch (who) {
    case core::Speaker::Client:
      return "C";
    case core::Speaker::Server:
      return "S";
    case core::Speaker::Note:
      return "N";
  }
  return "N";
}

json::object record_json(const core::TranscriptRecord& r) {
  return json::object{{"seq", r.seq},   {"t", r.unix_micros},    {"service", r.service},
                      {"peer", r.peer}, {"who", speaker(r.who)}, {"text", r.text}};
}

// Decrements the number of open event streams however the stream ends.
struct StreamSlot {
  std::atomic<std::size_t>& n;
  ~StreamSlot() { n.fetch_sub(1, std::memory_order_relaxed); }
};

}  // namespace

Dashboard::Dashboard(DashboardConfig config) : config_(std::move(config)) {}

std::pair<std::uint64_t, std::uint64_t> Dashboard::cache_counts() const {
  std::uint64_t hits = 0, misses = 0;
  for (const auto& u : config_.units) {
    if (u.kind != "proxy" || !u.unit) continue;
    for (const auto& c : u.unit->counters()) {
      if (c.name == "hits") hits += c.value;
      if (c.name == "misses") misses += c.value;
    }
  }
  return {hits, misses};
}

void Dashboard::sample() {
  auto [hits, misses] = cache_counts();
  double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  {
    std::lock_guard lock(history_mutex_);
    history_.push_back({t, hits, misses});
    while (history_.size() > config_.history_samples) history_.pop_front();
  }
  // Every open event stream sends this one rendering: reading the counters costs once a second, not once a
  // second per dashboard.
  std::string status = status_json(false);
  std::lock_guard lock(history_mutex_);
  latest_status_ = std::move(status);
}

std::string Dashboard::latest_status() const {
  {
    std::lock_guard lock(history_mutex_);
    if (!latest_status_.empty()) return latest_status_;
  }
  return status_json(false);  // before the first sample
}

std::string Dashboard::status_json(bool with_history) const {
  json::array units;
  for (const auto& u : config_.units) {
    json::array counters;
    std::uint64_t requests = 0;
    const bool self = u.key == config_.self_key;
    const Unit* unit = self ? self_ : u.unit;
    // What the lab last made of the unit (unit.hpp); an entry the lab gave no unit has not been built.
    const char* state = unit ? to_string(unit->state()) : "not built";
    if (self) {
      requests = requests_.load(std::memory_order_relaxed);
      counters.push_back(json::object{{"name", "requests"}, {"value", requests}});
    } else if (u.unit) {
      requests = u.unit->requests();
      for (const auto& c : u.unit->counters())
        counters.push_back(json::object{{"name", c.name}, {"value", c.value}});
    }
    units.push_back(json::object{{"key", u.key},
                                 {"host", u.host},
                                 {"kind", u.kind},
                                 {"address", u.address},
                                 {"port", u.port},
                                 {"protocols", u.protocols},
                                 {"note", u.note},
                                 {"state", state},
                                 {"running", unit && unit->state() == UnitState::listening},
                                 {"requests", requests},
                                 {"counters", std::move(counters)}});
  }
  bool has_cache = false;
  for (const auto& u : config_.units) has_cache = has_cache || (u.kind == "proxy" && u.unit);
  auto [hits, misses] = cache_counts();
  double uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  json::object cache{{"present", has_cache}, {"hits", hits}, {"misses", misses}};
  if (with_history) {
    json::array history;
    std::lock_guard lock(history_mutex_);
    for (const auto& s : history_) history.push_back(json::array{s.t, s.hits, s.misses});
    cache["history"] = std::move(history);
  }
  json::object root{{"uptime", uptime},
                    {"units", std::move(units)},
                    {"cache", std::move(cache)},
                    {"transcript_seq", config_.ring ? config_.ring->last_seq() : 0}};
  return json::serialize(root);
}

std::string Dashboard::transcripts_json(std::uint64_t after, std::size_t limit, std::string_view service,
                                        std::uint64_t before) const {
  json::array lines;
  if (config_.ring) {
    for (const auto& r : config_.ring->since(after, limit, service, before)) lines.push_back(record_json(r));
  }
  return json::serialize(json::object{{"lines", std::move(lines)}});
}

std::string Dashboard::experiments_json() const {
  // The stored texts are serialized JSON objects already: splice them rather than parse them again.
  std::string out = R"({"results":{)";
  std::lock_guard lock(experiments_mutex_);
  bool first = true;
  for (const auto& [name, stored] : experiments_) {
    out += (first ? "" : ",") + json::serialize(json::string(name)) + ":" + stored.json;
    first = false;
  }
  return out + "}}";
}

std::vector<std::string> Dashboard::experiments_after(std::uint64_t& seen) const {
  std::vector<std::string> out;
  std::lock_guard lock(experiments_mutex_);
  if (experiments_version_ <= seen) return out;
  for (const auto& [name, stored] : experiments_) {
    if (stored.version > seen) out.push_back(stored.json);
  }
  seen = experiments_version_;
  return out;
}

awaitable<AppResponse> Dashboard::handle(const AppRequest& req) {
  requests_.fetch_add(1, std::memory_order_relaxed);
  const bool get = req.method == "GET" || req.method == "HEAD";
  auto only = [](const char* allow) {
    AppResponse r = error_json(http::Status::method_not_allowed, std::string("use ") + allow);
    r.fields.add("Allow", allow);
    return r;
  };
  if (req.path == "/" || req.path == "/index.html") {
    if (!get) co_return only("GET, HEAD");
    AppResponse r;
    r.content_type = "text/html; charset=utf-8";
    r.body = std::string(dashboard_page());
    // The page runs only its own inline code and talks only to this server.
    r.fields.add(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:");
    co_return r;
  }
  if (req.path == "/api/lab") {
    if (!get) co_return only("GET, HEAD");
    AppResponse r;
    r.content_type = "application/json";
    r.body = config_.lab_json;
    co_return r;
  }
  if (req.path == "/api/status") {
    if (!get) co_return only("GET, HEAD");
    AppResponse r;
    r.content_type = "application/json";
    r.body = status_json(true) + "\n";
    co_return r;
  }
  if (req.path == "/api/transcripts") {
    if (!get) co_return only("GET, HEAD");
    std::size_t limit = std::min<std::uint64_t>(to_u64(query_param(req.query, "limit")), 5000);
    const std::uint64_t before = to_u64(query_param(req.query, "before"));
    AppResponse r;
    r.content_type = "application/json";
    r.body = transcripts_json(to_u64(query_param(req.query, "after")), limit ? limit : 1000,
                              query_param(req.query, "service"), before ? before : UINT64_MAX) +
             "\n";
    co_return r;
  }
  if (req.path == "/api/experiments") {
    if (req.method == "POST") co_return store_experiment(req);
    if (!get) co_return only("GET, HEAD, POST");
    AppResponse r;
    r.content_type = "application/json";
    r.body = experiments_json() + "\n";
    co_return r;
  }
  if (req.path == "/api/events") {
    if (req.method != "GET") co_return only("GET");
    co_return events(req);
  }
  if (req.path == "/api/query") {
    if (req.method != "POST") co_return only("POST");
    co_return co_await query(req);
  }
  if (req.path == "/api/flush") {
    if (req.method != "POST") co_return only("POST");
    co_return flush(req);
  }
  if (req.path == "/api/mail") {
    if (!get) co_return only("GET, HEAD");
    co_return mail_json();
  }
  if (req.path == "/api/switch") {
    if (req.method != "POST") co_return only("POST");
    co_return switch_power(req);
  }
  if (req.path == "/api/links") {
    if (!get) co_return only("GET, HEAD");
    co_return co_await links_view();
  }
  if (req.path == "/api/link") {
    if (req.method != "POST") co_return only("POST");
    co_return co_await change_link(req);
  }
  co_return error_json(http::Status::not_found, "no such page: " + req.path);
}

AppResponse Dashboard::events(const AppRequest& req) {
  if (streams_.fetch_add(1, std::memory_order_relaxed) >= config_.max_streams) {
    streams_.fetch_sub(1, std::memory_order_relaxed);
    return error_json(http::Status::service_unavailable, "too many dashboards open at once");
  }
  // Resume where the browser's EventSource left off (WHATWG HTML §9.2, Last-Event-ID), else start with the
  // newest lines of the ring.
  std::uint64_t after = 0;
  if (auto id = req.fields.get("Last-Event-ID")) {
    after = to_u64(*id);
  } else if (auto given = query_param(req.query, "after"); !given.empty()) {
    after = to_u64(given);
  } else if (config_.ring) {
    std::uint64_t last = config_.ring->last_seq();
    after = last > 300 ? last - 300 : 0;
  }
  AppResponse r;
  r.content_type = "text/event-stream";
  // The slot is released with the response, whether the stream ran to its end or never started (the head
  // could not be written).
  auto slot = std::make_shared<StreamSlot>(streams_);
  r.stream = [this, after, slot](AppStream& s) -> awaitable<void> {
    auto& conn = s.connection();
    asio::steady_timer timer(conn.loop().io());
    std::uint64_t last = after;
    std::uint64_t experiments_seen = 0;  // a page that connects gets every stored result first
    auto next_status = std::chrono::steady_clock::now();
    auto next_beat = next_status + std::chrono::seconds(15);
    const bool started = co_await s.send("retry: 2000\n\n");
    if (!started) co_return;
    while (!conn.draining()) {
      std::string out;
      if (config_.ring) {
        for (const auto& rec : config_.ring->since(last, 500)) {
          out += fmt::format("id: {}\nevent: transcript\ndata: {}\n\n", rec.seq,
                             json::serialize(record_json(rec)));
          last = rec.seq;
        }
      }
      for (const auto& result : experiments_after(experiments_seen))
        out += "event: experiment\ndata: " + result + "\n\n";
      auto now = std::chrono::steady_clock::now();
      if (now >= next_status) {
        out += "event: status\ndata: " + latest_status() + "\n\n";
        next_status = now + std::chrono::seconds(1);
      }
      if (out.empty() && now >= next_beat) out = ": keep-alive\n\n";
      if (!out.empty()) {
        const bool sent = co_await s.send(out);
        if (!sent) co_return;
        next_beat = now + std::chrono::seconds(15);
      }
      timer.expires_after(config_.stream_poll);
      co_await timer.async_wait(use_nothrow);
    }
  };
  return r;
}

namespace {

// The POST APIs act on the lab, so they take JSON from our own page (or a program) only: a JSON POST from
// another origin needs a CORS preflight, which we never grant; a same-origin one carries our own origin.
// Anything else is a page elsewhere trying to use the visitor's browser. The body must be a JSON object.
Expected<json::object, AppResponse> json_post_body(const AppRequest& req) {
  auto type = req.fields.get("Content-Type");
  if (!type || type->find("application/json") == std::string_view::npos) {
    return Unexpected(
        error_json(http::Status::unsupported_media_type, "send the request as application/json"));
  }
  if (auto origin = req.fields.get("Origin")) {
    auto host = req.fields.get("Host");
    if (!host || *origin != "http://" + std::string(*host)) {
      return Unexpected(
          error_json(http::Status::forbidden, "requests are accepted from the dashboard's own page only"));
    }
  }
  boost::system::error_code ec;
  json::value body = json::parse(req.body, ec);
  if (ec || !body.is_object())
    return Unexpected(error_json(http::Status::bad_request, "the body is not a JSON object"));
  return std::move(body.as_object());
}

}  // namespace

AppResponse Dashboard::flush(const AppRequest& req) {
  auto body = json_post_body(req);
  if (!body) return std::move(body).error();
  const json::value* kind = body->if_contains("kind");
  if (!kind || !kind->is_string() || kind->as_string() != "resolver")
    return error_json(http::Status::bad_request, "kind must be resolver");
  json::array flushed;
  for (const auto& u : config_.units) {
    if (u.kind != "resolver" || !u.unit) continue;
    if (u.unit->flush_cache()) flushed.push_back(json::string(u.key));
  }
  if (flushed.empty()) return error_json(http::Status::conflict, "this lab runs no resolver");
  return json_response(json::object{{"ok", true}, {"flushed", std::move(flushed)}});
}

awaitable<AppResponse> Dashboard::links_view() {
  if (!config_.links) {
    co_return json_response(json::object{{"mode", "loopback"}, {"links", json::array{}}});
  }
  // The emulator belongs to the pump's loop: the JSON is made there.
  // A named local, not a temporary inside the co_await (GCC 12 rules, docs/internals/core.md).
  auto render = [](LinkPump& pump) { return json::serialize(links_json(pump.emulator())) + "\n"; };
  std::string body = co_await run_on_pump(*config_.links, render);
  AppResponse r;
  r.content_type = "application/json";
  r.body = std::move(body);
  co_return r;
}

awaitable<AppResponse> Dashboard::change_link(const AppRequest& req) {
  auto body = json_post_body(req);
  if (!body) co_return std::move(body).error();
  if (!config_.links) {
    co_return error_json(http::Status::conflict,
                         "this lab's links are not emulated (it runs on loopback: see lab.json's network)");
  }
  // The body by pointer (the request outlives this coroutine's wait): GCC 12 destroys a temporary with a
  // non-trivial destructor twice when it is part of a co_await expression, and a lambda owning a string is
  // one.
  const std::string* text = &req.body;
  auto apply = [text](LinkPump& pump) -> Expected<std::string, std::string> {
    auto change = parse_link_change(*text, pump.emulator().topology());
    if (!change) return Unexpected(change.error());
    auto link =
        apply_link_change(pump.emulator(), *change, netem::from_steady(std::chrono::steady_clock::now()));
    if (!link) return Unexpected(link.error());
    pump.reschedule();  // a shorter delay or a higher rate may make a packet due sooner
    return json::serialize(*link) + "\n";
  };
  auto changed = co_await run_on_pump(*config_.links, apply);
  if (!changed) co_return error_json(http::Status::bad_request, changed.error());
  AppResponse r;
  r.content_type = "application/json";
  r.body = std::move(*changed);
  co_return r;
}

AppResponse Dashboard::mail_json() const {
  json::array servers;
  for (const MailView& m : config_.mail) servers.push_back(mail_view_json(m));
  return json_response(json::object{{"servers", std::move(servers)}});
}

AppResponse Dashboard::switch_power(const AppRequest& req) {
  auto body = json_post_body(req);
  if (!body) return std::move(body).error();
  const json::value* host = body->if_contains("host");
  const json::value* on = body->if_contains("on");
  if (!host || !host->is_string() || !on || !on->is_bool())
    return error_json(http::Status::bad_request, R"(send {"host": "mail.hamburger.edu", "on": false})");
  for (const MailView& m : config_.mail) {
    if (m.host != host->as_string() || !m.power) continue;
    m.power->set_on(on->as_bool());
    return json_response(json::object{{"ok", true}, {"host", m.host}, {"on", on->as_bool()}});
  }
  return error_json(http::Status::not_found,
                    "no switchable server on host " + std::string(host->as_string()));
}

// An experiment's result, from `endhost lab experiment` (experiment.cpp): a JSON object whose "experiment"
// names one of the registry. The newest of each is kept (so at most one per experiment, each under the body
// limit) and sent to every open page.
AppResponse Dashboard::store_experiment(const AppRequest& req) {
  auto body = json_post_body(req);
  if (!body) return std::move(body).error();
  const json::value* name = body->if_contains("experiment");
  if (!name || !name->is_string() || !is_experiment(name->as_string())) {
    std::string names;
    for (const auto& n : experiment_names()) names += (names.empty() ? "" : ", ") + n;
    return error_json(http::Status::bad_request, "experiment must name one of: " + names);
  }
  std::string key(name->as_string());
  // Kept as sent, not parsed and serialized again: Boost.JSON's default parse may round a double by a unit
  // in the last place, and the figure must show what the experiment measured. JSON strings hold no raw line
  // breaks, so turning the others (whitespace) into spaces keeps it one SSE data line, and the same value.
  std::string text = req.body;
  for (auto& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::lock_guard lock(experiments_mutex_);
  StoredResult& stored = experiments_[key];
  stored.version = ++experiments_version_;
  stored.json = std::move(text);
  return json_response(json::object{{"ok", true}, {"experiment", key}});
}

awaitable<AppResponse> Dashboard::query(const AppRequest& req) {
  auto body = json_post_body(req);
  if (!body) co_return std::move(body).error();
  const json::object& o = *body;
  auto str = [&](const char* key) -> std::string {
    const json::value* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  std::string kind = str("kind");
  ActionResult result;
  if (kind == "dns") {
    if (!config_.resolver) co_return error_json(http::Status::conflict, "this lab has no resolver");
    std::string name = str("name");
    std::string type_text = str("type").empty() ? "A" : str("type");
    dns::RRType qtype;
    if (!valid_query_name(name)) co_return error_json(http::Status::bad_request, "not a host name: " + name);
    if (!parse_query_type(type_text, qtype)) {
      co_return error_json(http::Status::bad_request, "type must be A, AAAA, MX, NS, SOA, TXT or CNAME");
    }
    result = co_await resolve_through(*config_.resolver, name, qtype, config_.source, &config_.place);
  } else if (kind == "ping") {
    if (!config_.ping) co_return error_json(http::Status::conflict, "this lab has no ping server");
    result = co_await ping_once(*config_.ping, ping_seq_.fetch_add(1, std::memory_order_relaxed) + 1,
                                config_.source, &config_.place);
  } else if (kind == "http") {
    if (!config_.cache) co_return error_json(http::Status::conflict, "this lab has no Web cache");
    std::string url = str("url");
    if (url.empty()) url = config_.example_url;
    // Only the lab's own web hosts: the dashboard is no relay to the rest of the world.
    bool lab_host = false;
    if (url.rfind("http://", 0) == 0) {
      std::string authority = url.substr(7, url.find('/', 7) - 7);
      std::string host = authority.substr(0, authority.find(':'));
      for (const auto& u : config_.units) lab_host = lab_host || (u.kind == "web" && u.host == host);
    }
    if (!lab_host)
      co_return error_json(http::Status::bad_request, "give an http:// URL of one of the lab's web hosts");
    result = co_await fetch_through(*config_.cache, url, config_.source, &config_.place);
  } else {
    co_return error_json(http::Status::bad_request, "kind must be dns, ping or http");
  }
  co_return json_response(json::object{{"ok", result.ok}, {"text", result.text}, {"millis", result.millis}});
}

}  // namespace endhost::lab
