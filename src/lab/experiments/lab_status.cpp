#include "lab/experiments/lab_status.hpp"

#include <boost/json.hpp>

#include "lab/http_fetch.hpp"

namespace endhost::lab {

namespace json = boost::json;

std::uint64_t LabCounters::sum(std::string_view kind, std::string_view name) const {
  std::uint64_t total = 0;
  for (const auto& e : entries) {
    if (e.kind == kind && e.name == name) total += e.value;
  }
  return total;
}

awaitable<std::optional<LabCounters>> read_counters(const LabInfo& lab) {
  if (!lab.dashboard) co_return std::nullopt;
  asio::ip::tcp::endpoint ep(asio::ip::make_address(lab.dashboard->address), lab.dashboard->port);
  auto conn = co_await HttpConnection::open(ep, std::chrono::milliseconds(3000));
  if (!conn) co_return std::nullopt;
  auto res =
      co_await (*conn)->get("/api/status", lab.dashboard->address, false, std::chrono::milliseconds(5000));
  if (!res) co_return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(res->body, ec);
  if (ec || !v.is_object()) co_return std::nullopt;
  LabCounters out;
  try {
    for (const auto& u : v.at("units").as_array()) {
      std::string kind = json::value_to<std::string>(u.at("kind"));
      out.entries.push_back({kind, "", u.at("requests").to_number<std::uint64_t>()});
      for (const auto& c : u.at("counters").as_array()) {
        out.entries.push_back(
            {kind, json::value_to<std::string>(c.at("name")), c.at("value").to_number<std::uint64_t>()});
      }
    }
  } catch (const std::exception&) {
    co_return std::nullopt;
  }
  co_return out;
}

namespace {

// POSTs a JSON body to the dashboard; an answer other than 200 is an error naming the status and its message.
awaitable<Expected<std::string, std::string>> post_json_body(const LabInfo& lab, std::string path,
                                                             std::string body) {
  if (!lab.dashboard) co_return Unexpected(std::string("the lab runs no dashboard to ask"));
  asio::ip::tcp::endpoint ep(asio::ip::make_address(lab.dashboard->address), lab.dashboard->port);
  auto conn = co_await HttpConnection::open(ep, std::chrono::milliseconds(3000));
  if (!conn) co_return Unexpected(conn.error());
  std::string method = "POST", type = "application/json";
  auto res = co_await (*conn)->request(std::move(method), std::move(path), lab.dashboard->address, false,
                                       std::chrono::milliseconds(10000), std::move(type), std::move(body));
  if (!res) co_return Unexpected(res.error());
  if (res->status != http::Status::ok) {
    co_return Unexpected("the dashboard answered " + std::to_string(http::to_int(res->status)) + ": " +
                         res->body.substr(0, res->body.find('\n')));
  }
  co_return std::move(res->body);
}

awaitable<Expected<void, std::string>> post_json(const LabInfo& lab, std::string path, std::string body) {
  if (!lab.dashboard) co_return Unexpected(std::string("the lab runs no dashboard to ask"));
  asio::ip::tcp::endpoint ep(asio::ip::make_address(lab.dashboard->address), lab.dashboard->port);
  auto conn = co_await HttpConnection::open(ep, std::chrono::milliseconds(3000));
  if (!conn) co_return Unexpected(conn.error());
  std::string method = "POST", type = "application/json";
  auto res = co_await (*conn)->request(std::move(method), std::move(path), lab.dashboard->address, false,
                                       std::chrono::milliseconds(5000), std::move(type), std::move(body));
  if (!res) co_return Unexpected(res.error());
  if (res->status != http::Status::ok) {
    co_return Unexpected("the dashboard answered " + std::to_string(http::to_int(res->status)) + ": " +
                         res->body.substr(0, res->body.find('\n')));
  }
  co_return Expected<void, std::string>{};
}

awaitable<std::optional<json::value>> get_json(const LabInfo& lab, std::string path) {
  if (!lab.dashboard) co_return std::nullopt;
  asio::ip::tcp::endpoint ep(asio::ip::make_address(lab.dashboard->address), lab.dashboard->port);
  auto conn = co_await HttpConnection::open(ep, std::chrono::milliseconds(3000));
  if (!conn) co_return std::nullopt;
  auto res =
      co_await (*conn)->get(std::move(path), lab.dashboard->address, false, std::chrono::milliseconds(5000));
  if (!res || res->status != http::Status::ok) co_return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(res->body, ec);
  if (ec || !v.is_object()) co_return std::nullopt;
  co_return v;
}

}  // namespace

awaitable<Expected<void, std::string>> flush_resolver_cache(const LabInfo& lab) {
  std::string path = "/api/flush", body = R"({"kind": "resolver"})";
  co_return co_await post_json(lab, std::move(path), std::move(body));
}

awaitable<Expected<void, std::string>> publish_experiment(const LabInfo& lab, std::string result_json) {
  std::string path = "/api/experiments";
  co_return co_await post_json(lab, std::move(path), std::move(result_json));
}

awaitable<Expected<void, std::string>> set_server_switch(const LabInfo& lab, std::string host, bool on) {
  std::string path = "/api/switch";
  std::string body = json::serialize(json::object{{"host", host}, {"on", on}});
  co_return co_await post_json(lab, std::move(path), std::move(body));
}

awaitable<std::optional<json::value>> read_mail_view(const LabInfo& lab) {
  std::string path = "/api/mail";
  co_return co_await get_json(lab, std::move(path));
}

awaitable<Expected<std::string, std::string>> ask_dns(const LabInfo& lab, std::string name,
                                                      std::string type) {
  std::string path = "/api/query";
  std::string body = json::serialize(json::object{{"kind", "dns"}, {"name", name}, {"type", type}});
  auto answer = co_await post_json_body(lab, std::move(path), std::move(body));
  if (!answer) co_return Unexpected(answer.error());
  boost::system::error_code ec;
  json::value v = json::parse(*answer, ec);
  const json::value* text = !ec && v.is_object() ? v.as_object().if_contains("text") : nullptr;
  if (!text || !text->is_string()) co_return Unexpected(std::string("the dashboard's answer has no text"));
  co_return std::string(text->as_string());
}

awaitable<std::optional<std::uint64_t>> read_transcript_seq(const LabInfo& lab) {
  std::string path = "/api/status";
  auto v = co_await get_json(lab, std::move(path));
  if (!v) co_return std::nullopt;
  const json::value* seq = v->as_object().if_contains("transcript_seq");
  if (!seq || !seq->is_number()) co_return std::nullopt;
  co_return seq->to_number<std::uint64_t>();
}

awaitable<std::optional<std::vector<TranscriptLine>>> read_transcripts(const LabInfo& lab,
                                                                       std::uint64_t after) {
  std::string path = "/api/transcripts?limit=5000&after=" + std::to_string(after);
  auto v = co_await get_json(lab, std::move(path));
  if (!v) co_return std::nullopt;
  std::vector<TranscriptLine> out;
  try {
    for (const auto& l : v->at("lines").as_array()) {
      TranscriptLine t;
      t.seq = l.at("seq").to_number<std::uint64_t>();
      t.unix_micros = l.at("t").to_number<std::int64_t>();
      t.service = json::value_to<std::string>(l.at("service"));
      t.peer = json::value_to<std::string>(l.at("peer"));
      std::string who = json::value_to<std::string>(l.at("who"));
      t.who = who.empty() ? 'N' : who[0];
      t.text = json::value_to<std::string>(l.at("text"));
      out.push_back(std::move(t));
    }
  } catch (const std::exception&) {
    co_return std::nullopt;
  }
  co_return out;
}

}  // namespace endhost::lab
