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

awaitable<Expected<void, std::string>> flush_resolver_cache(const LabInfo& lab) {
  if (!lab.dashboard) co_return Unexpected(std::string("the lab runs no dashboard to ask"));
  asio::ip::tcp::endpoint ep(asio::ip::make_address(lab.dashboard->address), lab.dashboard->port);
  auto conn = co_await HttpConnection::open(ep, std::chrono::milliseconds(3000));
  if (!conn) co_return Unexpected(conn.error());
  auto res = co_await (*conn)->request("POST", "/api/flush", lab.dashboard->address, false,
                                       std::chrono::milliseconds(5000), "application/json",
                                       R"({"kind": "resolver"})");
  if (!res) co_return Unexpected(res.error());
  if (res->status != http::Status::ok) {
    co_return Unexpected("the dashboard answered " + std::to_string(http::to_int(res->status)) + ": " +
                         res->body.substr(0, res->body.find('\n')));
  }
  co_return Expected<void, std::string>{};
}

}  // namespace endhost::lab
