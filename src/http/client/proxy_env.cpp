#include "http/client/proxy_env.hpp"

#include <cctype>

#include "http/chars.hpp"

namespace endhost::http {

namespace {

using chars::lower;

}  // namespace

bool no_proxy_matches(std::string_view list, std::string_view host_in) noexcept {
  const std::string host = lower(host_in);
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item == "*") return true;
    if (!item.empty() && item.front() == '.') item.remove_prefix(1);
    // A port in the entry ("example.com:8080") is not compared, as curl.
    if (item.find(':') != std::string_view::npos && item.find(']') == std::string_view::npos &&
        item.find(':') == item.rfind(':'))
      item = item.substr(0, item.find(':'));
    if (item.empty()) continue;
    const std::string entry = lower(item);
    if (host == entry) return true;
    if (host.size() > entry.size() && host.compare(host.size() - entry.size(), entry.size(), entry) == 0 &&
        host[host.size() - entry.size() - 1] == '.')
      return true;
  }
  return false;
}

Expected<std::optional<Url>, std::string> choose_proxy(const Url& target,
                                                       const std::optional<std::string>& explicit_proxy,
                                                       const std::optional<std::string>& explicit_no_proxy,
                                                       const Getenv& getenv) {
  std::optional<std::string> no_proxy = explicit_no_proxy;
  if (!no_proxy) no_proxy = getenv("no_proxy");
  if (!no_proxy) no_proxy = getenv("NO_PROXY");
  if (no_proxy && no_proxy_matches(*no_proxy, target.host)) return std::optional<Url>();
  std::optional<std::string> proxy = explicit_proxy;
  if (!proxy) {
    if (target.scheme == "https") {
      proxy = getenv("https_proxy");
      if (!proxy) proxy = getenv("HTTPS_PROXY");
    } else {
      proxy = getenv("http_proxy");
    }
  }
  if (!proxy || proxy->empty()) return std::optional<Url>();
  std::string text = *proxy;
  if (text.find("://") == std::string::npos) text = "http://" + text;
  auto url = parse_url(text);
  if (!url) return Unexpected("bad proxy '" + *proxy + "': " + url.error());
  if (url->scheme != "http") return Unexpected("proxy '" + *proxy + "': only http:// proxies are supported");
  return std::optional<Url>(*url);
}

}  // namespace endhost::http
