#include "http/client/fetch_support.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <cctype>

#include "http/cache/entry.hpp"
#include "http/cache/hop_by_hop.hpp"
#include "http/cache/storability.hpp"
#include "http/date.hpp"
#include "http/serializer.hpp"
#include "http/url.hpp"

namespace endhost::http {

namespace {

Expected<std::string, std::string> data_argument(const std::string& arg, bool binary) {
  if (arg.empty() || arg.front() != '@') return arg;
  const std::string path = arg.substr(1);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unexpected("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string data = ss.str();
  // curl -d @file drops carriage returns and newlines; --data-binary keeps the file as it is.
  if (!binary) std::erase_if(data, [](char c) { return c == '\r' || c == '\n'; });
  return data;
}

std::string human(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) bytes /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

}  // namespace

std::string base64(std::string_view data) {
  static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(data[i]) << 16 |
                       static_cast<unsigned char>(data[i + 1]) << 8 | static_cast<unsigned char>(data[i + 2]);
    out += table[v >> 18 & 63];
    out += table[v >> 12 & 63];
    out += table[v >> 6 & 63];
    out += table[v & 63];
  }
  if (i < data.size()) {
    unsigned v = static_cast<unsigned char>(data[i]) << 16;
    if (i + 1 < data.size()) v |= static_cast<unsigned char>(data[i + 1]) << 8;
    out += table[v >> 18 & 63];
    out += table[v >> 12 & 63];
    out += i + 1 < data.size() ? table[v >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

std::string basic_auth(std::string_view user_colon_password) {
  return "Basic " + base64(user_colon_password);
}

Expected<RequestTemplate, std::string> build_template(const FetchOptions& o) {
  RequestTemplate t;
  t.fields.add("User-Agent", o.user_agent);
  t.fields.add("Accept", "*/*");
  if (o.compressed) t.fields.add("Accept-Encoding", "gzip, deflate, br, zstd");
  std::string body;
  bool has_body = false;
  for (const auto& d : o.data) {
    auto part = data_argument(d, false);
    if (!part) return Unexpected("-d: " + part.error());
    if (has_body) body += '&';
    body += *part;
    has_body = true;
  }
  for (const auto& d : o.data_binary) {
    auto part = data_argument(d, true);
    if (!part) return Unexpected("--data-binary: " + part.error());
    body += *part;
    has_body = true;
  }
  if (has_body) t.fields.add("Content-Type", "application/x-www-form-urlencoded");
  for (const auto& h : o.headers) {
    // curl: "Name: value" sets, "Name:" removes a default, "Name;" sends an empty value.
    const auto colon = h.find(':');
    const auto semi = h.find(';');
    if (colon == std::string::npos && semi != std::string::npos && semi + 1 == h.size()) {
      const std::string name = h.substr(0, semi);
      if (!valid_field_name(name)) return Unexpected("-H '" + h + "': '" + name + "' is not a field name");
      t.fields.set(name, "");
      continue;
    }
    if (colon == std::string::npos) return Unexpected("-H '" + h + "': not a header (use 'Name: value')");
    const std::string name = h.substr(0, colon);
    std::string value = h.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    if (!valid_field_name(name)) return Unexpected("-H '" + h + "': '" + name + "' is not a field name");
    if (!valid_field_value(value)) return Unexpected("-H '" + h + "': the value has control characters");
    if (iequals(name, "host") || iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
        iequals(name, "connection"))
      return Unexpected("-H '" + h + "': endhost fetch sets " + name + " itself");
    if (value.empty())
      t.fields.erase(name);
    else
      t.fields.set(name, value);
  }
  t.body = std::move(body);
  t.method = !o.method.empty() ? o.method : o.head ? "HEAD" : has_body ? "POST" : "GET";
  if (o.head && has_body) return Unexpected("-I and -d do not go together (a HEAD request has no body)");
  for (char c : t.method)
    if (!(std::isalnum(static_cast<unsigned char>(c)) ||
          std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos))
      return Unexpected("-X '" + o.method + "' is not a method name");
  if (!o.user.empty()) {
    t.basic_auth = basic_auth(o.user.find(':') == std::string::npos ? o.user + ":" : o.user);
    auto url = parse_url(o.url);
    if (url) t.auth_host = url->host;
  }
  return t;
}

void VerboseSink::record(const core::TranscriptEntry& e) {
  const char* who = e.who == core::Speaker::Client ? "C: " : e.who == core::Speaker::Server ? "S: " : "* ";
  out_ << who << e.text << "\n";
}

void ProgressMeter::start(std::optional<std::uint64_t> total, bool enabled) {
  enabled_ = enabled;
  total_ = total;
  done_ = 0;
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

void ProgressMeter::add(std::uint64_t n) {
  done_ += n;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw(false);
}

void ProgressMeter::draw(bool last) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0;
  char line[160];
  if (total_ && *total_ > 0) {
    const double pct = 100.0 * static_cast<double>(done_) / static_cast<double>(*total_);
    const double left = rate > 0 ? static_cast<double>(*total_ - std::min(done_, *total_)) / rate : 0;
    std::snprintf(line, sizeof line, "\r%5.1f%%  %s of %s  %s/s  ETA %d:%02d ", pct,
                  human(static_cast<double>(done_)).c_str(), human(static_cast<double>(*total_)).c_str(),
                  human(rate).c_str(), static_cast<int>(left) / 60, static_cast<int>(left) % 60);
  } else {
    std::snprintf(line, sizeof line, "\r%s  %s/s ", human(static_cast<double>(done_)).c_str(),
                  human(rate).c_str());
  }
  std::fputs(line, stderr);
  if (last) std::fputs("\n", stderr);
  std::fflush(stderr);
}

void ProgressMeter::finish() {
  if (enabled_ && done_ > 0) draw(true);
  enabled_ = false;
}

Expected<cache::ObjectWriter, std::string> plan_fetch_store(cache::Store& store, const std::string& key,
                                                            const Fields& request_fields,
                                                            const Response& head, cache::Time request_time,
                                                            cache::Time response_time) {
  const cache::CacheControl req_cc = cache::parse_cache_control(request_fields);
  const cache::CacheControl res_cc = cache::parse_cache_control(head.fields);
  const cache::VarySpec vary = cache::parse_vary(head.fields);
  // A private cache (RFC 9111 §3): private responses may be stored, unlike in the proxy; Authorization
  // does not matter either. Everything else is the shared rule set.
  cache::CacheControl shared_view = res_cc;
  shared_view.private_ = false;
  const auto verdict = cache::can_store({Method::get, &req_cc, false, head.status, false, &shared_view,
                                         head.fields.contains("expires"), vary.star});
  if (verdict != cache::StoreVerdict::store) return Unexpected(std::string(cache::to_string(verdict)));
  cache::ObjectMeta meta;
  meta.key = key;
  meta.variant = cache::secondary_key(vary, request_fields);
  meta.request_time = request_time;
  meta.response_time = response_time;
  meta.status = head.status;
  meta.reason = head.reason;
  meta.fields = head.fields;
  cache::remove_hop_by_hop(meta.fields);
  meta.fields.erase("content-length");
  if (!meta.fields.contains("date")) meta.fields.add("Date", to_http_date(cache::to_time_t(response_time)));
  const auto info = cache::analyze_response(head.status, meta.fields, request_time, response_time);
  if (!cache::worth_storing(info)) return Unexpected(std::string("no freshness and no validator"));
  auto writer = store.begin(std::move(meta));
  if (!writer) return Unexpected(writer.error());
  return std::move(*writer);
}

}  // namespace endhost::http
